#!/usr/bin/env python3
"""tests/bfd/bfd_peer.py: a scripted single-hop BFD peer (RFC 5880/5881) for
what BIRD cannot be made to do: it sends the C bit (control plane independent)
when asked. Asynchronous mode only, fixed 100 ms intervals, no slow start.

    bfd_peer.py --local 10.11.0.2 --peer 10.11.0.1 [--cbit]

Runs until killed; prints one line per state change.
"""
import argparse
import random
import select
import socket
import struct
import time

DOWN, INIT, UP, ADMIN_DOWN = 1, 2, 3, 0
NAMES = {0: "AdminDown", 1: "Down", 2: "Init", 3: "Up"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--cbit", action="store_true")
    ap.add_argument("--interval-ms", type=int, default=100)
    ap.add_argument("--mult", type=int, default=3)
    a = ap.parse_args()

    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind((a.local, 3784))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)  # RFC 5881 section 5
    tx.bind((a.local, 49999))

    interval = a.interval_ms / 1000.0
    my = random.randint(1, 2**32 - 1)
    your = 0
    state = DOWN
    last_rx = None
    detect = a.mult * interval
    next_tx = time.monotonic()

    def send(final=False):
        flags = (state << 6) | (0x10 if final else 0) | (0x08 if a.cbit else 0)
        us = int(interval * 1e6)
        tx.sendto(struct.pack(">BBBBIIIII", 0x20, flags, a.mult, 24, my, your, us, us, 0), (a.peer, 3784))

    def set_state(s):
        nonlocal state
        if s != state:
            print(f"state {NAMES[state]} -> {NAMES[s]}", flush=True)
            state = s

    while True:
        now = time.monotonic()
        r, _, _ = select.select([rx], [], [], max(0.0, next_tx - now))
        now = time.monotonic()
        if r:
            data, _ = rx.recvfrom(512)
            if len(data) < 24:
                continue
            b0, flags, mult, _, their, to, their_tx, _, _ = struct.unpack(">BBBBIIIII", data[:24])
            if b0 >> 5 != 1 or mult == 0 or their == 0 or (to != 0 and to != my):
                continue
            your = their
            last_rx = now
            detect = mult * max(interval, their_tx / 1e6)
            theirs = flags >> 6
            if theirs == ADMIN_DOWN:
                set_state(DOWN)
            elif state == DOWN:
                set_state(INIT if theirs == DOWN else UP if theirs == INIT else DOWN)
            elif state == INIT and theirs in (INIT, UP):
                set_state(UP)
            elif state == UP and theirs == DOWN:
                set_state(DOWN)
            if flags & 0x20:  # Poll: answer with Final at once (RFC 5880 section 6.5)
                send(final=True)
        if last_rx is not None and state in (INIT, UP) and now - last_rx > detect:
            set_state(DOWN)
            your = 0
        if now >= next_tx:
            send()
            next_tx = now + interval * random.uniform(0.75, 1.0)


if __name__ == "__main__":
    main()
