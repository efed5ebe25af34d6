#!/usr/bin/env python3
"""Counts the TCP segments a lab's client sends to each VIP, for EngineKernelDiff (run in the client's namespace).

Listens on --interface with an AF_PACKET socket (receive only: it sends nothing) and counts every outgoing IPv4 TCP
frame whose destination is one of --vip, as "VIP PACKETS BYTES" lines (BYTES: the IPv4 total length, what IPVS's
InBytes counts), printed when SIGTERM or SIGINT arrives or after --seconds. The lab's veths have segmentation
offloads off, so one frame is one segment. The counts are what the client really sent, whatever the timing of its
ACKs (a real server's reply written in one segment or two is acknowledged once or twice), so a director's InPkts and
InBytes can be checked against them.
"""
import argparse, signal, socket, struct, sys, time

ETH_P_ALL = 0x0003  # outgoing frames reach only the taps of every protocol (dev_queue_xmit_nit)
PACKET_OUTGOING = 4


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--interface", default="eth0")
    a.add_argument("--seconds", type=float, default=600)
    a.add_argument("--ready", help="file written once the socket listens")
    a.add_argument("--vip", action="append", required=True)
    o = a.parse_args()
    vips = {socket.inet_aton(v): v for v in o.vip}
    counts = {v: [0, 0] for v in o.vip}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((o.interface, ETH_P_ALL))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    if o.ready:
        with open(o.ready, "w") as f:
            f.write("ready\n")
    end = time.monotonic() + o.seconds
    while not stop and time.monotonic() < end:
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[2] != PACKET_OUTGOING or len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        if ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        vip = vips.get(ip[16:20])
        if vip is None:
            continue
        c = counts[vip]
        c[0] += 1
        c[1] += struct.unpack("!H", ip[2:4])[0]
    for v in o.vip:
        print(v, counts[v][0], counts[v][1])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
