#include "bgp/wire/capabilities.hpp"

#include <algorithm>
#include <span>

#include "core/bytes.hpp"

namespace petrel::bgp::wire {

namespace {

WireError malformed(uint8_t code, uint32_t offset, uint32_t length, std::string reason) {
  // RFC 4271 §6.2: an optional parameter that is recognized but malformed gives
  // OPEN Message Error / Unspecific.
  return WireError{err::open, err::unspecific, offset, length, ErrorAction::session_reset, {},
                   "capability " + std::to_string(code) + ": " + std::move(reason)};
}

// A value made of fixed-size tuples: the length must be a whole number of them.
bool whole_tuples(std::span<const uint8_t> v, std::size_t tuple, std::size_t header = 0) {
  return v.size() >= header && (v.size() - header) % tuple == 0;
}

}  // namespace

Result<void, WireError> decode_capability_list(std::span<const uint8_t> value, uint32_t base_offset,
                                               Capabilities& caps) {
  ByteReader r(value);
  while (!r.empty()) {
    const uint32_t at = base_offset + static_cast<uint32_t>(r.position());
    if (!r.has(2)) return malformed(0, at, static_cast<uint32_t>(r.remaining()), "truncated header");
    const uint8_t code = r.u8();
    const uint8_t len = r.u8();
    if (!r.has(len)) return malformed(code, at, static_cast<uint32_t>(r.remaining() + 2), "length overruns parameter");
    const auto v = r.bytes(len);
    ByteReader c(v);
    auto bad = [&](const char* why) { return malformed(code, at, len + 2u, why); };
    switch (code) {
      case cap::multiprotocol: {  // RFC 4760 §8: AFI(2) reserved(1) SAFI(1)
        if (len != 4) return bad("length is not 4");
        const uint16_t afi = c.u16();
        c.skip(1);
        caps.multiprotocol.push_back({afi, c.u8()});
        break;
      }
      case cap::route_refresh:
        if (len != 0) return bad("length is not 0");
        caps.route_refresh = true;
        break;
      case cap::enhanced_route_refresh:
        if (len != 0) return bad("length is not 0");
        caps.enhanced_route_refresh = true;
        break;
      case cap::extended_message:
        if (len != 0) return bad("length is not 0");
        caps.extended_message = true;
        break;
      case cap::four_octet_as:  // RFC 6793 §3
        if (len != 4) return bad("length is not 4");
        caps.four_octet_as = c.u32();
        break;
      case cap::graceful_restart: {  // RFC 4724 §3
        if (!whole_tuples(v, 4, 2)) return bad("length is not 2 + 4n");
        GracefulRestartCapability gr;
        const uint16_t head = c.u16();
        gr.restarting = head & 0x8000;
        gr.notification = head & 0x4000;
        gr.restart_time = head & 0x0fff;
        while (!c.empty()) {
          GracefulRestartFamily f;
          f.afi_safi.afi = c.u16();
          f.afi_safi.safi = c.u8();
          f.forwarding_preserved = c.u8() & 0x80;
          gr.families.push_back(f);
        }
        caps.graceful_restart = std::move(gr);
        break;
      }
      case cap::long_lived_gr: {  // RFC 9494 §3: AFI(2) SAFI(1) flags(1) stale time(3)
        if (!whole_tuples(v, 7)) return bad("length is not a multiple of 7");
        std::vector<LongLivedGrFamily> fams;
        while (!c.empty()) {
          LongLivedGrFamily f;
          f.afi_safi.afi = c.u16();
          f.afi_safi.safi = c.u8();
          f.forwarding_preserved = c.u8() & 0x80;
          f.stale_time = c.u24();
          fams.push_back(f);
        }
        caps.long_lived_gr = std::move(fams);
        break;
      }
      case cap::add_path: {  // RFC 7911 §4: AFI(2) SAFI(1) send/receive(1)
        if (len == 0 || !whole_tuples(v, 4)) return bad("length is not a positive multiple of 4");
        while (!c.empty()) {
          AddPathFamily f;
          f.afi_safi.afi = c.u16();
          f.afi_safi.safi = c.u8();
          const uint8_t mode = c.u8();
          if (mode < 1 || mode > 3) return bad("send/receive value is not 1, 2 or 3");
          f.mode = static_cast<AddPathMode>(mode);
          caps.add_path.push_back(f);
        }
        break;
      }
      case cap::extended_next_hop: {  // RFC 8950 §3: NLRI AFI(2) NLRI SAFI(2) NH AFI(2)
        if (len == 0 || !whole_tuples(v, 6)) return bad("length is not a positive multiple of 6");
        while (!c.empty()) {
          ExtendedNextHop e;
          e.nlri_afi = c.u16();
          e.nlri_safi = c.u16();
          e.next_hop_afi = c.u16();
          caps.extended_next_hop.push_back(e);
        }
        break;
      }
      case cap::hostname: {  // hostname length(1) hostname, domain length(1) domain
        Hostname h;
        const uint8_t hl = c.u8();
        auto host = c.bytes(hl);
        const uint8_t dl = c.u8();
        auto domain = c.bytes(dl);
        if (c.failed() || !c.empty()) return bad("lengths do not match the value");
        h.host.assign(host.begin(), host.end());
        h.domain.assign(domain.begin(), domain.end());
        caps.hostname = std::move(h);
        break;
      }
      default:
        caps.unknown.push_back({code, std::vector<uint8_t>(v.begin(), v.end())});
        break;
    }
  }
  return {};
}

namespace {

// Writes <code, length, value> where value is produced by `body`.
template <class Body>
void put(ByteWriter& w, std::vector<uint8_t>& out, uint8_t code, Body&& body) {
  w.u8(code);
  const std::size_t len_at = out.size();
  w.u8(0);
  body();
  w.patch_u8(len_at, static_cast<uint8_t>(out.size() - len_at - 1));
}

// Calls `f` with consecutive slices of at most `per` items: a list too long for
// one capability value becomes several capabilities of the same code, which RFC
// 5492 §4 allows and the decoder merges.
template <class T, class F>
void for_each_chunk(const std::vector<T>& items, std::size_t per, F&& f) {
  for (std::size_t i = 0; i < items.size(); i += per)
    f(std::span(items).subspan(i, std::min(per, items.size() - i)));
}

}  // namespace

void encode_capabilities(const Capabilities& caps, std::vector<uint8_t>& out) {
  ByteWriter w(out);
  for (const auto& mp : caps.multiprotocol)
    put(w, out, cap::multiprotocol, [&] {
      w.u16(mp.afi);
      w.u8(0);
      w.u8(mp.safi);
    });
  if (caps.route_refresh) put(w, out, cap::route_refresh, [] {});
  for_each_chunk(caps.extended_next_hop, 255 / 6, [&](auto chunk) {
    put(w, out, cap::extended_next_hop, [&] {
      for (const auto& e : chunk) {
        w.u16(e.nlri_afi);
        w.u16(e.nlri_safi);
        w.u16(e.next_hop_afi);
      }
    });
  });
  if (caps.extended_message) put(w, out, cap::extended_message, [] {});
  if (caps.graceful_restart)
    put(w, out, cap::graceful_restart, [&] {
      const auto& gr = *caps.graceful_restart;
      w.u16(static_cast<uint16_t>((gr.restarting ? 0x8000 : 0) | (gr.notification ? 0x4000 : 0) |
                                  (gr.restart_time & 0x0fff)));
      // One value holds at most 63 families (2 + 4n <= 255); a decoded one never has more.
      for (const auto& f : std::span(gr.families).first(std::min<std::size_t>(gr.families.size(), 63))) {
        w.u16(f.afi_safi.afi);
        w.u8(f.afi_safi.safi);
        w.u8(f.forwarding_preserved ? 0x80 : 0);
      }
    });
  if (caps.four_octet_as) put(w, out, cap::four_octet_as, [&] { w.u32(*caps.four_octet_as); });
  for_each_chunk(caps.add_path, 255 / 4, [&](auto chunk) {
    put(w, out, cap::add_path, [&] {
      for (const auto& f : chunk) {
        w.u16(f.afi_safi.afi);
        w.u8(f.afi_safi.safi);
        w.u8(static_cast<uint8_t>(f.mode));
      }
    });
  });
  if (caps.enhanced_route_refresh) put(w, out, cap::enhanced_route_refresh, [] {});
  if (caps.long_lived_gr)
    put(w, out, cap::long_lived_gr, [&] {
      // One value holds at most 36 families (7n <= 255); a decoded one never has more.
      const auto& ll = *caps.long_lived_gr;
      for (const auto& f : std::span(ll).first(std::min<std::size_t>(ll.size(), 36))) {
        w.u16(f.afi_safi.afi);
        w.u8(f.afi_safi.safi);
        w.u8(f.forwarding_preserved ? 0x80 : 0);
        w.u24(f.stale_time & 0xffffff);
      }
    });
  if (caps.hostname)
    put(w, out, cap::hostname, [&] {
      // Both names with their two length octets must fit the capability's own
      // one-octet length: the host name keeps priority, the domain takes the rest.
      const auto& h = *caps.hostname;
      const std::size_t hl = std::min<std::size_t>(h.host.size(), 253);
      const std::size_t dl = std::min<std::size_t>(h.domain.size(), 253 - hl);
      w.u8(static_cast<uint8_t>(hl));
      w.bytes(reinterpret_cast<const uint8_t*>(h.host.data()), hl);
      w.u8(static_cast<uint8_t>(dl));
      w.bytes(reinterpret_cast<const uint8_t*>(h.domain.data()), dl);
    });
  for (const auto& u : caps.unknown)
    put(w, out, u.code, [&] { w.bytes(u.value.data(), std::min<std::size_t>(u.value.size(), 255)); });
}

}  // namespace petrel::bgp::wire
