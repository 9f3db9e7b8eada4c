// etc/k8s/ checked at schema level: kinds and API versions, required fields,
// host network, exactly the three capabilities, read-only RBAC without
// wildcards, probes, and references between the objects.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "k8s/config.hpp"

namespace fs = std::filesystem;

namespace {

struct Doc {
  std::string file;
  YAML::Node node;
  std::string kind() const { return node["kind"].as<std::string>(); }
  std::string name() const { return node["metadata"]["name"].as<std::string>(); }
};

std::vector<Doc> load_all() {
  std::vector<Doc> docs;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(PETREL_MANIFESTS))
    if (e.path().extension() == ".yaml" && e.path().filename() != "kustomization.yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    for (const YAML::Node& n : YAML::LoadAllFromFile(f.string()))
      if (n && !n.IsNull()) docs.push_back({f.filename().string(), n});
  }
  return docs;
}

const std::vector<Doc>& docs() {
  static const std::vector<Doc> all = load_all();
  return all;
}

std::vector<const Doc*> of_kind(const std::string& kind) {
  std::vector<const Doc*> out;
  for (const auto& d : docs())
    if (d.kind() == kind) out.push_back(&d);
  return out;
}

const Doc* find(const std::string& kind, const std::string& name) {
  for (const auto& d : docs())
    if (d.kind() == kind && d.name() == name) return &d;
  return nullptr;
}

std::set<std::string> strings(const YAML::Node& list) {
  std::set<std::string> out;
  for (const auto& v : list) out.insert(v.as<std::string>());
  return out;
}

std::vector<const Doc*> workloads() {
  auto ds = of_kind("DaemonSet");
  auto dep = of_kind("Deployment");
  ds.insert(ds.end(), dep.begin(), dep.end());
  return ds;
}

bool has_handler(const YAML::Node& probe) {
  return probe && (probe["httpGet"] || probe["exec"] || probe["tcpSocket"] || probe["grpc"]);
}

}  // namespace

TEST_CASE("every document has a known kind with its API version, a name and the right scope") {
  const std::map<std::string, std::string> api_version{
      {"Namespace", "v1"},
      {"ServiceAccount", "v1"},
      {"ConfigMap", "v1"},
      {"DaemonSet", "apps/v1"},
      {"Deployment", "apps/v1"},
      {"ClusterRole", "rbac.authorization.k8s.io/v1"},
      {"ClusterRoleBinding", "rbac.authorization.k8s.io/v1"},
      {"Role", "rbac.authorization.k8s.io/v1"},
      {"RoleBinding", "rbac.authorization.k8s.io/v1"},
  };
  const std::set<std::string> cluster_scoped{"Namespace", "ClusterRole", "ClusterRoleBinding"};
  REQUIRE(docs().size() >= 13);
  std::set<std::pair<std::string, std::string>> seen;
  for (const Doc& d : docs()) {
    CAPTURE(d.file);
    REQUIRE(d.node["kind"]);
    REQUIRE(d.node["apiVersion"]);
    REQUIRE(d.node["metadata"]["name"]);
    CAPTURE(d.kind());
    REQUIRE(api_version.contains(d.kind()));
    CHECK(d.node["apiVersion"].as<std::string>() == api_version.at(d.kind()));
    if (cluster_scoped.contains(d.kind())) {
      CHECK_FALSE(d.node["metadata"]["namespace"]);
    } else {
      REQUIRE(d.node["metadata"]["namespace"]);
      CHECK(d.node["metadata"]["namespace"].as<std::string>() == "petrel");
    }
    CHECK(seen.insert({d.kind(), d.name()}).second);  // no duplicates
  }
  CHECK(find("Namespace", "petrel"));
}

TEST_CASE("the kustomization lists every manifest file") {
  YAML::Node k = YAML::LoadFile(std::string(PETREL_MANIFESTS) + "/kustomization.yaml");
  std::set<std::string> listed = strings(k["resources"]);
  std::set<std::string> files;
  for (const auto& d : docs()) files.insert(d.file);
  CHECK(listed == files);
}

