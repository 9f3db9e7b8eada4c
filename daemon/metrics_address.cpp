// daemon/metrics_address.cpp — "A.B.C.D:PORT" / "[IPv6]:PORT" -> MetricsAddress.
// Pure; the error says what was wrong and what is expected.
#include "daemon/metrics.hpp"

#include <charconv>

namespace petrel::daemon {

namespace {

std::string fail(std::string_view text, std::string_view why) {
  std::string out = "metrics address \"";
  out += text;
  out += "\": ";
  out += why;
  out += " (expected A.B.C.D:PORT or [IPv6]:PORT)";
  return out;
}

}  // namespace

Result<MetricsAddress, std::string> parse_metrics_address(std::string_view text) {
  std::string_view host, port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(text, "missing ']' after the IPv6 address");
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return fail(text, "missing ':PORT' after ']'");
    port = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(text, "missing ':PORT'");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return fail(text, "an IPv6 address needs brackets");
    port = text.substr(colon + 1);
  }

  MetricsAddress out;
  const auto address = IpAddress::parse(host);
  if (!address) return fail(text, "\"" + std::string(host) + "\" is not an IP address");
  if (text.starts_with('[') != address->is_v6())
    return fail(text, text.starts_with('[') ? "brackets are only for IPv6 addresses" : "an IPv6 address needs brackets");
  out.address = *address;

  if (port.empty()) return fail(text, "missing port");
  for (char c : port)
    if (c < '0' || c > '9') return fail(text, "port \"" + std::string(port) + "\" is not a number");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    return fail(text, "port out of range 0..65535");
  out.port = static_cast<uint16_t>(value);
  return out;
}

}  // namespace petrel::daemon
