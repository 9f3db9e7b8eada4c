#include "bgp/wire/message.hpp"

#include "core/bytes.hpp"

namespace petrel::bgp::wire {

std::size_t begin_message(std::vector<uint8_t>& out, MessageType type) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  w.fill(0xff, 16);  // marker
  w.u16(0);          // length, patched by finish_message
  w.u8(static_cast<uint8_t>(type));
  return start;
}

void finish_message(std::vector<uint8_t>& out, std::size_t start) {
  ByteWriter(out).patch_u16(start + 16, static_cast<uint16_t>(out.size() - start));
}

void encode_keepalive(std::vector<uint8_t>& out) {
  finish_message(out, begin_message(out, MessageType::keepalive));
}

}  // namespace petrel::bgp::wire
