#!/usr/bin/env python3
"""Mid-flow TCP segments of flows nobody opened, for EngineKernelDiff (run in a lab's client namespace).

For each SOURCE:PORT given, sends one PSH/ACK segment with a few bytes of data from SOURCE:PORT to --vip:--dport
(a raw IPv4 socket: the client's own routing and ARP take it to the director), then waits at most --wait seconds
for the RST that whoever received it sends back (a real server, or the director itself, has no such connection),
and prints "PORT MAC" with the Ethernet source of that RST, or "PORT none". At most 64 segments, one at a time;
nothing is sent anywhere but to the VIP.
"""
import argparse, importlib.util, os, select, socket, struct, sys, time

# The Internet checksum of the lab's raw-packet tools: bench/syn-flood.py's (its main runs only as a script).
_spec = importlib.util.spec_from_file_location(
    "syn_flood", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "syn-flood.py"))
_syn_flood = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_syn_flood)
csum = _syn_flood.csum


def segment(src, sport, dst, dport, seq, ack, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x18, 64240, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), sport, 0x4000, 64, 6, 0, src, dst)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--interface", default="eth0")
    a.add_argument("--vip", required=True)
    a.add_argument("--dport", type=int, default=23)
    a.add_argument("--wait", type=float, default=3.0)
    a.add_argument("flows", nargs="+", help="SOURCE:PORT")
    o = a.parse_args()
    if len(o.flows) > 64 or not (0 < o.wait <= 10):
        sys.exit("at most 64 flows, wait 0..10 s")
    vip = socket.inet_aton(o.vip)
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    rx.bind((o.interface, 0))
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for flow in o.flows:
        source, port = flow.rsplit(":", 1)
        src, sport = socket.inet_aton(source), int(port)
        tx.sendto(segment(src, sport, vip, o.dport, 0x10000000 + sport, 0x20000000 + sport, b"midflow\r\n"), (o.vip, 0))
        answer = "none"
        deadline = time.monotonic() + o.wait
        while answer == "none":
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([rx], [], [], left)[0]:
                break
            f = rx.recv(2048)
            if len(f) < 54 or f[23] != 6 or f[26:30] != vip or f[30:34] != src:
                continue
            ihl = (f[14] & 0x0F) * 4
            t = f[14 + ihl:]
            if len(t) < 14 or struct.unpack("!HH", t[:4]) != (o.dport, sport) or not t[13] & 0x04:
                continue
            answer = ":".join("%02x" % b for b in f[6:12])
        print("%d %s" % (sport, answer), flush=True)


if __name__ == "__main__":
    main()
