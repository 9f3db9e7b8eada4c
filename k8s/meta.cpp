// k8s/meta.cpp — ObjectMeta and DecodeError, shared by every kind's decoder.
#include "k8s/meta_decode.hpp"

namespace petrel::k8s {

std::string DecodeError::to_string() const {
  std::string out = kind;
  if (!object.empty()) out += " " + object;
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

namespace detail {

const json::object* read_meta(FieldReader& r, const json::value& object, ObjectMeta& meta) {
  const json::object* root = r.element_object(object, "");
  if (root == nullptr) return nullptr;
  const json::object* m = r.object(root, "metadata", "");
  if (m == nullptr) {
    r.fail("metadata", "is required");
    return root;
  }
  meta.name = r.string(m, "name", "metadata", /*required=*/true);
  meta.namespace_ = r.string(m, "namespace", "metadata");
  meta.uid = r.string(m, "uid", "metadata");
  meta.resource_version = r.string(m, "resourceVersion", "metadata");
  meta.labels = r.string_map(m, "labels", "metadata");
  meta.annotations = r.string_map(m, "annotations", "metadata");
  meta.being_deleted = r.field(m, "deletionTimestamp") != nullptr;
  return root;
}

DecodeError make_error(const FieldReader& r, std::string_view kind, const ObjectMeta& meta) {
  return DecodeError{std::string(kind), meta.name.empty() ? std::string() : meta.key(), r.error_path(),
                     r.error_message()};
}

std::optional<IpAddress> parse_ip(FieldReader& r, std::string_view text, std::string_view path) {
  auto ip = IpAddress::parse(text);
  if (!ip) r.fail(std::string(path), "\"" + std::string(text) + "\" is not an IP address");
  return ip;
}

}  // namespace detail

Decoded<ObjectMeta> decode_meta(const boost::json::value& object, std::string_view kind) {
  detail::FieldReader r;
  ObjectMeta meta;
  detail::read_meta(r, object, meta);
  if (r.failed()) return detail::make_error(r, kind, meta);
  return meta;
}

}  // namespace petrel::k8s
