#!/usr/bin/env python3
"""petrel-traffic: UDP at a fixed rate, counted at both ends (the hitless-restart tests).

    petrel_traffic.py recv --bind ADDR:PORT --out FILE
    petrel_traffic.py send --to ADDR:PORT --rate PPS --out FILE [--flow ID] [--bind ADDR]

The sender numbers its datagrams 0, 1, 2, ... and sends them on an absolute schedule
(packet n leaves at start + n / rate; a late sender catches up in a burst instead of
drifting). The receiver counts, per flow:
  received     distinct sequence numbers that arrived
  duplicates   datagrams whose sequence number had arrived before
  reordered    datagrams older than the highest number seen so far (late, not lost)
  gaps         holes in the sequence numbers, and the longest one (packets, seconds)
Both run until SIGTERM or SIGINT (or --duration seconds), then write one summary line
of key=value pairs to --out (and stdout). `compare SENDER_FILE RECEIVER_FILE` prints
`flow=... sent=N received=N lost=N duplicates=N reordered=N longest_gap_packets=N
longest_gap_seconds=S` and exits 0 if nothing was lost, 1 if something was, 2 if the
files do not fit together (another flow, a missing summary).

Datagram: magic "PTRF", flow id (u32), sequence (u64), send time (f64, monotonic
clock of the sender; only differences on the same clock are used); 64 bytes in all.
Datagrams with another magic or flow are counted as foreign and otherwise ignored.
Bad command-line input gives a usage message and exit status 2, never a traceback.
"""

import argparse
import os
import signal
import socket
import struct
import sys
import time

MAGIC = b"PTRF"
HEADER = struct.Struct("!4sIQd")
SIZE = 64


