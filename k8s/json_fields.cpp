// k8s/json_fields.cpp — FieldReader: typed field access with the path of the first error.
#include "k8s/json_fields.hpp"

#include <boost/json/serialize.hpp>

namespace petrel::k8s::detail {

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe(const json::value& v) {
  std::string text = json::serialize(v);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  switch (v.kind()) {
    case json::kind::object: return "an object " + text;
    case json::kind::array: return "a list " + text;
    case json::kind::string: return "the string " + text;
    case json::kind::bool_: return "the boolean " + text;
    case json::kind::null: return "null";
    default: return "the number " + text;
  }
}

void FieldReader::fail(std::string path, std::string message) {
  if (failed_) return;
  failed_ = true;
  path_ = std::move(path);
  message_ = std::move(message);
}

const json::value* FieldReader::field(const json::object* parent, std::string_view key) {
  if (parent == nullptr) return nullptr;
  const json::value* v = parent->if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

const json::object* FieldReader::object(const json::object* parent, std::string_view key,
                                        std::string_view path) {
  const json::value* v = field(parent, key);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    fail(join_path(path, key), "must be an object, got " + describe(*v));
    return nullptr;
  }
  return &v->get_object();
}

const json::array* FieldReader::array(const json::object* parent, std::string_view key,
                                      std::string_view path) {
  const json::value* v = field(parent, key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    fail(join_path(path, key), "must be a list, got " + describe(*v));
    return nullptr;
  }
  return &v->get_array();
}

std::string FieldReader::string(const json::object* parent, std::string_view key, std::string_view path,
                                bool required) {
  const json::value* v = field(parent, key);
  if (v == nullptr) {
    if (required) fail(join_path(path, key), "is required");
    return {};
  }
  if (!v->is_string()) {
    fail(join_path(path, key), "must be a string, got " + describe(*v));
    return {};
  }
  return std::string(v->get_string());
}

std::optional<bool> FieldReader::boolean(const json::object* parent, std::string_view key,
                                         std::string_view path) {
  const json::value* v = field(parent, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    fail(join_path(path, key), "must be true or false, got " + describe(*v));
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<int64_t> FieldReader::integer(const json::object* parent, std::string_view key,
                                            std::string_view path) {
  const json::value* v = field(parent, key);
  if (v == nullptr) return std::nullopt;
  boost::system::error_code ec;
  int64_t n = 0;
  if (v->is_number()) n = v->to_number<int64_t>(ec);
  if (!v->is_number() || ec) {
    fail(join_path(path, key), "must be an integer, got " + describe(*v));
    return std::nullopt;
  }
  return n;
}

std::map<std::string, std::string> FieldReader::string_map(const json::object* parent, std::string_view key,
                                                           std::string_view path) {
  std::map<std::string, std::string> out;
  const json::object* o = object(parent, key, path);
  if (o == nullptr) return out;
  const std::string here = join_path(path, key);
  for (const auto& kv : *o) {
    if (!kv.value().is_string()) {
      fail(join_path(here, kv.key()), "must be a string, got " + describe(kv.value()));
      continue;
    }
    out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

std::vector<std::string> FieldReader::string_list(const json::object* parent, std::string_view key,
                                                  std::string_view path) {
  std::vector<std::string> out;
  const json::array* a = array(parent, key, path);
  if (a == nullptr) return out;
  const std::string here = join_path(path, key);
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json::value& e = (*a)[i];
    if (!e.is_string()) {
      fail(index_path(here, i), "must be a string, got " + describe(e));
      continue;
    }
    out.emplace_back(e.get_string());
  }
  return out;
}

const json::object* FieldReader::element_object(const json::value& v, std::string_view path) {
  if (!v.is_object()) {
    fail(std::string(path), "must be an object, got " + describe(v));
    return nullptr;
  }
  return &v.get_object();
}

}  // namespace petrel::k8s::detail
