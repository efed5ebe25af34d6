#!/usr/bin/env python3
"""Bounded spoofed-SYN sender for the LvsPS lab (bench/syn-flood.ps1 runs it in the lab's client namespace).

Sends at most --count TCP SYNs, for at most --duration seconds, from --interface to --vip:--port with destination
MAC --mac (the director), each from a different spoofed source (198.18.0.0/15, the benchmarking range, and a
port), with correct IP and TCP checksums. Frames are built before the clock starts, so the send loop is one
send() a frame. --rate 0 sends as fast as the machine can. Prints one line: sent=N seconds=S rate=R.
"""
import argparse, socket, struct, time, sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--interface", default="eth0")
    a.add_argument("--mac", required=True)
    a.add_argument("--vip", required=True)
    a.add_argument("--port", type=int, default=80)
    a.add_argument("--count", type=int, default=600000)
    a.add_argument("--duration", type=float, default=30)
    a.add_argument("--rate", type=int, default=0)
    o = a.parse_args()
    if not (0 < o.count <= 5_000_000) or not (0 < o.duration <= 120):
        sys.exit("count must be 1..5000000 and duration 1..120 s")

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((o.interface, 0))
    src_mac = s.getsockname()[4]
    dst_mac = bytes(int(x, 16) for x in o.mac.split(":"))
    vip = socket.inet_aton(o.vip)
    eth = dst_mac + src_mac + b"\x08\x00"
    frames = []
    for i in range(o.count):
        # Unique (source, port) pairs: 65,000 sources in 198.18.0.0/15, then the next port.
        saddr = struct.pack("!I", (198 << 24 | 18 << 16) + 1 + i % 65000)
        sport = 1024 + (i // 65000) % 60000
        seq = (i * 2654435761) & 0xFFFFFFFF
        tcp = struct.pack("!HHIIBBHHH", sport, o.port, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
        pseudo = saddr + vip + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, saddr, vip)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frames.append(eth + ip + tcp)

    send = s.send
    start = time.monotonic()
    deadline = start + o.duration
    sent = 0
    gap = 1.0 / o.rate if o.rate else 0.0
    for f in frames:
        try:
            send(f)
        except BlockingIOError:
            continue
        sent += 1
        if sent & 1023 == 0:
            now = time.monotonic()
            if now >= deadline:
                break
            if gap:
                ahead = start + sent * gap - now
                if ahead > 0:
                    time.sleep(ahead)
    secs = time.monotonic() - start
    print("sent=%d seconds=%.2f rate=%d" % (sent, secs, sent / secs if secs else 0))


if __name__ == "__main__":
    main()
