#!/usr/bin/env python3
"""bench/convergence_poll.py — the clock of one convergence_bench.sh run.

Run inside petreld's namespace (the metrics endpoint listens on its loopback).
The clock starts at the time stamp of petreld's log line "peer feeder
established" (ms; the line may be written before this process starts). It then
polls every --interval seconds, in one process (no fork per poll):
  (a) rib:      petrel_rib_prefixes == N                     (metrics endpoint)
  (b) kernel:   petrel_fib_installs_total >= N, petrel_fib_queue_depth == 0
  (c) receiver: "Routes: N imported" on the receiver BIRD's protocol `petrel`
Each time is taken just after the read that showed it. Every poll also sends the
feeder BIRD a `show status` (BIRD 2.0.12 sometimes leaves the tail of an export
queued until its event loop's 3 s poll timeout; a control command wakes it).
Prints one line: "A B C INTERVAL FIRST" (seconds; INTERVAL: mean time between
polls, FIRST: when the first poll read the metrics). Exit 1 with a reason
on stderr on timeout, a petreld that exits, or an unreadable answer.
"""
import argparse
import re
import socket
import sys
import time
import urllib.request


def bird_query(path, command):
    """One command on a BIRD control socket; the reply's text (codes stripped)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        f = s.makefile("rwb")
        f.readline()  # "0001 BIRD x.y ready."
        f.write(command.encode() + b"\n")
        f.flush()
        lines = []
        while True:
            line = f.readline()
            if not line:
                raise OSError(f"{path}: connection closed mid-reply")
            text = line.decode(errors="replace").rstrip("\n")
            lines.append(text[5:] if re.match(r"^\d{4}[ -]", text) else text[1:])
            if re.match(r"^\d{4} ", text):  # the reply's last line
                return "\n".join(lines)


def imported(path):
    m = re.search(r"Routes:\s+(\d+) imported", bird_query(path, "show protocols all petrel"))
    return int(m.group(1)) if m else 0


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--routes", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--receiver", required=True, help="receiver BIRD's control socket")
    p.add_argument("--feeder", required=True, help="feeder BIRD's control socket")
    p.add_argument("--metrics", default="http://127.0.0.1:9469/metrics")
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=600)
    a = p.parse_args()

    def alive():
        try:
            with open(f"/proc/{a.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except OSError:
            return False

    # The clock starts at the time petreld logged for the session (spdlog, local
    # time, ms): the line is often written before this process even started.
    pattern = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3}) info peer feeder established", re.M)
    give_up = time.time() + 30
    while True:
        try:
            with open(a.log, errors="replace") as f:
                m = pattern.search(f.read())
            if m:
                start = time.mktime(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")) + int(m.group(2)) / 1000
                break
        except OSError:
            pass
        if not alive():
            sys.exit("petreld exited before the feeder session came up")
        if time.time() > give_up:
            sys.exit("the feeder session did not come up within 30 s")
        time.sleep(0.01)
    deadline = start + a.timeout
    ta = tb = tc = None
    polls = 0
    rib = inst = queue = recv = None
    while ta is None or tb is None or tc is None:
        polls += 1
        try:
            with urllib.request.urlopen(a.metrics, timeout=5) as r:
                text = r.read().decode()
        except OSError as e:
            text = ""
            if not alive():
                sys.exit(f"petreld exited ({e})")
        t = time.time() - start
        if polls == 1:
            first = t
        rib = metric(text, "petrel_rib_prefixes")
        inst = metric(text, "petrel_fib_installs_total")
        queue = metric(text, "petrel_fib_queue_depth")
        if ta is None and rib == a.routes:
            ta = t
        if tb is None and inst is not None and queue is not None and inst >= a.routes and queue == 0:
            tb = t
        if tc is None:
            recv = imported(a.receiver)
            if recv == a.routes:
                tc = time.time() - start
        bird_query(a.feeder, "show status")
        if ta is not None and tb is not None and tc is not None:
            break
        if time.time() > deadline:
            sys.exit(f"not converged within {a.timeout:.0f} s (rib={rib} installs={inst} queue={queue} receiver={recv})")
        time.sleep(a.interval)
    last = time.time() - start
    print(f"{ta:.3f} {tb:.3f} {tc:.3f} {(last - first) / max(polls - 1, 1):.3f} {first:.3f}")


if __name__ == "__main__":
    main()
