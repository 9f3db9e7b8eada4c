// tests/tools/fake_apiserver/control.cpp — control commands against the server state.
#include "tests/tools/fake_apiserver/control.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/tools/fake_apiserver/kinds.hpp"

namespace petrel::k8s::fake {

namespace json = boost::json;
using State = test::FakeApiServer::State;

namespace {

Answer ok(std::string text = {}, bool changed = false) {
  return {true, text.empty() ? "ok" : "ok " + text, changed};
}
Answer error(const std::string& message) { return {false, "error: " + message, false}; }

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The collections of one kind (a per-namespace kind has one per namespace), or all.
std::vector<std::string> paths_of(const State& state, const KindInfo* kind) {
  std::vector<std::string> out;
  for (const std::string& path : state.collection_paths())
    if (kind == nullptr || is_collection_of(*kind, path)) out.push_back(path);
  return out;
}

Answer apply(const std::string& file, State& state) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return error("cannot read " + file + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec) return error(file + ": not JSON: " + ec.message());
  if (!doc.is_object()) return error(file + ": a JSON object is required");
  std::string why;
  std::vector<json::object> objects = objects_of(doc.as_object(), why);
  if (!why.empty()) return error(file + ": " + why);
  // Every object is checked before any is applied: a bad file changes nothing.
  std::vector<Placement> places;
  for (const json::object& o : objects) {
    auto p = place(o, why);
    if (!p) return error(file + ": " + why);
    places.push_back(*p);
  }
  std::string summary;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const Placement& p = places[i];
    if (!state.has_collection(p.path)) state.add_collection(p.path, p.kind->list_kind(), std::string(p.kind->api_version));
    const bool existed = state.contains(p.path, p.key);
    state.upsert(p.path, objects[i]);
    if (!summary.empty()) summary += ", ";
    summary += std::string(p.kind->kind) + " " + p.key + (existed ? " configured" : " created");
  }
  return ok(summary + " (resourceVersion " + std::to_string(state.resource_version()) + ")", true);
}

Answer remove(const KindInfo& kind, const std::string& name, State& state) {
  std::string path = kind.path();
  if (kind.namespaced && name.find('/') == std::string::npos)
    return error(std::string(kind.resource) + " are namespaced: give NAMESPACE/NAME, not \"" + name + "\"");
  if (kind.per_namespace_path) path = kind.path(std::string_view(name).substr(0, name.find('/')));
  if (!state.contains(path, name)) return error(std::string(kind.resource) + " \"" + name + "\" not found");
  state.remove(path, name);
  return ok("deleted " + std::string(kind.kind) + " " + name + " (resourceVersion " +
                std::to_string(state.resource_version()) + ")",
            true);
}

}  // namespace

std::string_view command_help() {
  return "apply FILE | delete KIND NAME | list KIND | drop-watches [KIND] | end-watches [KIND] | gone [KIND] | "
         "bookmark [KIND] | compact | watches [KIND] | rv | help";
}

Answer run_command(std::string_view line, State& state) {
  const std::vector<std::string> w = words(line);
  if (w.empty()) return error("empty command; commands: " + std::string(command_help()));
  const std::string& verb = w[0];
  auto kind_arg = [&](std::size_t i, const KindInfo*& kind) -> std::string {
    kind = nullptr;
    if (w.size() <= i) return {};
    kind = find_kind(w[i]);
    if (kind == nullptr) return "unknown kind \"" + w[i] + "\"";
    return {};
  };
  const KindInfo* kind = nullptr;
  if (verb == "help") return ok(std::string(command_help()));
  if (verb == "rv") {
    if (w.size() != 1) return error("usage: rv");
    return ok(std::to_string(state.resource_version()));
  }
  if (verb == "compact") {
    if (w.size() != 1) return error("usage: compact");
    state.compact();
    return ok("compacted at resourceVersion " + std::to_string(state.resource_version()));
  }
  if (verb == "apply") {
    if (w.size() != 2) return error("usage: apply FILE");
    return apply(w[1], state);
  }
  if (verb == "delete") {
    if (w.size() != 3) return error("usage: delete KIND NAME (NAMESPACE/NAME for namespaced kinds)");
    if (auto e = kind_arg(1, kind); !e.empty()) return error(e);
    return remove(*kind, w[2], state);
  }
  if (verb == "list") {
    if (w.size() != 2) return error("usage: list KIND");
    if (auto e = kind_arg(1, kind); !e.empty()) return error(e);
    std::string keys;
    for (const std::string& path : paths_of(state, kind)) {
      json::object d = state.dump();
      for (const auto& item : d["collections"].as_object()[path].as_object()["items"].as_array()) {
        const json::object& meta = item.as_object().at("metadata").as_object();
        std::string key(meta.at("name").as_string());
        if (const auto* ns = meta.if_contains("namespace"); ns && ns->is_string() && !ns->as_string().empty())
          key = std::string(ns->as_string()) + "/" + key;
        keys += (keys.empty() ? "" : " ") + key;
      }
    }
    return ok(keys);
  }
  if (verb == "drop-watches" || verb == "end-watches" || verb == "gone" || verb == "bookmark" || verb == "watches") {
    if (w.size() > 2) return error("usage: " + verb + " [KIND]");
    if (auto e = kind_arg(1, kind); !e.empty()) return error(e);
    int n = 0;
    for (const std::string& path : paths_of(state, kind)) {
      n += state.active_watches(path);
      if (verb == "drop-watches") state.drop_watches(path, /*mid_line=*/false);
      if (verb == "end-watches") state.end_watches(path);
      if (verb == "gone") state.gone_event(path);
      if (verb == "bookmark") state.bookmark(path);
    }
    return ok(verb == "watches" ? std::to_string(n) : std::to_string(n) + " watches");
  }
  return error("unknown command \"" + verb + "\"; commands: " + std::string(command_help()));
}

}  // namespace petrel::k8s::fake
