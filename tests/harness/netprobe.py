#!/usr/bin/env python3
"""Small network probes for the netns test cluster (standard library only).

Run inside a node's namespace (netns_cluster.sh exec NODE python3 netprobe.py ...):

  netprobe.py ping ADDR [--timeout S]       one ICMP echo; exit 0 if a reply came back
  netprobe.py garp IFACE ADDR [--count N]   gratuitous ARP for ADDR from IFACE's MAC
  netprobe.py serve PORT TEXT               TCP server: answers every connection with TEXT
  netprobe.py get ADDR PORT [--timeout S]   connect, print what the server sent, exit 0

The image has no iputils-ping/arping, so these stand in for them.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def cmd_ping(args) -> int:
    ident = os.getpid() & 0xFFFF
    payload = b"pulse-netprobe"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, 1) + payload
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
        try:
            sock.sendto(packet, (args.addr, 0))
        except OSError as err:  # e.g. network unreachable: that is a "no"
            print(f"ping {args.addr}: {err.strerror}")
            return 1
        deadline = time.monotonic() + args.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"ping {args.addr}: no reply within {args.timeout}s")
                return 1
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                continue
            data, (src, _) = sock.recvfrom(2048)
            ihl = (data[0] & 0x0F) * 4
            icmp_type, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if icmp_type == 0 and rid == ident and src == args.addr:
                print(f"ping {args.addr}: reply")
                return 0


def cmd_garp(args) -> int:
    with open(f"/sys/class/net/{args.iface}/address", encoding="ascii") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    ip = socket.inet_aton(args.addr)
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((args.iface, 0))
        for _ in range(args.count):
            for op in (1, 2):  # gratuitous request and reply: Linux updates its cache on either
                arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + ip + b"\0" * 6 + ip
                frame = b"\xff" * 6 + mac + struct.pack("!H", 0x0806) + arp
                sock.send(frame)
            time.sleep(0.02)
    return 0


def cmd_serve(args) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("0.0.0.0", args.port))
        srv.listen(16)
        while True:
            conn, _ = srv.accept()
            with conn:
                try:
                    conn.sendall(args.text.encode() + b"\n")
                except OSError:
                    pass


def cmd_get(args) -> int:
    try:
        with socket.create_connection((args.addr, args.port), timeout=args.timeout) as conn:
            conn.settimeout(args.timeout)
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError as err:
        print(f"get {args.addr}:{args.port}: {err}", file=sys.stderr)
        return 1
    sys.stdout.write(data.decode(errors="replace"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ping")
    p.add_argument("addr")
    p.add_argument("--timeout", type=float, default=1.0)
    p = sub.add_parser("garp")
    p.add_argument("iface")
    p.add_argument("addr")
    p.add_argument("--count", type=int, default=3)
    p = sub.add_parser("serve")
    p.add_argument("port", type=int)
    p.add_argument("text")
    p = sub.add_parser("get")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    return {"ping": cmd_ping, "garp": cmd_garp, "serve": cmd_serve, "get": cmd_get}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
