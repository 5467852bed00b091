#!/usr/bin/env python3
"""VIP checker: who holds each virtual IP, sampled every 50 ms while a test runs (python3
standard library only).

The checker's one job is to see a split brain if there is one: a VIP configured on two node
namespaces at the same instant. A background thread samples, every `interval` seconds, which
namespaces have each VIP on an interface, with one netlink RTM_GETADDR dump per namespace (a
socket opened once inside each namespace; a sample of 3-5 nodes costs well under a
millisecond, see `sample_cost` in the report). Optionally it also asks from a client namespace
who answers ARP for each VIP (one request per VIP, replies mapped to nodes by MAC address), which
is what a client on the LAN would see.

Invariants: samples are in time order; each records the full holder set of every VIP (an
empty set when nobody holds it), so "two holders" can only be missed between samples, and the
largest gap between samples is reported for that reason. A namespace that disappears (power-off
does not remove it; the harness's `down` does) counts as holding nothing.

    with VipChecker({"n1": "P-n1", ...}, ["198.51.100.10"], client="P-n4") as checker:
        ...                                        # scenario
    report = checker.report()                      # Report: counts, timeline, gaps
    print(report.text())

Run as a program it samples a harness run for some seconds and prints the report:
    vip_checker.py --prefix pulse-x --nodes 3 --vip 198.51.100.10 --seconds 5 [--arp-from 4]
"""
import argparse
import ctypes
import os
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field

CLONE_NEWNET = 0x40000000
RTM_NEWADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWLINK = 20, 22, 18, 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFLA_ADDRESS, IFLA_IFNAME = 1, 3
NLMSG_HDR = struct.Struct("=IHHII")


# --- pure parsing and counting (unit-tested with canned input) -------------------------------

def _attributes(data: bytes, offset: int, end: int):
    """Yields (type, payload) of the rtattrs in data[offset:end]."""
    while offset + 4 <= end:
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4 or offset + length > end:
            return
        yield kind, data[offset + 4:offset + length]
        offset += (length + 3) & ~3


def _messages(data: bytes):
    """Yields (type, payload) of the netlink messages in one recv buffer."""
    offset = 0
    while offset + NLMSG_HDR.size <= len(data):
        length, kind, _, _, _ = NLMSG_HDR.unpack_from(data, offset)
        if length < NLMSG_HDR.size or offset + length > len(data):
            return
        yield kind, data[offset + NLMSG_HDR.size:offset + length]
        offset += (length + 3) & ~3


def parse_addr_dump(data: bytes):
    """One recv buffer of an RTM_GETADDR dump -> (IPv4 addresses, dump finished?). An error
    message raises OSError with its errno."""
    addresses, done = [], False
    for kind, payload in _messages(data):
        if kind == NLMSG_DONE:
            done = True
        elif kind == NLMSG_ERROR:
            errno = -struct.unpack_from("=i", payload, 0)[0]
            if errno:
                raise OSError(errno, f"netlink address dump: {os.strerror(errno)}")
        elif kind == RTM_NEWADDR and len(payload) >= 8 and payload[0] == socket.AF_INET:
            local = address = None
            for attr, value in _attributes(payload, 8, len(payload)):
                if attr == IFA_LOCAL and len(value) == 4:
                    local = socket.inet_ntoa(value)
                elif attr == IFA_ADDRESS and len(value) == 4:
                    address = socket.inet_ntoa(value)
            if local or address:
                addresses.append(local or address)
    return addresses, done


def parse_ip_addr_lines(text: str):
    """`ip -o -4 addr show` output -> IPv4 addresses (the fallback and the cross-check)."""
    out = []
    for line in text.splitlines():
        words = line.split()
        if "inet" in words and words.index("inet") + 1 < len(words):
            out.append(words[words.index("inet") + 1].split("/")[0])
    return out


@dataclass
class Sample:
    at: float                      # time.time() when the sample started
    holders: dict                  # vip -> frozenset of node names with the address configured
    answering: dict = None         # vip -> frozenset of node names that answered ARP (optional)
    cost: float = 0.0              # seconds the holder dumps took (the ARP wait excluded)


