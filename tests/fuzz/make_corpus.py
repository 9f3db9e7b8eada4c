#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: tests/fuzz/corpus/<target>/.

    python3 tests/fuzz/make_corpus.py

Every seed is built here byte by byte from the RFCs' wire formats, not with Petrel's
encoders, so that a bug in an encoder cannot shape the seeds. Output is deterministic;
the directories are emptied and rewritten. Input formats (see the targets' sources):

    framer/  [context flags] [chunking seed] [a stream of whole messages]
    open/    the body of an OPEN (after the 19-byte header)
    update/  [context flags] [the body of an UPDATE]
    nlri/    an NLRI field

Context flags (tests/fuzz/fuzz_checks.hpp): 0x01 2-octet AS, 0x02 ADD-PATH IPv4,
0x04 ADD-PATH IPv6, 0x08 extended messages, 0x10 IPv4 with IPv6 next hop,
0x20 external peer.
"""

import ipaddress
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

TWO_OCTET_AS = 0x01
ADD_PATH_V4 = 0x02
ADD_PATH_V6 = 0x04
EXTENDED = 0x08
V4_OVER_V6 = 0x10
EXTERNAL = 0x20


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def v4(text):
    return ipaddress.IPv4Address(text).packed


def v6(text):
    return ipaddress.IPv6Address(text).packed


# --- messages (RFC 4271 §4) ------------------------------------------------

def message(msg_type, body):
    return b"\xff" * 16 + u16(19 + len(body)) + u8(msg_type) + body


def keepalive():
    return message(4, b"")


def notification(code, subcode, data=b""):
    return message(3, u8(code) + u8(subcode) + data)


def route_refresh(afi, safi, subtype=0):
    return message(5, u16(afi) + u8(subtype) + u8(safi))


# --- OPEN and capabilities (RFC 4271 §4.2, RFC 5492, RFC 9072) -------------

def cap(code, value=b""):
    return u8(code) + u8(len(value)) + value


def cap_mp(afi, safi):
    return cap(1, u16(afi) + u8(0) + u8(safi))


def cap_as4(asn):
    return cap(65, u32(asn))


def cap_add_path(*families):
    return cap(69, b"".join(u16(a) + u8(s) + u8(m) for a, s, m in families))


def cap_gr(restart_time, families, restarting=False, notification_bit=False):
    head = (0x8000 if restarting else 0) | (0x4000 if notification_bit else 0) | restart_time
    return cap(64, u16(head) + b"".join(u16(a) + u8(s) + u8(f) for a, s, f in families))


def cap_llgr(*families):
    return cap(71, b"".join(u16(a) + u8(s) + u8(f) + struct.pack("!I", t)[1:] for a, s, f, t in families))


def cap_hostname(host, domain):
    return cap(73, u8(len(host)) + host + u8(len(domain)) + domain)


def cap_ext_nh(*tuples):
    return cap(5, b"".join(u16(a) + u16(s) + u16(n) for a, s, n in tuples))


def open_body(my_as, hold, bgp_id, params=b"", version=4, extended_length=False):
    head = u8(version) + u16(my_as) + u16(hold) + v4(bgp_id)
    if extended_length:  # RFC 9072 §2
        return head + u8(255) + u8(255) + u16(len(params)) + params
    return head + u8(len(params)) + params


def param_caps(*caps, extended_length=False):
    value = b"".join(caps)
    if extended_length:
        return u8(2) + u16(len(value)) + value
    return u8(2) + u8(len(value)) + value


# --- UPDATE (RFC 4271 §4.3, RFC 4760) --------------------------------------

def attr(flags, type_code, value, extended=False):
    if extended or len(value) > 255:
        return u8(flags | 0x10) + u8(type_code) + u16(len(value)) + value
    return u8(flags) + u8(type_code) + u8(len(value)) + value


def origin(v=0):
    return attr(0x40, 1, u8(v))


def as_path(*segments, four=True):
    """segments: (type, [asns]); type 1 SET, 2 SEQUENCE, 3 CONFED_SEQUENCE, 4 CONFED_SET."""
    pack = u32 if four else u16
    return attr(0x40, 2, b"".join(u8(t) + u8(len(a)) + b"".join(pack(x) for x in a) for t, a in segments))


def as4_path(*segments):
    return attr(0xC0, 17, b"".join(u8(t) + u8(len(a)) + b"".join(u32(x) for x in a) for t, a in segments))


def next_hop(text):
    return attr(0x40, 3, v4(text))


def med(v):
    return attr(0x80, 4, u32(v))


def local_pref(v):
    return attr(0x40, 5, u32(v))


def atomic_aggregate():
    return attr(0x40, 6, b"")


def aggregator(asn, address, four=True):
    return attr(0xC0, 7, (u32(asn) if four else u16(asn)) + v4(address))


def as4_aggregator(asn, address):
    return attr(0xC0, 18, u32(asn) + v4(address))


def communities(*values):
    return attr(0xC0, 8, b"".join(u32(v) for v in values))


def originator_id(text):
    return attr(0x80, 9, v4(text))


def cluster_list(*ids):
    return attr(0x80, 10, b"".join(v4(i) for i in ids))


def ext_communities(*values):
    return attr(0xC0, 16, b"".join(values))


def large_communities(*triples):
    return attr(0xC0, 32, b"".join(u32(a) + u32(b) + u32(c) for a, b, c in triples))


def prefix(text, path_id=None, host_bits=None):
    """An NLRI entry; host_bits overrides the address (non-canonical prefixes)."""
    net = ipaddress.ip_network(text, strict=False)
    addr = ipaddress.ip_address(host_bits).packed if host_bits else net.network_address.packed
    n = (net.prefixlen + 7) // 8
    out = u8(net.prefixlen) + addr[:n]
    return (u32(path_id) if path_id is not None else b"") + out


def mp_reach(afi, safi, nh, nlri):
    return attr(0x80, 14, u16(afi) + u8(safi) + u8(len(nh)) + nh + u8(0) + nlri)


def mp_unreach(afi, safi, nlri):
    return attr(0x80, 15, u16(afi) + u8(safi) + nlri)


def update_body(withdrawn=b"", attrs=b"", nlri=b""):
    return u16(len(withdrawn)) + withdrawn + u16(len(attrs)) + attrs + nlri


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return message(2, update_body(withdrawn, attrs, nlri))


def prefixes(texts, **kw):
    return b"".join(prefix(t, **kw) for t in texts)


# --- the seeds -------------------------------------------------------------

OPEN_FRR = open_body(
    23456, 90, "10.0.0.1",
    param_caps(
        cap_mp(1, 1), cap_mp(2, 1), cap(2), cap(70), cap_as4(4200000001), cap(6),
        cap_add_path((1, 1, 3), (2, 1, 1)),
        cap_gr(120, [(1, 1, 0x80), (2, 1, 0)], notification_bit=True),
        cap_llgr((1, 1, 0x80, 86400)),
        cap_ext_nh((1, 1, 2)),
        cap_hostname(b"node-1", b"cluster.local"),
        cap(128, b"\x01\x02\x03"),
    ))
OPEN_BIRD = open_body(
    65002, 240, "192.0.2.2",
    param_caps(cap_mp(1, 1)) + param_caps(cap(2)) + param_caps(cap_as4(65002)) + param_caps(cap_gr(0, [])))
OPEN_2OCTET = open_body(65001, 180, "10.0.0.2", param_caps(cap_mp(1, 1), cap(2)))


def open_seeds():
    return {
        "minimal": open_body(65001, 90, "10.0.0.1"),
        "frr_like": OPEN_FRR,
        "bird_one_cap_per_param": OPEN_BIRD,
        "two_octet_speaker": OPEN_2OCTET,
        "rfc9072_extended_length": open_body(
            64512, 30, "10.1.1.1",
            param_caps(cap_mp(2, 1), cap_as4(64512), cap_hostname(b"h" * 40, b"d" * 40),
                       cap_add_path(*[(2, 1, 3)] * 8), extended_length=True),
            extended_length=True),
        "hold_time_zero": open_body(65010, 0, "172.16.0.1", param_caps(cap_as4(65010))),
        "gr_restarting": open_body(65011, 9, "10.9.9.9",
                                   param_caps(cap_gr(300, [(1, 1, 0x80)], restarting=True), cap(64 + 7))),
        "bad_version": open_body(65001, 90, "10.0.0.1", version=3),
        "unsupported_param": open_body(65001, 90, "10.0.0.1", u8(1) + u8(2) + b"\x00\x00"),
        "bad_capability": open_body(65001, 90, "10.0.0.1", param_caps(cap(65, b"\x00\x01"))),
    }


def update_seeds():
    ipv4_full = (
        origin(0) + as_path((2, [65001, 4200000001, 65003]), (1, [64600, 64601])) + next_hop("192.0.2.1") +
        med(50) + local_pref(200) + atomic_aggregate() + aggregator(65003, "198.51.100.1") +
        communities(0xFDE80064, 0xFFFFFF01, 0xFFFF0000) + originator_id("10.0.0.5") +
        cluster_list("10.0.0.254", "10.0.0.253") +
        ext_communities(bytes([0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 100]), bytes([0x01, 0x03, 10, 0, 0, 1, 0, 5])) +
        large_communities((4200000001, 1, 2), (65001, 0, 0)) +
        attr(0xC0, 99, b"opaque transitive") + attr(0x80, 100, b"dropped non-transitive"))
    v6_nh = v6("2001:db8::1") + v6("fe80::1")
    seeds = {
        "eor_ipv4": u8(0) + update_body(),
        "eor_ipv6": u8(0) + update_body(attrs=mp_unreach(2, 1, b"")),
        "ipv4_all_attributes": u8(0) + update_body(
            attrs=ipv4_full, nlri=prefixes(["10.1.0.0/16", "10.2.3.0/24", "192.168.7.7/32", "0.0.0.0/0"])),
        "ipv4_withdraw_only": u8(0) + update_body(withdrawn=prefixes(["10.1.0.0/16", "172.16.0.0/12", "10.9.9.0/25"])),
        "ipv6_reach_unreach": u8(0) + update_body(
            attrs=mp_reach(2, 1, v6_nh, prefixes(["2001:db8:1::/48", "2001:db8:2:3::/64", "::/0", "2001:db8::5/128"])) +
            mp_unreach(2, 1, prefixes(["2001:db8:dead::/48"])) +
            origin(2) + as_path((2, [65010, 65020])) + med(10) + large_communities((65010, 7, 7))),
        "ipv6_add_path": u8(ADD_PATH_V6) + update_body(
            attrs=origin(0) + as_path((2, [65010])) +
            mp_reach(2, 1, v6("2001:db8::2"),
                     prefix("2001:db8:a::/48", path_id=1) + prefix("2001:db8:a::/48", path_id=2))),
        "ipv4_add_path": u8(ADD_PATH_V4) + update_body(
            withdrawn=prefix("10.5.0.0/16", path_id=7),
            attrs=origin(0) + as_path((2, [65001])) + next_hop("192.0.2.9"),
            nlri=prefix("10.6.0.0/16", path_id=1) + prefix("10.6.0.0/16", path_id=2)),
        "two_octet_as4_path": u8(TWO_OCTET_AS) + update_body(
            attrs=origin(0) + as_path((2, [65001, 23456, 23456]), four=False) + next_hop("192.0.2.1") +
            aggregator(23456, "192.0.2.50", four=False) + as4_path((2, [4200000001, 4200000002])) +
            as4_aggregator(4200000002, "192.0.2.50"),
            nlri=prefixes(["10.20.0.0/16"])),
        "two_octet_confed": u8(TWO_OCTET_AS) + update_body(
            attrs=origin(1) + as_path((3, [64512, 64513]), (2, [65001, 23456]), (4, [64514]), four=False) +
            next_hop("192.0.2.3") + as4_path((2, [65001, 4200000009])),
            nlri=prefixes(["10.30.0.0/16"])),
        "rfc8950_ipv4_over_ipv6": u8(V4_OVER_V6) + update_body(
            attrs=mp_reach(1, 1, v6_nh, prefixes(["10.40.0.0/16", "10.41.0.0/24"])) + origin(0) +
            as_path((2, [65050]))),
        "ipv4_in_mp_reach": u8(0) + update_body(
            attrs=mp_reach(1, 1, v4("192.0.2.77"), prefixes(["10.50.0.0/16"])) + origin(0) + as_path((2, [65050]))),
        "external_peer_ibgp_attrs": u8(EXTERNAL) + update_body(
            attrs=origin(0) + as_path((2, [65060])) + next_hop("192.0.2.6") + local_pref(100) +
            originator_id("10.0.0.6") + cluster_list("10.0.0.1"),
            nlri=prefixes(["10.60.0.0/16"])),
        "host_bits_and_extended_length": u8(0) + update_body(
            withdrawn=prefix("10.70.0.0/16", host_bits="10.70.1.2"),
            attrs=attr(0x40, 1, u8(0), extended=True) + attr(0x40, 2, u8(2) + u8(1) + u32(65070), extended=True) +
            attr(0x40, 3, v4("192.0.2.70"), extended=True),
            nlri=prefix("10.71.0.0/12", host_bits="10.71.255.255")),
        "malformed_origin_and_truncated": u8(0) + update_body(
            attrs=attr(0x40, 1, u8(9)) + as_path((2, [65080])) + next_hop("192.0.2.8") + b"\x40\x05\x04\x00",
            nlri=prefixes(["10.80.0.0/16"])),
        "missing_mandatory": u8(0) + update_body(attrs=med(1), nlri=prefixes(["10.90.0.0/16"])),
        "empty_as_path_atomic_aggregate": u8(0) + update_body(
            attrs=origin(2) + as_path() + next_hop("192.0.2.10") + atomic_aggregate(),
            nlri=prefixes(["10.100.0.0/16"])),
        "mp_unreach_unknown_family": u8(0) + update_body(attrs=mp_unreach(25, 70, b"\x00\x01")),
    }
    # RFC 8654: one UPDATE beyond 4096 bytes, many prefixes under one attribute set.
    many = prefixes(["10.%d.%d.0/24" % (i // 256, i % 256) for i in range(1100)])
    seeds["extended_message_many_prefixes"] = u8(EXTENDED) + update_body(
        attrs=origin(0) + as_path((2, [65001] * 40)) + next_hop("192.0.2.1") + communities(*range(1, 60)),
        nlri=many)
    return seeds


def session_stream(two_octet=False):
    four = not two_octet
    return b"".join([
        message(1, OPEN_2OCTET if two_octet else OPEN_FRR),
        keepalive(),
        update(attrs=origin(0) + as_path((2, [65001, 65002]), four=four) + next_hop("192.0.2.1") + med(5),
               nlri=prefixes(["10.1.0.0/16", "10.2.0.0/16"])),
        update(attrs=mp_reach(2, 1, v6("2001:db8::1"), prefixes(["2001:db8:1::/48"])) + origin(0) +
               as_path((2, [65001]), four=four)),
        update(withdrawn=prefixes(["10.2.0.0/16"])),
        update(),
        update(attrs=mp_unreach(2, 1, b"")),
        route_refresh(1, 1, 1),
        keepalive(),
        route_refresh(1, 1, 2),
        route_refresh(2, 1, 0),
        notification(6, 2, u8(len("maintenance window: back at 02:00 ✓".encode())) +
                     "maintenance window: back at 02:00 ✓".encode()),
    ])


def framer_seeds():
    stream = session_stream()
    big = update_seeds()["extended_message_many_prefixes"][1:]
    return {
        "session_whole": u8(0) + u8(7) + stream,
        "session_bytewise": u8(0) + u8(0) + stream,
        "session_small_chunks": u8(0) + u8(3) + stream,
        "session_two_octet_as": u8(TWO_OCTET_AS) + u8(5) + session_stream(two_octet=True),
        "extended_after_open": u8(EXTENDED) + u8(6) + message(1, OPEN_FRR) + keepalive() + message(2, big) +
        keepalive(),
        "bad_marker_mid_stream": u8(0) + u8(4) + keepalive() + b"\xff" * 15 + b"\xfe" + u16(19) + u8(4),
        "bad_length_and_type": u8(0) + u8(2) + keepalive() + b"\xff" * 16 + u16(18) + u8(4),
        "bad_type": u8(0) + u8(6) + b"\xff" * 16 + u16(19) + u8(9),
        "notifications": u8(0) + u8(5) + notification(6, 4, u8(3) + b"bye") + notification(2, 1, b"\x00\x04") +
        notification(6, 2, u8(2) + b"\xc3\x28") + notification(3, 11) + notification(99, 99, b"x" * 40),
        "route_refresh_lengths": u8(0) + u8(7) + route_refresh(1, 1, 0) + route_refresh(2, 1, 9) +
        message(5, b"\x00\x01\x00\x01\x00"),
        "partial_tail": u8(0) + u8(4) + keepalive() + stream[:40],
    }


def nlri_seeds():
    return {
        "ipv4_mixed": prefixes(["0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24", "192.0.2.1/32"]),
        "ipv6_mixed": prefixes(["::/0", "2001:db8::/32", "2001:db8:1:2::/64", "2001:db8::1/128", "fe80::/10"]),
        "add_path_ipv4": prefix("10.0.0.0/8", path_id=1) + prefix("10.0.0.0/8", path_id=0xFFFFFFFF) +
        prefix("192.0.2.0/24", path_id=42),
        "host_bits_set": prefix("10.0.0.0/9", host_bits="10.255.255.255") + prefix("192.0.2.0/31", host_bits="192.0.2.3"),
        "length_33": u8(33) + b"\x01\x02\x03\x04\x05",
        "truncated": prefix("10.0.0.0/8") + u8(24) + b"\x0a\x01",
        "long_ipv6": b"".join(prefix("2001:db8:%x::/%d" % (i, 48 + i)) for i in range(16)),
    }


def write(target, seeds):
    out_dir = os.path.join(HERE, "corpus", target)
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, name))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print("%-7s %2d seeds, %6d bytes" % (target, len(seeds), sum(len(d) for d in seeds.values())))


def main():
    write("framer", framer_seeds())
    write("open", open_seeds())
    write("update", update_seeds())
    write("nlri", nlri_seeds())


if __name__ == "__main__":
    main()
