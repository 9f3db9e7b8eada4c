// k8s/meta_decode.hpp — helpers shared by the kinds' decoders (internal to k8s/).
//
// read_meta() fills ObjectMeta and returns the object's root (nullptr when the
// value is not an object); make_error() turns the reader's first problem into a
// DecodeError. Pure, no I/O.
#pragma once

#include "k8s/json_fields.hpp"
#include "k8s/models.hpp"

namespace petrel::k8s::detail {

const json::object* read_meta(FieldReader& r, const json::value& object, ObjectMeta& meta);
DecodeError make_error(const FieldReader& r, std::string_view kind, const ObjectMeta& meta);

}  // namespace petrel::k8s::detail

namespace petrel::k8s::detail {

// Parses one IP address; records "<path>: "x" is not an IP address" on failure.
std::optional<IpAddress> parse_ip(FieldReader& r, std::string_view text, std::string_view path);

}  // namespace petrel::k8s::detail
