// k8s/secret.cpp — decoding a core/v1 Secret; its data values are base64.
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

Decoded<Secret> decode_secret(const boost::json::value& object) {
  detail::FieldReader r;
  Secret secret;
  const auto* root = detail::read_meta(r, object, secret.meta);
  secret.type = r.string(root, "type", "");
  for (const auto& [key, encoded] : r.string_map(root, "data", "")) {
    auto bytes = decode_base64(encoded);
    if (!bytes) {
      r.fail(detail::join_path("data", key), "is not valid base64");
      break;
    }
    secret.data.emplace(key, std::move(*bytes));
  }
  if (r.failed()) return detail::make_error(r, "Secret", secret.meta);
  return secret;
}

}  // namespace petrel::k8s
