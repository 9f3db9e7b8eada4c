// tests/support/pcap_writer.hpp — builds a classic libpcap capture of one TCP
// connection whose payload the test supplies, so that an independent dissector
// (tshark) can read back what Petrel's codec wrote.
//
// The file uses LINKTYPE_RAW (101): each record is an IPv4 packet with a TCP
// header, lengths and checksums correct. The constructor writes the file header
// and a three-way handshake; send() adds one client-to-server data segment and the
// server's ACK, sequence numbers following the bytes sent, one millisecond apart.
// Where the stream is cut into segments is the caller's choice. Pure, no I/O:
// file() is the whole capture, for the caller to write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace petrel::test {

struct TcpEndpoints {
  uint32_t client_ip = 0x0a000001;  // host order: 10.0.0.1
  uint32_t server_ip = 0x0a000002;  // 10.0.0.2
  uint16_t client_port = 40179;
  uint16_t server_port = 179;
};

class PcapWriter {
 public:
  explicit PcapWriter(TcpEndpoints ends = {});

  // One client-to-server segment carrying `payload` (PSH|ACK), then the server's ACK.
  void send(std::span<const uint8_t> payload);
  // Cuts `stream` into segments of at most `max_segment` bytes and sends each.
  void send_stream(std::span<const uint8_t> stream, std::size_t max_segment);

  const std::vector<uint8_t>& file() const { return file_; }

 private:
  void packet(bool from_client, uint8_t flags, std::span<const uint8_t> payload);

  TcpEndpoints ends_;
  std::vector<uint8_t> file_;
  uint32_t client_seq_ = 1000;  // next sequence number each side sends
  uint32_t server_seq_ = 5000;
  uint16_t ip_id_ = 1;
  uint32_t micros_ = 0;
};

}  // namespace petrel::test
