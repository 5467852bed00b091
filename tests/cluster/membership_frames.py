#!/usr/bin/env python3
"""Captures real membership frames off the wire and replays them (tests only; stdlib only).

  capture OUT [--iface eth0] [--port 5405]
      Appends every UDP datagram to or from PORT that starts with the frame magic "PLSM", seen
      on IFACE through an AF_PACKET raw socket (both directions), to OUT as JSON lines
      {"at", "src", "dst", "hex"}. Runs until killed; each line is flushed as it is written.
      Run it inside a node's namespace (the harness's `start`).
  replay FRAMES --bind IP[:PORT] [--sender N] [--to ADDR:PORT ...] [--interval S]
         [--duration S] [--report FILE]
      Sends the frames of FRAMES (a capture; only those whose claimed sender is node N, if
      given) from a UDP socket bound to IP[:PORT], each to its captured destination, or to every
      --to address if given. Without --duration each frame is sent once; with it, the frames
      are sent in turn (cycling) for that long, one every --interval seconds. Writes the
      number of frames sent per destination as JSON to --report (or stdout).

Frames are sent as captured, byte for byte: a member's real frames with a valid tag. A node
must drop each one (stats.pulse.rx.dropped.replayed, or wrong_source when the bound address
is not the claimed sender's) and change nothing.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

MAGIC = b"PLSM"
TAG_SIZE = 32
# Frame header sizes by frame version: magic, version, cluster id (8); version 2 adds the
# sequence (incarnation and counter, 8 bytes each).
HEADER_SIZE = {1: 13, 2: 29}
TYPES = {1: "heartbeat", 2: "propose", 3: "ack", 4: "commit", 5: "nodeinfo"}
ETH_P_ALL = 0x0003


def parse(frame: bytes):
    """(message type name, claimed sender) of a frame, or None if it is not one."""
    if len(frame) < 5 or not frame.startswith(MAGIC) or frame[4] not in HEADER_SIZE:
        return None
    payload = frame[HEADER_SIZE[frame[4]]:-TAG_SIZE]
    if len(payload) < 6:
        return None
    return TYPES.get(payload[1], f"type{payload[1]}"), struct.unpack("<I", payload[2:6])[0]


def load(path: str):
    """[{at, src, dst, frame: bytes, type, sender}] of a capture file."""
    frames = []
    with open(path, encoding="ascii") as f:
        for line in f:
            record = json.loads(line)
            frame = bytes.fromhex(record["hex"])
            parsed = parse(frame)
            if parsed is None:
                continue
            frames.append(dict(record, frame=frame, type=parsed[0], sender=parsed[1]))
    return frames


def udp_datagram(packet: bytes):
    """(src, dst, payload) of an Ethernet frame holding an unfragmented IPv4 UDP datagram."""
    if len(packet) < 14 + 20 or packet[12:14] != b"\x08\x00":
        return None
    ip = packet[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 17 or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:  # not UDP, or a fragment
        return None
    sport, dport, length = struct.unpack("!HHH", ip[ihl:ihl + 6])
    payload = ip[ihl + 8:ihl + length]
    src = f"{socket.inet_ntoa(ip[12:16])}:{sport}"
    dst = f"{socket.inet_ntoa(ip[16:20])}:{dport}"
    return src, dst, sport, dport, payload


def capture(out_path: str, iface: str, port: int):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, ETH_P_ALL))
    print(f"capturing membership frames on {iface}", flush=True)
    with open(out_path, "a", encoding="ascii") as out:
        while True:
            packet, _ = sock.recvfrom(65535)
            datagram = udp_datagram(packet)
            if datagram is None:
                continue
            src, dst, sport, dport, payload = datagram
            if port not in (sport, dport) or not payload.startswith(MAGIC):
                continue
            out.write(json.dumps({"at": time.time(), "src": src, "dst": dst,
                                  "hex": payload.hex()}) + "\n")
            out.flush()


def endpoint(text: str, default_port: int):
    host, _, port = text.partition(":")
    return host, int(port or default_port)


def replay(args):
    frames = [f for f in load(args.frames) if args.sender is None or f["sender"] == args.sender]
    if not frames:
        sys.exit(f"replay: no frames of sender {args.sender} in {args.frames}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(endpoint(args.bind, 0))
    targets = [endpoint(t, 5405) for t in args.to] if args.to else None
    sent = {}

    def send(record):
        for target in targets or [endpoint(record["dst"], 5405)]:
            sock.sendto(record["frame"], target)
            key = f"{target[0]}:{target[1]}"
            sent[key] = sent.get(key, 0) + 1

    if args.duration is None:
        for record in frames:
            send(record)
    else:
        deadline = time.monotonic() + args.duration
        i = 0
        while time.monotonic() < deadline:
            send(frames[i % len(frames)])
            i += 1
            time.sleep(args.interval)
    text = json.dumps(sent)
    if args.report:
        with open(args.report + ".tmp", "w", encoding="ascii") as f:
            f.write(text)
        # Renamed into place: a reader polling for the file sees it whole.
        os.replace(args.report + ".tmp", args.report)
    else:
        print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("out")
    cap.add_argument("--iface", default="eth0")
    cap.add_argument("--port", type=int, default=5405)
    rep = sub.add_parser("replay")
    rep.add_argument("frames")
    rep.add_argument("--bind", required=True)
    rep.add_argument("--sender", type=int)
    rep.add_argument("--to", action="append", default=[])
    rep.add_argument("--interval", type=float, default=0.1)
    rep.add_argument("--duration", type=float)
    rep.add_argument("--report")
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.out, args.iface, args.port)
    else:
        replay(args)


if __name__ == "__main__":
    main()
