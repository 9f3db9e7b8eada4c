// etc/k8s/ checked at schema level: kinds and API versions, required fields,
// host network, exactly the capabilities each program needs (petreld three,
// petrel-policy two), read-only RBAC without wildcards, probes, references between
// the objects, and each ConfigMap's configuration through the program's own parser.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "k8s/config.hpp"
#include "policy/config.hpp"

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

TEST_CASE("workloads: host network, exactly the capabilities each program needs, probes") {
  const auto w = workloads();
  REQUIRE(w.size() == 3);  // petreld on nodes, petreld on route reflectors, petrel-policy on every node
  // BGP needs port 179 (NET_BIND_SERVICE); iptables and ipset need NET_ADMIN and NET_RAW only.
  const std::map<std::string, std::set<std::string>> capabilities{
      {"petreld", {"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"}},
      {"petreld-rr", {"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"}},
      {"petrel-policy", {"NET_ADMIN", "NET_RAW"}},
  };
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
      REQUIRE(capabilities.contains(d->name()));
      CHECK(strings(sc["capabilities"]["add"]) == capabilities.at(d->name()));
      CHECK(sc["capabilities"]["add"].size() == capabilities.at(d->name()).size());
      CHECK(strings(sc["capabilities"]["drop"]) == std::set<std::string>{"ALL"});
      CHECK((!sc["privileged"] || !sc["privileged"].as<bool>()));
      REQUIRE(sc["allowPrivilegeEscalation"]);
      CHECK_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
      CHECK(has_handler(c["livenessProbe"]));
      CHECK(has_handler(c["readinessProbe"]));
      // Liveness must not depend on BGP sessions or the API server: /healthz, not the
      // readiness endpoint.
      CHECK(c["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
      CHECK(c["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");
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
  REQUIRE(of_kind("ConfigMap").size() == 3);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "NODE_NAME") return std::string("node-a");
    return std::nullopt;
  };
  for (const Doc* d : of_kind("ConfigMap")) {
    if (d->name() == "petrel-policy-config") continue;  // petrel-policy's: the next test
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

TEST_CASE("petrel-policy: its ConfigMap parses as Kubernetes mode for this node") {
  const Doc* cm = find("ConfigMap", "petrel-policy-config");
  REQUIRE(cm);
  REQUIRE(cm->node["data"]["petrel-policy.yaml"]);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "NODE_NAME") return std::string("node-a");
    return std::nullopt;
  };
  auto c = petrel::policy::parse_config(cm->node["data"]["petrel-policy.yaml"].as<std::string>(),
                                        "/etc/petrel-policy/petrel-policy.yaml", env);
  if (c.has_error()) FAIL(c.error().message);
  CHECK(c->kubernetes.enabled);
  CHECK(c->kubernetes.kubeconfig.empty());  // in-cluster service account
  CHECK(c->kubernetes.node_name == "node-a");
  CHECK(c->policy_files.empty());
  CHECK(c->inventory_file.empty());
  // The probes' port is the metrics address.
  CHECK(c->metrics_address == "127.0.0.1:9470");
}

TEST_CASE("petrel-policy: its own account, read-only on pods, namespaces and networkpolicies; its config; the host's xtables lock") {
  const Doc* ds = find("DaemonSet", "petrel-policy");
  REQUIRE(ds);
  const YAML::Node pod = ds->node["spec"]["template"]["spec"];
  const std::string account = pod["serviceAccountName"].as<std::string>();
  CHECK(account == "petrel-policy");
  CHECK(account != find("DaemonSet", "petreld")->node["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>());
  // The account is bound to the petrel-policy ClusterRole and to nothing else.
  int bindings = 0;
  for (const char* kind : {"ClusterRoleBinding", "RoleBinding"}) {
    for (const Doc* b : of_kind(kind)) {
      for (const auto& s : b->node["subjects"]) {
        if (s["name"].as<std::string>() != account) continue;
        ++bindings;
        CHECK(b->node["roleRef"]["kind"].as<std::string>() == "ClusterRole");
        CHECK(b->node["roleRef"]["name"].as<std::string>() == "petrel-policy");
      }
    }
  }
  CHECK(bindings == 1);
  const Doc* role = find("ClusterRole", "petrel-policy");
  REQUIRE(role);
  for (const auto& rule : role->node["rules"])
    CHECK(strings(rule["verbs"]) == std::set<std::string>{"get", "list", "watch"});
  // Runs on every node (it enforces each node's own pods).
  CHECK_FALSE(pod["nodeSelector"]);
  CHECK_FALSE(pod["affinity"]);
  REQUIRE(pod["tolerations"].size() == 1);
  CHECK(pod["tolerations"][0]["operator"].as<std::string>() == "Exists");
  // Its command reads the ConfigMap's file where the volume puts it.
  const YAML::Node c = pod["containers"][0];
  std::string config_dir;
  for (const auto& m : c["volumeMounts"])
    if (m["name"].as<std::string>() == "config") config_dir = m["mountPath"].as<std::string>();
  std::string config_volume_map;
  bool xtables_lock = false;
  for (const auto& v : pod["volumes"]) {
    if (v["name"].as<std::string>() == "config") config_volume_map = v["configMap"]["name"].as<std::string>();
    if (v["hostPath"] && v["hostPath"]["path"].as<std::string>() == "/run/xtables.lock") xtables_lock = true;
  }
  CHECK(config_volume_map == "petrel-policy-config");
  CHECK(xtables_lock);
  const YAML::Node cmd = c["command"];
  REQUIRE(cmd.size() == 3);
  CHECK(cmd[1].as<std::string>() == "--config");
  CHECK(cmd[2].as<std::string>() == config_dir + "/petrel-policy.yaml");
  CHECK(c["readinessProbe"]["httpGet"]["port"].as<int>() == 9470);
}
