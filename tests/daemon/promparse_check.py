#!/usr/bin/python3
"""Parses a metrics text file with the Prometheus Python client's own parser of
the text format 0.0.4 (python3-prometheus-client), an implementation
independent of Petrel's renderer and of the checker in exposition_check.hpp.

    promparse_check.py FILE

Fails when the parser rejects the text, when a sample's family is not typed as
Petrel says (counters for *_total, gauges for the rest), or when a metric listed
in daemon/README.md is missing. Exit 77 (skipped) without the module, unless CI
is set.
"""
import os
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("python3-prometheus-client is not installed", file=sys.stderr)
    sys.exit(1 if os.environ.get("CI") else 77)

EXPECTED = """
petrel_build_info petrel_start_time_seconds
petrel_bgp_peer_up petrel_bgp_peer_state petrel_bgp_peer_uptime_seconds
petrel_bgp_peer_flaps_total
petrel_bgp_peer_messages_received_total petrel_bgp_peer_messages_sent_total
petrel_bgp_peer_updates_received_total petrel_bgp_peer_updates_sent_total
petrel_bgp_peer_prefixes_received petrel_bgp_peer_prefixes_accepted
petrel_bgp_peer_prefixes_advertised
petrel_rib_prefixes petrel_rib_paths petrel_rib_attribute_sets petrel_rib_memory_bytes
petrel_fib_enabled petrel_fib_installs_total petrel_fib_removes_total
petrel_fib_failures_total petrel_fib_retries_total petrel_fib_queue_depth petrel_fib_routes
""".split()


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    seen = set()
    samples = 0
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                samples += 1
                seen.add(s.name)
                want = "counter" if s.name.endswith("_total") else "gauge"
                if family.type != want:
                    print(f"{s.name}: type {family.type}, expected {want}", file=sys.stderr)
                    return 1
    except ValueError as e:
        print(f"the parser rejected the text: {e}", file=sys.stderr)
        return 1
    missing = [m for m in EXPECTED if m not in seen]
    if missing:
        print(f"missing metrics: {' '.join(missing)}", file=sys.stderr)
        return 1
    print(f"ok: {len(seen)} metrics, {samples} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
