#!/usr/bin/env python3
"""cluster.vip_checker_unit: the VIP checker's netlink parsing and its counting, on canned
input (no namespaces, no root). A checker that misreads a dump or miscounts a split brain would
let the namespace tests pass on a cluster that runs a VIP twice; these tests fail then."""
import os
import socket
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vip_checker as vc  # noqa: E402


def rtattr(kind, value: bytes) -> bytes:
    data = struct.pack("=HH", 4 + len(value), kind) + value
    return data + b"\0" * (-len(data) % 4)


def nlmsg(kind, payload: bytes, seq=1) -> bytes:
    data = vc.NLMSG_HDR.pack(vc.NLMSG_HDR.size + len(payload), kind, 2, seq, 0) + payload
    return data + b"\0" * (-len(data) % 4)


def newaddr(ip, family=socket.AF_INET, plen=24, label=b"eth0\0"):
    raw = socket.inet_aton(ip) if family == socket.AF_INET else socket.inet_pton(family, ip)
    body = struct.pack("=BBBBI", family, plen, 0, 0, 2)
    body += rtattr(vc.IFA_ADDRESS, raw) + rtattr(vc.IFA_LOCAL, raw) + rtattr(3, label)
    return nlmsg(vc.RTM_NEWADDR, body)


IP_OUTPUT = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 192.0.2.11/24 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet 198.51.100.10/24 brd 198.51.100.255 scope global secondary eth0\\       valid_lft forever preferred_lft forever
"""


class ParseTest(unittest.TestCase):
    def test_a_dump_lists_the_ipv4_addresses_and_ends_at_done(self):
        data = newaddr("127.0.0.1", plen=8) + newaddr("192.0.2.11") + \
            newaddr("198.51.100.10") + newaddr("fe80::1", family=socket.AF_INET6, plen=64) + \
            nlmsg(vc.NLMSG_DONE, struct.pack("=i", 0))
        addresses, done = vc.parse_addr_dump(data)
        self.assertEqual(addresses, ["127.0.0.1", "192.0.2.11", "198.51.100.10"])
        self.assertTrue(done)

    def test_a_dump_split_over_two_buffers_is_not_done_after_the_first(self):
        addresses, done = vc.parse_addr_dump(newaddr("198.51.100.10"))
        self.assertEqual(addresses, ["198.51.100.10"])
        self.assertFalse(done)

    def test_a_truncated_message_is_ignored_not_misread(self):
        data = newaddr("192.0.2.11") + newaddr("198.51.100.10")[:-6]
        self.assertEqual(vc.parse_addr_dump(data)[0], ["192.0.2.11"])

    def test_a_netlink_error_is_raised(self):
        with self.assertRaises(OSError):
            vc.parse_addr_dump(nlmsg(vc.NLMSG_ERROR, struct.pack("=i", -1) + b"\0" * 16))

    def test_ip_output_fallback(self):
        self.assertEqual(vc.parse_ip_addr_lines(IP_OUTPUT),
                         ["127.0.0.1", "192.0.2.11", "198.51.100.10"])


VIP, OTHER = "198.51.100.10", "198.51.100.11"


def sample(at, vip_holders, other_holders=(), answering=None, cost=0.001):
    return vc.Sample(at, {VIP: frozenset(vip_holders), OTHER: frozenset(other_holders)},
                     answering, cost)


class SummarizeTest(unittest.TestCase):
    def test_a_clean_move_has_no_split_brain_and_counts_the_gap_without_holder(self):
        samples = [sample(0.00, ["n1"], ["n3"]), sample(0.05, ["n1"], ["n3"]),
                   sample(0.10, [], ["n3"]), sample(0.15, [], ["n3"]),
                   sample(0.20, ["n2"], ["n3"])]
        r = vc.summarize(samples, [VIP, OTHER])
        self.assertEqual((r.samples, r.split_brain, r.unheld), (5, 0, 2))
        self.assertEqual(r.per_vip_unheld, {VIP: 2, OTHER: 0})
        self.assertEqual([(t, v, h) for t, v, h in r.timeline],
                         [(0.00, VIP, ("n1",)), (0.00, OTHER, ("n3",)), (0.10, VIP, ()),
                          (0.20, VIP, ("n2",))])
        self.assertAlmostEqual(r.max_gap, 0.05)
        self.assertIsNone(r.first_split)

    def test_two_holders_in_one_sample_count_as_split_brain(self):
        samples = [sample(0.0, ["n1"]), sample(0.05, ["n1", "n2"], ["n1", "n3"]),
                   sample(0.10, ["n2"])]
        r = vc.summarize(samples, [VIP, OTHER])
        self.assertEqual(r.split_brain, 1)  # one sample, although both VIPs were doubled
        self.assertEqual(r.first_split, (0.05, VIP, ("n1", "n2")))
        self.assertIn("two or more holders 1", r.text())

    def test_double_arp_answers_are_counted_apart_from_holders(self):
        samples = [sample(0.0, ["n1"], answering={VIP: frozenset(["n1", "n2"])}),
                   sample(0.05, ["n1"], answering={VIP: frozenset(["n1"])})]
        r = vc.summarize(samples, [VIP])
        self.assertEqual((r.split_brain, r.double_answer), (0, 1))

    def test_the_largest_gap_shows_a_stalled_sampler(self):
        samples = [sample(0.0, ["n1"]), sample(0.05, ["n1"]), sample(0.75, ["n1"])]
        self.assertAlmostEqual(vc.summarize(samples, [VIP]).max_gap, 0.70)

    def test_no_samples(self):
        r = vc.summarize([], [VIP])
        self.assertEqual((r.samples, r.split_brain, r.max_gap), (0, 0, 0.0))


if __name__ == "__main__":
    unittest.main(verbosity=2)
