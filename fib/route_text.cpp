#include "fib/route_text.hpp"

#include <charconv>
#include <vector>

namespace petrel::fib {

namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<uint64_t> number(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<Route, Error> parse_route(std::string_view line, const InterfaceLookup& lookup) {
  auto w = words(line);
  if (w.empty()) return Error{"empty route"};
  Route route;
  auto prefix = Prefix::parse(w[0]);
  if (!prefix) return Error{"'" + std::string(w[0]) + "' is not a canonical prefix"};
  route.prefix = *prefix;
  auto value = [&](std::size_t i) -> Result<std::string_view, Error> {
    if (i + 1 >= w.size()) return Error{"'" + std::string(w[i]) + "' needs a value"};
    return w[i + 1];
  };
  NextHop* current = nullptr;
  for (std::size_t i = 1; i < w.size(); ++i) {
    std::string_view key = w[i];
    if (key == "blackhole") {
      route.blackhole = true;
      continue;
    }
    auto v = value(i);
    if (!v) return v.error();
    ++i;
    const std::string text(*v);
    if (key == "via") {
      auto gateway = IpAddress::parse(*v);
      if (!gateway || gateway->is_unspecified()) return Error{"via: '" + text + "' is not an address"};
      if (gateway->is_v4() && !route.prefix.is_v4()) return Error{"via: IPv4 next hop for an IPv6 prefix"};
      route.nexthops.push_back({*gateway, 0, 1});
      current = &route.nexthops.back();
    } else if (key == "dev") {
      std::optional<uint32_t> index = lookup ? lookup(*v) : std::nullopt;
      if (!index) return Error{"dev: no interface '" + text + "'"};
      if (current == nullptr || current->ifindex != 0) {
        route.nexthops.push_back({IpAddress::v4(0), 0, 1});
        if (!route.prefix.is_v4()) route.nexthops.back().gateway = IpAddress::v6({});
        current = &route.nexthops.back();
      }
      current->ifindex = *index;
    } else if (key == "weight") {
      auto n = number(*v);
      if (current == nullptr) return Error{"weight: before any 'via' or 'dev'"};
      if (!n || *n < 1 || *n > 256) return Error{"weight: '" + text + "' is not 1..256"};
      current->weight = static_cast<uint16_t>(*n);
    } else if (key == "src") {
      auto source = IpAddress::parse(*v);
      if (!source || source->family() != route.prefix.family()) return Error{"src: '" + text + "' is not an address of the prefix's family"};
      route.preferred_source = *source;
    } else if (key == "nhid") {
      auto n = number(*v);
      if (!n || *n == 0 || *n > UINT32_MAX) return Error{"nhid: '" + text + "' is not 1..4294967295"};
      route.nexthop_id = static_cast<uint32_t>(*n);
    } else if (key == "metric") {
      auto n = number(*v);
      if (!n || *n > UINT32_MAX) return Error{"metric: '" + text + "' is not 0..4294967295"};
      route.metric = static_cast<uint32_t>(*n);
    } else {
      return Error{"unknown word '" + std::string(key) + "'"};
    }
  }
  if (route.blackhole && !route.nexthops.empty()) return Error{"a blackhole has no next hops"};
  if (route.blackhole && route.nexthop_id != 0) return Error{"a blackhole has no next hops"};
  if (!route.blackhole && route.nexthops.empty() && route.nexthop_id == 0) {
    return Error{"no next hop: give 'via', 'dev', 'nhid' or 'blackhole'"};
  }
  normalize(route);
  return route;
}

Result<RouteTable, RouteFileError> parse_route_file(std::string_view text, const InterfaceLookup& lookup) {
  RouteTable table;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (words(line).empty()) continue;
    auto route = parse_route(line, lookup);
    if (!route) return RouteFileError{line_number, route.error().message};
    Prefix prefix = route->prefix;
    if (!table.emplace(prefix, std::move(*route)).second) {
      return RouteFileError{line_number, prefix.to_string() + " given twice"};
    }
  }
  return table;
}

}  // namespace petrel::fib