def address(text):
    """'ADDR:PORT' or '[V6]:PORT' -> (family, (addr, port))."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}': expected ADDR:PORT")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        socket.inet_pton(family, host)
    except OSError:
        raise argparse.ArgumentTypeError(f"'{host}': not an IP address") from None
    return family, (host, int(port))


def positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}': not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"'{text}': must be > 0")
        return value
    return parse


class Stop:
    """Set by SIGTERM/SIGINT; the loops check it between packets."""
    def __init__(self):
        self.now = False
        signal.signal(signal.SIGTERM, self.set)
        signal.signal(signal.SIGINT, self.set)

    def set(self, *_):
        self.now = True


def write_summary(path, fields):
    line = " ".join(f"{k}={v}" for k, v in fields.items())
    print(line, flush=True)
    if path:
        with open(path + ".tmp", "w") as f:
            f.write(line + "\n")
        os.replace(path + ".tmp", path)   # the reader never sees half a line


def send(args):
    family, dest = args.to
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if args.bind:
        sock.bind((args.bind, 0))
    stop = Stop()
    buf = bytearray(SIZE)
    start = time.monotonic()
    end = start + args.duration if args.duration else None
    sent = errors = 0
    while not stop.now:
        now = time.monotonic()
        if end is not None and now >= end:
            break
        due = int((now - start) * args.rate) + 1
        while sent < due and not stop.now:
            HEADER.pack_into(buf, 0, MAGIC, args.flow, sent, time.monotonic())
            try:
                sock.sendto(buf, dest)
            except OSError:
                # No route (ENETUNREACH) or an ICMP error reported back: the packet
                # is gone, which the receiver counts as a gap. It was still sent.
                errors += 1
            sent += 1
        # Packet n is due at start + n / rate: sleep until the next one.
        time.sleep(max(0.0, start + sent / args.rate - time.monotonic()))
    elapsed = time.monotonic() - start
    write_summary(args.out, {"role": "send", "flow": args.flow, "sent": sent, "send_errors": errors,
                             "seconds": f"{elapsed:.3f}", "rate": f"{sent / elapsed if elapsed else 0:.0f}"})
    return 0


class FlowCount:
    def __init__(self):
        self.seen = set()
        self.highest = -1
        self.highest_time = None
        self.duplicates = 0
        self.reordered = 0
        self.gaps = 0
        self.longest_gap = 0
        self.longest_gap_seconds = 0.0

    def add(self, seq, sent_at):
        if seq in self.seen:
            self.duplicates += 1
            return
        self.seen.add(seq)
        if seq < self.highest:
            self.reordered += 1
            return
        if seq > self.highest + 1:
            # A hole: what was sent between the last number seen and this one (so far).
            self.gaps += 1
            missing = seq - self.highest - 1
            if missing > self.longest_gap:
                self.longest_gap = missing
                if self.highest_time is not None:
                    self.longest_gap_seconds = sent_at - self.highest_time
        self.highest = seq
        self.highest_time = sent_at


def recv(args):
    family, local = args.bind
    sock = socket.socket(family, socket.SOCK_DGRAM)
    # Room for a few seconds of traffic if the receiver is not scheduled for a while:
    # a full socket buffer would drop packets the network delivered.
    for opt in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if opt is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, 16 << 20)
            break
        except OSError:
            continue
    sock.bind(local)
    sock.settimeout(0.2)
    stop = Stop()
    flows = {}
    foreign = 0
    end = time.monotonic() + args.duration if args.duration else None
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("ready\n")
    while not stop.now and (end is None or time.monotonic() < end):
        try:
            data = sock.recv(2048)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(data) < HEADER.size:
            foreign += 1
            continue
        magic, flow, seq, sent_at = HEADER.unpack_from(data)
        if magic != MAGIC or (args.flow is not None and flow != args.flow):
            foreign += 1
            continue
        flows.setdefault(flow, FlowCount()).add(seq, sent_at)
    # What is still queued arrived before the stop: count it too.
    sock.setblocking(False)
    while True:
        try:
            data = sock.recv(2048)
        except (BlockingIOError, InterruptedError):
            break
        if len(data) >= HEADER.size:
            magic, flow, seq, sent_at = HEADER.unpack_from(data)
            if magic == MAGIC and (args.flow is None or flow == args.flow):
                flows.setdefault(flow, FlowCount()).add(seq, sent_at)
                continue
        foreign += 1
    if args.flow is not None:
        flows.setdefault(args.flow, FlowCount())
    if len(flows) != 1:
        print(f"petrel-traffic recv: {len(flows)} flows arrived (expected 1; use --flow)", file=sys.stderr)
    flow, c = next(iter(flows.items())) if flows else (0, FlowCount())
    write_summary(args.out, {"role": "recv", "flow": flow, "received": len(c.seen), "highest": c.highest,
                             "duplicates": c.duplicates, "reordered": c.reordered, "gaps": c.gaps,
                             "longest_gap_packets": c.longest_gap,
                             "longest_gap_seconds": f"{c.longest_gap_seconds:.3f}", "foreign": foreign})
    return 0


def read_summary(path):
    try:
        with open(path) as f:
            line = f.readline()
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror}") from None
    fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if "role" not in fields:
        raise ValueError(f"{path}: no summary line")
    return fields


def compare(args):
    try:
        s, r = read_summary(args.sender), read_summary(args.receiver)
        if s["role"] != "send" or r["role"] != "recv":
            raise ValueError("expected a sender's summary, then a receiver's")
        if s["flow"] != r["flow"] and int(r["received"]) > 0:
            raise ValueError(f"flow {s['flow']} was sent, flow {r['flow']} received")
        sent, received = int(s["sent"]), int(r["received"])
    except (ValueError, KeyError) as e:
        print(f"petrel-traffic compare: {e}", file=sys.stderr)
        return 2
    lost = sent - received
    print(f"flow={s['flow']} sent={sent} received={received} lost={lost} duplicates={r['duplicates']} "
          f"reordered={r['reordered']} longest_gap_packets={r['longest_gap_packets']} "
          f"longest_gap_seconds={r['longest_gap_seconds']} rate={s['rate']}")
    return 0 if lost == 0 else 1


def main(argv):
    p = argparse.ArgumentParser(prog="petrel-traffic", description="UDP at a fixed rate, counted at both ends")
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send")
    ps.add_argument("--to", type=address, required=True)
    ps.add_argument("--rate", type=positive(float), default=2000.0, help="packets per second")
    ps.add_argument("--flow", type=int, default=1)
    ps.add_argument("--bind", help="source address")
    ps.add_argument("--duration", type=positive(float))
    ps.add_argument("--out")
    pr = sub.add_parser("recv")
    pr.add_argument("--bind", type=address, required=True)
    pr.add_argument("--flow", type=int)
    pr.add_argument("--duration", type=positive(float))
    pr.add_argument("--ready", help="file written once the socket is bound")
    pr.add_argument("--out")
    pc = sub.add_parser("compare")
    pc.add_argument("sender")
    pc.add_argument("receiver")
    args = p.parse_args(argv)
    return {"send": send, "recv": recv, "compare": compare}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
