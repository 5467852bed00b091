#!/usr/bin/env python3
"""Sends membership frames forged without the cluster key (tests only).

Each frame is well formed in every respect but its HMAC tag: magic "PLSM", frame version 2, the
cluster id of CLUSTER_NAME (first 8 bytes of SHA-256 of the name, which is not a secret), a
sequence (incarnation, counter) newer than any real one, a valid core message claiming to come
from a real member, and a tag made with a random key. A node must drop every one of them
(counted as bad_tag) and change nothing.

usage: forge_packet.py CLUSTER_NAME CLAIMED_SENDER ADDR[:PORT]... [--count N]
Sends N (default 10) heartbeats announcing a new incarnation and N commits of a view holding
only CLAIMED_SENDER with a huge ring seq, to every ADDR (port 5405 unless given).
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct

WIRE_VERSION = 1
FRAME_VERSION = 2
HEARTBEAT, COMMIT = 1, 4


def frame(cluster_name: str, payload: bytes, counter: int) -> bytes:
    # magic | frame version | cluster id | u64 incarnation | u64 counter | payload | tag
    header = (b"PLSM" + bytes([FRAME_VERSION]) + hashlib.sha256(cluster_name.encode()).digest()[:8]
              + struct.pack("<QQ", (1 << 63) - 1, counter))
    tag = hmac.new(os.urandom(32), header + payload, hashlib.sha256).digest()
    return header + payload + tag


def heartbeat(sender: int, incarnation: int) -> bytes:
    # u8 version | u8 type | u32 sender | u64 incarnation | u64 max_seq | u64 ring.seq | u32 rep
    return struct.pack("<BBIQQQI", WIRE_VERSION, HEARTBEAT, sender, incarnation, 1 << 40, 0, 0)


def commit(sender: int) -> bytes:
    # u8 version | u8 type | u32 sender | u64 ring.seq | u32 ring.rep | u16 count | u32 member
    return struct.pack("<BBIQIHI", WIRE_VERSION, COMMIT, sender, 1 << 40, sender, 1, sender)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cluster_name")
    parser.add_argument("sender", type=int)
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for target in args.targets:
        host, _, port = target.partition(":")
        for i in range(args.count):
            for payload in (heartbeat(args.sender, 1000 + i), commit(args.sender)):
                sock.sendto(frame(args.cluster_name, payload, sent + 1),
                            (host, int(port or 5405)))
                sent += 1
    print(f"sent {sent} forged frames")


if __name__ == "__main__":
    main()
