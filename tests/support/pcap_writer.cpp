#include "tests/support/pcap_writer.hpp"

#include <algorithm>

namespace petrel::test {

namespace {

constexpr uint32_t kLinktypeRaw = 101;
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;
constexpr std::size_t kIpHeader = 20, kTcpHeader = 20;

// pcap headers are written little-endian (magic d4 c3 b2 a1); IP and TCP big-endian.
void le32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void le16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void be16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void be32(std::vector<uint8_t>& out, uint32_t v) {
  be16(out, static_cast<uint16_t>(v >> 16));
  be16(out, static_cast<uint16_t>(v));
}

// RFC 1071 one's complement sum, folded; `sum` carries a partial sum in.
uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t sum = 0) {
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    const uint32_t hi = bytes[i];
    const uint32_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += (hi << 8) | lo;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

PcapWriter::PcapWriter(TcpEndpoints ends) : ends_(ends) {
  le32(file_, 0xa1b2c3d4);  // magic, microsecond timestamps
  le16(file_, 2);           // version 2.4
  le16(file_, 4);
  le32(file_, 0);  // thiszone
  le32(file_, 0);  // sigfigs
  le32(file_, 262144);  // snaplen
  le32(file_, kLinktypeRaw);
  packet(/*from_client=*/true, kSyn, {});
  packet(/*from_client=*/false, kSyn | kAck, {});
  packet(/*from_client=*/true, kAck, {});
}

void PcapWriter::send(std::span<const uint8_t> payload) {
  packet(/*from_client=*/true, kPsh | kAck, payload);
  packet(/*from_client=*/false, kAck, {});
}

void PcapWriter::send_stream(std::span<const uint8_t> stream, std::size_t max_segment) {
  for (std::size_t at = 0; at < stream.size(); at += max_segment)
    send(stream.subspan(at, std::min(max_segment, stream.size() - at)));
}

void PcapWriter::packet(bool from_client, uint8_t flags, std::span<const uint8_t> payload) {
  const uint32_t src = from_client ? ends_.client_ip : ends_.server_ip;
  const uint32_t dst = from_client ? ends_.server_ip : ends_.client_ip;
  uint32_t& seq = from_client ? client_seq_ : server_seq_;
  const uint32_t ack = (flags & kAck) ? (from_client ? server_seq_ : client_seq_) : 0;

  std::vector<uint8_t> tcp;
  be16(tcp, from_client ? ends_.client_port : ends_.server_port);
  be16(tcp, from_client ? ends_.server_port : ends_.client_port);
  be32(tcp, seq);
  be32(tcp, ack);
  tcp.push_back(static_cast<uint8_t>((kTcpHeader / 4) << 4));
  tcp.push_back(flags);
  be16(tcp, 65535);  // window
  be16(tcp, 0);      // checksum, patched below
  be16(tcp, 0);      // urgent pointer
  tcp.insert(tcp.end(), payload.begin(), payload.end());
  // The pseudo header: source, destination, zero, protocol, TCP length.
  const uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                          static_cast<uint32_t>(tcp.size());
  const uint16_t tcp_sum = internet_checksum(tcp, pseudo);
  tcp[16] = static_cast<uint8_t>(tcp_sum >> 8);
  tcp[17] = static_cast<uint8_t>(tcp_sum);

  std::vector<uint8_t> ip;
  ip.push_back(0x45);  // version 4, header of five words
  ip.push_back(0);
  be16(ip, static_cast<uint16_t>(kIpHeader + tcp.size()));
  be16(ip, ip_id_++);
  be16(ip, 0x4000);  // don't fragment
  ip.push_back(64);  // TTL
  ip.push_back(6);   // TCP
  be16(ip, 0);       // checksum, patched below
  be32(ip, src);
  be32(ip, dst);
  const uint16_t ip_sum = internet_checksum(ip);
  ip[10] = static_cast<uint8_t>(ip_sum >> 8);
  ip[11] = static_cast<uint8_t>(ip_sum);
  ip.insert(ip.end(), tcp.begin(), tcp.end());

  seq += static_cast<uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
  le32(file_, micros_ / 1000000);
  le32(file_, micros_ % 1000000);
  le32(file_, static_cast<uint32_t>(ip.size()));
  le32(file_, static_cast<uint32_t>(ip.size()));
  file_.insert(file_.end(), ip.begin(), ip.end());
  micros_ += 1000;
}

}  // namespace petrel::test
