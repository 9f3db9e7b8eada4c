#!/usr/bin/env python3
"""Tests of tests/tools/petrel_traffic.py: the receiver's counting (gaps, duplicates,
reordering) on hand-made sequences, `compare` on summary files, and one real run
over 127.0.0.1 (no root, no namespaces)."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import petrel_traffic as pt  # noqa: E402

TOOL = os.path.join(HERE, "petrel_traffic.py")


def counted(seqs, spacing=0.001):
    c = pt.FlowCount()
    for s in seqs:
        c.add(s, s * spacing)
    return c


class FlowCountTest(unittest.TestCase):
    def test_in_order(self):
        c = counted(range(100))
        self.assertEqual((len(c.seen), c.gaps, c.duplicates, c.reordered), (100, 0, 0, 0))

    def test_gap_is_counted_with_its_length_and_duration(self):
        c = counted(list(range(10)) + list(range(15, 20)) + list(range(40, 50)))
        self.assertEqual(len(c.seen), 25)
        self.assertEqual(c.gaps, 2)
        self.assertEqual(c.longest_gap, 20)                       # 20..39
        self.assertAlmostEqual(c.longest_gap_seconds, 0.021)      # sent 19 -> sent 40

    def test_duplicates_and_late_packets(self):
        c = counted([0, 1, 3, 2, 3, 4, 1])
        self.assertEqual(len(c.seen), 5)
        self.assertEqual(c.duplicates, 2)
        self.assertEqual(c.reordered, 1)   # 2 arrived after 3


class CompareTest(unittest.TestCase):
    def run_compare(self, send, recv):
        with tempfile.TemporaryDirectory() as d:
            s, r = os.path.join(d, "s"), os.path.join(d, "r")
            with open(s, "w") as f:
                f.write(send + "\n")
            with open(r, "w") as f:
                f.write(recv + "\n")
            p = subprocess.run([sys.executable, TOOL, "compare", s, r], capture_output=True, text=True)
            return p.returncode, p.stdout + p.stderr

    RECV = ("role=recv flow=1 received={} highest=99 duplicates=0 reordered=0 gaps=1 "
            "longest_gap_packets=10 longest_gap_seconds=0.005 foreign=0")

    def test_nothing_lost(self):
        rc, out = self.run_compare("role=send flow=1 sent=100 send_errors=0 seconds=1 rate=100", self.RECV.format(100))
        self.assertEqual(rc, 0, out)
        self.assertIn("lost=0", out)

    def test_loss_fails(self):
        rc, out = self.run_compare("role=send flow=1 sent=100 send_errors=0 seconds=1 rate=100", self.RECV.format(90))
        self.assertEqual(rc, 1, out)
        self.assertIn("lost=10", out)

    def test_files_that_do_not_fit(self):
        rc, out = self.run_compare("role=recv flow=1", self.RECV.format(90))
        self.assertEqual(rc, 2, out)
        rc, out = self.run_compare("garbage", self.RECV.format(90))
        self.assertEqual(rc, 2, out)
        self.assertIn("no summary line", out)


class LoopbackTest(unittest.TestCase):
    def test_both_ends_count_the_same(self):
        with tempfile.TemporaryDirectory() as d:
            port = 20000 + os.getpid() % 20000
            ready = os.path.join(d, "ready")
            recv = subprocess.Popen([sys.executable, TOOL, "recv", "--bind", f"127.0.0.1:{port}", "--flow", "3",
                                     "--out", os.path.join(d, "r"), "--ready", ready], stdout=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    if os.path.exists(ready):
                        break
                    time.sleep(0.05)
                send = subprocess.run([sys.executable, TOOL, "send", "--to", f"127.0.0.1:{port}", "--rate", "2000",
                                       "--duration", "1", "--flow", "3", "--out", os.path.join(d, "s")],
                                      capture_output=True, text=True)
                self.assertEqual(send.returncode, 0, send.stderr)
                time.sleep(0.3)
            finally:
                recv.terminate()
                recv.wait(timeout=5)
            p = subprocess.run([sys.executable, TOOL, "compare", os.path.join(d, "s"), os.path.join(d, "r")],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            fields = dict(kv.split("=") for kv in p.stdout.split())
            self.assertGreaterEqual(int(fields["sent"]), 1900)   # the fixed rate was kept
            self.assertEqual(fields["sent"], fields["received"])

    def test_bad_command_line_is_a_usage_error(self):
        for args in (["send", "--to", "10.0.0.1"], ["send", "--to", "nohost:80"], ["send", "--to", "1.2.3.4:5", "--rate", "0"],
                     ["recv", "--bind", "1.2.3.4:99999"]):
            p = subprocess.run([sys.executable, TOOL] + args, capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, args)
            self.assertNotIn("Traceback", p.stderr)


if __name__ == "__main__":
    unittest.main()