TEST_CASE("workloads: host network, exactly NET_ADMIN, NET_RAW, NET_BIND_SERVICE, probes") {
  const auto w = workloads();
  REQUIRE(w.size() == 2);  // petreld on nodes, petreld on route reflectors
  for (const Doc* d : w) {
    CAPTURE(d->name());
    const YAML::Node spec = d->node["spec"];
    const YAML::Node pod = spec["template"]["spec"];
    // The selector must select the template.
    REQUIRE(spec["selector"]["matchLabels"]);
    for (const auto& kv : spec["selector"]["matchLabels"]) {
      const std::string key = kv.first.as<std::string>();
      REQUIRE(spec["template"]["metadata"]["labels"][key]);
      CHECK(spec["template"]["metadata"]["labels"][key].as<std::string>() == kv.second.as<std::string>());
    }
    REQUIRE(pod["hostNetwork"]);
    CHECK(pod["hostNetwork"].as<bool>());
    CHECK(pod["dnsPolicy"].as<std::string>() == "ClusterFirstWithHostNet");
    REQUIRE(pod["serviceAccountName"]);
    CHECK(find("ServiceAccount", pod["serviceAccountName"].as<std::string>()));
    CHECK_FALSE(pod["hostPID"]);
    CHECK_FALSE(pod["hostIPC"]);
    REQUIRE(pod["containers"].size() >= 1);
    for (const auto& c : pod["containers"]) {
      CAPTURE(c["name"].as<std::string>());
      REQUIRE(c["image"]);
      const YAML::Node sc = c["securityContext"];
      REQUIRE(sc);
      CHECK(strings(sc["capabilities"]["add"]) == std::set<std::string>{"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"});
      CHECK(sc["capabilities"]["add"].size() == 3);
      CHECK(strings(sc["capabilities"]["drop"]) == std::set<std::string>{"ALL"});
      CHECK((!sc["privileged"] || !sc["privileged"].as<bool>()));
      REQUIRE(sc["allowPrivilegeEscalation"]);
      CHECK_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
      CHECK(has_handler(c["livenessProbe"]));
      CHECK(has_handler(c["readinessProbe"]));
      // Liveness must not depend on BGP sessions: /healthz, not the readiness endpoint.
      CHECK(c["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
      bool node_name = false;
      for (const auto& e : c["env"])
        node_name = node_name || (e["name"].as<std::string>() == "NODE_NAME" &&
                                  e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "spec.nodeName");
      CHECK(node_name);
    }
    for (const auto& v : pod["volumes"]) {
      if (v["configMap"]) CHECK(find("ConfigMap", v["configMap"]["name"].as<std::string>()));
    }
  }
}

TEST_CASE("the route-reflector variant runs only on reflector nodes, the main one everywhere else") {
  const Doc* rr = find("DaemonSet", "petreld-rr");
  const Doc* main = find("DaemonSet", "petreld");
  REQUIRE(rr);
  REQUIRE(main);
  CHECK(rr->node["spec"]["template"]["spec"]["nodeSelector"]["petrel.io/route-reflector"].as<std::string>() == "true");
  const YAML::Node term = main->node["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
                              ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchExpressions"][0];
  CHECK(term["key"].as<std::string>() == "petrel.io/route-reflector");
  CHECK(term["operator"].as<std::string>() == "NotIn");
  CHECK(strings(term["values"]) == std::set<std::string>{"true"});
}

TEST_CASE("RBAC is read-only, without wildcards, and secrets only by name in petrel's namespace") {
  const std::set<std::string> read_only{"get", "list", "watch"};
  for (const char* kind : {"ClusterRole", "Role"}) {
    for (const Doc* d : of_kind(kind)) {
      CAPTURE(d->name());
      REQUIRE(d->node["rules"]);
      for (const auto& rule : d->node["rules"]) {
        for (const auto& verb : strings(rule["verbs"])) {
          CAPTURE(verb);
          CHECK(read_only.contains(verb));
        }
        for (const auto& r : strings(rule["resources"])) {
          CHECK(r != "*");
          CHECK(r.find('/') == std::string::npos);  // no subresources
          if (r == "secrets") {
            CHECK(std::string(kind) == "Role");  // never cluster-wide
            REQUIRE(rule["resourceNames"]);
            CHECK(rule["resourceNames"].size() >= 1);
          }
        }
        for (const auto& g : strings(rule["apiGroups"])) CHECK(g != "*");
        CHECK_FALSE(rule["nonResourceURLs"]);
      }
    }
  }
  // Exactly what each program reads.
  auto granted = [](const Doc* d) {
    std::set<std::string> out;
    for (const auto& rule : d->node["rules"])
      for (const auto& g : strings(rule["apiGroups"]))
        for (const auto& r : strings(rule["resources"])) out.insert((g.empty() ? "core" : g) + "/" + r);
    return out;
  };
  REQUIRE(find("ClusterRole", "petreld"));
  CHECK(granted(find("ClusterRole", "petreld")) ==
        std::set<std::string>{"core/nodes", "core/services", "discovery.k8s.io/endpointslices"});
  REQUIRE(find("ClusterRole", "petrel-policy"));
  CHECK(granted(find("ClusterRole", "petrel-policy")) ==
        std::set<std::string>{"networking.k8s.io/networkpolicies", "core/pods", "core/namespaces"});
}

TEST_CASE("bindings refer to roles and service accounts that exist") {
  for (const char* kind : {"ClusterRoleBinding", "RoleBinding"}) {
    for (const Doc* d : of_kind(kind)) {
      CAPTURE(d->name());
      const YAML::Node ref = d->node["roleRef"];
      CHECK(ref["apiGroup"].as<std::string>() == "rbac.authorization.k8s.io");
      CHECK(find(ref["kind"].as<std::string>(), ref["name"].as<std::string>()));
      REQUIRE(d->node["subjects"].size() >= 1);
      for (const auto& s : d->node["subjects"]) {
        CHECK(s["kind"].as<std::string>() == "ServiceAccount");
        CHECK(find("ServiceAccount", s["name"].as<std::string>()));
        CHECK(s["namespace"].as<std::string>() == "petrel");
      }
    }
  }
}

TEST_CASE("each ConfigMap's petrel.yaml has a valid kubernetes section") {
  REQUIRE(of_kind("ConfigMap").size() == 2);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "NODE_NAME") return std::string("node-a");
    return std::nullopt;
  };
  for (const Doc* d : of_kind("ConfigMap")) {
    CAPTURE(d->name());
    REQUIRE(d->node["data"]["petrel.yaml"]);
    const std::string text = d->node["data"]["petrel.yaml"].as<std::string>();
    auto c = petrel::k8s::parse_kubernetes_config_text(text, d->file + ":" + d->name(), env);
    if (c.has_error()) FAIL(c.error().to_string());
    CHECK(c->enabled);
    CHECK(c->node_name == "node-a");
    CHECK(c->kubeconfig.empty());  // in-cluster service account
  }
}