@dataclass
class Report:
    samples: int
    split_brain: int               # samples where some VIP was held by two or more nodes
    unheld: int                    # samples where some VIP was held by no node
    double_answer: int             # samples where two or more nodes answered ARP for a VIP
    timeline: list                 # (time, vip, sorted holders) at every change, first included
    max_gap: float                 # largest time between two consecutive samples
    max_cost: float
    mean_cost: float
    first_split: tuple = None      # (time, vip, holders) of the first split-brain sample
    per_vip_unheld: dict = field(default_factory=dict)

    def text(self, since: float = None) -> str:
        t0 = since if since is not None else (self.timeline[0][0] if self.timeline else 0.0)
        lines = [f"samples {self.samples}, two or more holders {self.split_brain}, "
                 f"no holder {self.unheld}, two or more ARP answers {self.double_answer}, "
                 f"largest gap {self.max_gap * 1000:.0f} ms, sample cost max "
                 f"{self.max_cost * 1000:.1f} ms mean {self.mean_cost * 1000:.2f} ms"]
        for at, vip, holders in self.timeline:
            lines.append(f"  {at - t0:+8.3f} s  {vip}: {' '.join(holders) or '-'}")
        return "\n".join(lines)


def summarize(samples, vips) -> Report:
    """Counts over samples (in time order) for the given VIPs."""
    split = unheld = double = 0
    timeline, last, first_split = [], {}, None
    per_vip_unheld = {vip: 0 for vip in vips}
    for s in samples:
        any_split = any_unheld = any_double = False
        for vip in vips:
            holders = tuple(sorted(s.holders.get(vip, ())))
            if len(holders) >= 2:
                any_split = True
                if first_split is None:
                    first_split = (s.at, vip, holders)
            if not holders:
                any_unheld = True
                per_vip_unheld[vip] += 1
            if s.answering is not None and len(s.answering.get(vip, ())) >= 2:
                any_double = True
            if last.get(vip) != holders:
                timeline.append((s.at, vip, holders))
                last[vip] = holders
        split += any_split
        unheld += any_unheld
        double += any_double
    gaps = [b.at - a.at for a, b in zip(samples, samples[1:])]
    costs = [s.cost for s in samples]
    return Report(samples=len(samples), split_brain=split, unheld=unheld, double_answer=double,
                  timeline=timeline, max_gap=max(gaps, default=0.0),
                  max_cost=max(costs, default=0.0),
                  mean_cost=sum(costs) / len(costs) if costs else 0.0,
                  first_split=first_split, per_vip_unheld=per_vip_unheld)


# --- namespaces and sockets ----------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def socket_in_namespace(namespace: str, factory):
    """factory() called with the calling thread inside /run/netns/NAMESPACE: a socket stays in
    the namespace it was made in. The thread is moved back before returning."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            return factory()
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


class AddressDumper:
    """One NETLINK_ROUTE socket in one namespace; addresses() = its IPv4 addresses now."""

    def __init__(self, namespace: str):
        self.namespace = namespace
        self.sock = socket_in_namespace(
            namespace, lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
        self.sock.bind((0, 0))
        self.sock.settimeout(1.0)
        self.seq = 0

    def _dump(self, msg_type: int, family: int):
        self.seq += 1
        body = struct.pack("=BBBBI", family, 0, 0, 0, 0) if msg_type == RTM_GETADDR else \
            struct.pack("=BBHiII", family, 0, 0, 0, 0, 0)
        self.sock.send(NLMSG_HDR.pack(NLMSG_HDR.size + len(body), msg_type,
                                      NLM_F_REQUEST | NLM_F_DUMP, self.seq, 0) + body)
        while True:
            data = self.sock.recv(65536)
            yield data
            if any(kind in (NLMSG_DONE, NLMSG_ERROR) for kind, _ in _messages(data)):
                return

    def addresses(self):
        out = []
        for data in self._dump(RTM_GETADDR, socket.AF_INET):
            found, _ = parse_addr_dump(data)
            out += found
        return out

    def mac(self, ifname: str = "eth0") -> bytes:
        found = None
        for data in self._dump(RTM_GETLINK, socket.AF_UNSPEC):  # read to the end of the dump
            for kind, payload in _messages(data):
                if kind != RTM_NEWLINK:
                    continue
                attrs = dict(_attributes(payload, 16, len(payload)))
                if attrs.get(IFLA_IFNAME, b"").rstrip(b"\0").decode() == ifname:
                    found = attrs.get(IFLA_ADDRESS)
        return found

    def close(self):
        self.sock.close()


class ArpAsker:
    """An AF_PACKET socket on the client namespace's eth0: who answers ARP for an address."""

    def __init__(self, namespace: str, ifname: str = "eth0"):
        self.sock = socket_in_namespace(
            namespace, lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                             socket.htons(0x0806)))
        self.sock.bind((ifname, 0x0806))
        self.sock.setblocking(False)
        self.mac = self.sock.getsockname()[4]
        dumper = AddressDumper(namespace)
        try:
            own = [a for a in dumper.addresses() if not a.startswith("127.")]
        finally:
            dumper.close()
        self.ip = socket.inet_aton(own[0]) if own else b"\0\0\0\0"

    def ask(self, vips, wait: float):
        """Sends one ARP request per VIP; returns {vip: set of answering MACs} after `wait` s."""
        answers = {vip: set() for vip in vips}
        try:
            while self.sock.recv(2048):  # drop stale replies
                pass
        except BlockingIOError:
            pass
        for vip in vips:
            arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + self.mac + self.ip + b"\0" * 6 + \
                socket.inet_aton(vip)
            self.sock.send(b"\xff" * 6 + self.mac + struct.pack("!H", 0x0806) + arp)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                frame = self.sock.recv(2048)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            if len(frame) < 42 or struct.unpack_from("!H", frame, 20)[0] != 2:
                continue
            sender_ip = socket.inet_ntoa(frame[28:32])
            if sender_ip in answers:
                answers[sender_ip].add(bytes(frame[22:28]))
        return answers

    def close(self):
        self.sock.close()


