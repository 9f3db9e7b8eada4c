// k8s/json_fields.hpp — reading fields of Kubernetes JSON objects with precise errors.
//
// FieldReader walks boost::json values and remembers the first problem together
// with the path of the field ("spec.podCIDRs[1]"), like ByteReader's sticky
// failure: a decoder reads every field it needs and checks failed() once.
// Absent fields and JSON null read as "not set"; a field of the wrong type is an
// error. Never throws. Pure, no I/O. Internal to k8s/ decoders.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace petrel::k8s::detail {

namespace json = boost::json;

// "a.b" from "a" and "b"; "b" when the parent path is empty.
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);
// A short, printable rendering of a JSON value for error messages.
std::string describe(const json::value& v);

class FieldReader {
 public:
  bool failed() const { return failed_; }
  const std::string& error_path() const { return path_; }
  const std::string& error_message() const { return message_; }
  void fail(std::string path, std::string message);

  // The field `key` of `parent` (nullptr when absent or null); parent may be null.
  const json::value* field(const json::object* parent, std::string_view key);
  const json::object* object(const json::object* parent, std::string_view key, std::string_view path);
  const json::array* array(const json::object* parent, std::string_view key, std::string_view path);
  std::string string(const json::object* parent, std::string_view key, std::string_view path,
                     bool required = false);
  std::optional<bool> boolean(const json::object* parent, std::string_view key, std::string_view path);
  std::optional<int64_t> integer(const json::object* parent, std::string_view key, std::string_view path);
  // {"k": "v", ...}
  std::map<std::string, std::string> string_map(const json::object* parent, std::string_view key,
                                                std::string_view path);
  // ["a", "b"]
  std::vector<std::string> string_list(const json::object* parent, std::string_view key,
                                       std::string_view path);
  // The element as an object, or nullptr after recording an error.
  const json::object* element_object(const json::value& v, std::string_view path);

 private:
  bool failed_ = false;
  std::string path_;
  std::string message_;
};

}  // namespace petrel::k8s::detail