# --- the checker -------------------------------------------------------------------------------

class VipChecker:
    """Samples VIP holders in a background thread until stop(). nodes: {node name: namespace};
    client: a namespace to ask ARP from (None: holders only)."""

    def __init__(self, nodes: dict, vips, interval: float = 0.05, client: str = None,
                 arp_wait: float = 0.01):
        self.nodes = dict(nodes)
        self.vips = list(vips)
        self.interval = interval
        self.client = client
        self.arp_wait = arp_wait
        self.samples = []
        self.error = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name="vip-checker", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self.error:
            raise self.error
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(10)
        return self.report()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def mark(self) -> float:
        """A time to pass to report(since=...) to count only what follows."""
        return time.time()

    def report(self, since: float = None, until: float = None) -> Report:
        with self._lock:
            samples = [s for s in self.samples if (since is None or s.at >= since)
                       and (until is None or s.at <= until)]
        return summarize(samples, self.vips)

    def holders_now(self, vip: str):
        with self._lock:
            return set(self.samples[-1].holders.get(vip, ())) if self.samples else set()

    def _run(self):
        dumpers, macs, asker = {}, {}, None
        try:
            for node, ns in self.nodes.items():
                dumpers[node] = AddressDumper(ns)
                macs[dumpers[node].mac()] = node
            if self.client:
                asker = ArpAsker(self.client)
        except OSError as e:
            self.error = e
            self._ready.set()
            return
        self._ready.set()
        next_at = time.monotonic()
        while not self._stop.is_set():
            at, t0 = time.time(), time.monotonic()
            holders = {vip: set() for vip in self.vips}
            for node, dumper in dumpers.items():
                try:
                    present = set(dumper.addresses())
                except OSError:
                    present = set()  # the namespace is gone: it holds nothing
                for vip in self.vips:
                    if vip in present:
                        holders[vip].add(node)
            cost = time.monotonic() - t0
            answering = None
            if asker:
                answers = asker.ask(self.vips, self.arp_wait)
                answering = {vip: frozenset(macs.get(m, m.hex(":")) for m in found)
                             for vip, found in answers.items()}
            sample = Sample(at, {v: frozenset(h) for v, h in holders.items()}, answering, cost)
            with self._lock:
                self.samples.append(sample)
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay < 0:
                next_at = time.monotonic()
            self._stop.wait(max(0.0, delay))
        for dumper in dumpers.values():
            dumper.close()
        if asker:
            asker.close()


def main() -> int:
    ap = argparse.ArgumentParser(description="Samples VIP holders of a netns_cluster.sh run.")
    ap.add_argument("--prefix", default=os.environ.get("PULSE_NETNS_PREFIX"), required=False)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--vip", action="append", required=True)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--arp-from", type=int, help="node index of a client namespace asking ARP")
    args = ap.parse_args()
    if not args.prefix:
        ap.error("give --prefix or set PULSE_NETNS_PREFIX")
    nodes = {f"n{i}": f"{args.prefix}-n{i}" for i in range(1, args.nodes + 1)}
    client = f"{args.prefix}-n{args.arp_from}" if args.arp_from else None
    try:
        checker = VipChecker(nodes, args.vip, args.interval, client).start()
    except OSError as e:
        print(f"vip_checker: cannot open the namespaces: {e}", file=sys.stderr)
        return 1
    time.sleep(args.seconds)
    report = checker.stop()
    print(report.text())
    return 1 if report.split_brain else 0


if __name__ == "__main__":
    sys.exit(main())
