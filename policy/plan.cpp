#include "policy/plan.hpp"

#include <algorithm>
#include <set>

namespace petrel::policy {
namespace {

bool is_ours(std::string_view name) { return name.substr(0, 7) == kNamePrefix; }

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string_view first_word(std::string_view s) {
  std::size_t sp = s.find(' ');
  return sp == std::string_view::npos ? s : s.substr(0, sp);
}

// The 8-hex id in "--comment petrel:xxxxxxxx" or "--comment \"petrel:xxxxxxxx ...\"".
std::string rule_id(std::string_view line) {
  std::size_t at = line.find("--comment ");
  if (at == std::string_view::npos) return "";
  std::string_view rest = line.substr(at + 10);
  if (!rest.empty() && rest.front() == '"') rest.remove_prefix(1);
  if (rest.substr(0, 7) != "petrel:" || rest.size() < 15) return "";
  std::string id(rest.substr(7, 8));
  if (id.find_first_not_of("0123456789abcdef") != std::string::npos) return "";
  return id;
}

// The target after " -j ", if any.
std::string_view jump_target(std::string_view line) {
  std::size_t at = line.find(" -j ");
  if (at == std::string_view::npos) return {};
  return first_word(line.substr(at + 4));
}

std::string quoted_rule(const std::string& chain, const RuleLine& r) {
  return "-A " + chain + " -m comment --comment \"" + r.comment() + "\" " + r.spec + "\n";
}

// hashsize sized for the members at creation, so that a large set is not rehashed
// again and again while it is filled (the kernel grows it, never shrinks it).
std::string create_line(const SetSpec& s, std::size_t members) {
  std::size_t hashsize = 1024;
  while (hashsize < members && hashsize < (1u << 20)) hashsize *= 2;
  return "create " + s.name + " " + s.ipset_type() + " family " + s.ipset_family() + " hashsize " +
         std::to_string(hashsize) + " maxelem 1048576\n";
}

}  // namespace

void parse_iptables_save(std::string_view text, ObservedState& into) {
  bool in_filter = false;
  for (std::string_view line : lines_of(text)) {
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '*') {
      in_filter = line == "*filter";
      continue;
    }
    if (!in_filter) continue;
    if (line.front() == ':') {
      std::string_view name = first_word(line.substr(1));
      if (is_ours(name)) into.chains[std::string(name)];
      continue;
    }
    if (line.substr(0, 3) != "-A ") continue;
    std::string_view chain = first_word(line.substr(3));
    if (is_ours(chain)) {
      into.chains[std::string(chain)].push_back(rule_id(line));
    } else {
      // Our hooks carry the petrel:hook comment; a foreign rule that jumps into one
      // of our chains is not ours to count or delete.
      std::string_view target = jump_target(line);
      // (iptables-nft-save quotes the comment, iptables-legacy-save does not).
      bool hook = line.find("--comment petrel:hook ") != std::string_view::npos ||
                  line.find("--comment \"petrel:hook\" ") != std::string_view::npos;
      if (is_ours(target) && hook)
        into.hooks[std::string(chain)].emplace_back(target);
    }
  }
}

void parse_ipset_save(std::string_view text, ObservedState& into, AddressFamily family) {
  const std::string_view want = family == AddressFamily::ipv4 ? "inet" : "inet6";
  for (std::string_view line : lines_of(text)) {
    if (line.substr(0, 7) == "create ") {
      std::string_view rest = line.substr(7);
      std::string_view name = first_word(rest);
      if (!is_ours(name)) continue;
      std::size_t fam = rest.find(" family ");
      std::string_view set_family = fam == std::string_view::npos ? "inet" : first_word(rest.substr(fam + 8));
      if (set_family != want) continue;
      std::string_view type = rest.size() > name.size() ? first_word(rest.substr(name.size() + 1)) : "";
      into.set_types[std::string(name)] = std::string(type);
      into.set_members[std::string(name)];
    } else if (line.substr(0, 4) == "add ") {
      std::string_view rest = line.substr(4);
      std::string_view name = first_word(rest);
      if (!is_ours(name) || rest.size() <= name.size() || !into.set_types.count(std::string(name))) continue;
      into.set_members[std::string(name)].insert(std::string(rest.substr(name.size() + 1)));
    }
  }
}

Plan plan_sync(const DesiredState& desired, const ObservedState& observed) {
  Plan plan;
  static const std::set<std::string> no_members;

  // Sets: create what is missing, fix members of the rest.
  std::set<std::string> wanted_sets;
  for (const auto& s : desired.rules.sets) {
    wanted_sets.insert(s.name);
    auto dm = desired.members.find(s.name);
    const auto& want = dm == desired.members.end() ? no_members : dm->second;
    auto type = observed.set_types.find(s.name);
    if (type == observed.set_types.end()) {
      plan.ipset_prepare += create_line(s, want.size());
      ++plan.sets_created;
      for (const auto& m : want) plan.ipset_prepare += "add " + s.name + " " + m + "\n";
      plan.members_added += want.size();
      continue;
    }
    if (type->second != s.ipset_type()) {
      plan.problems.push_back("set " + s.name + " has type " + type->second + ", expected " + s.ipset_type() +
                              ": left alone");
      continue;
    }
    auto om = observed.set_members.find(s.name);
    const auto& have = om == observed.set_members.end() ? no_members : om->second;
    // Deletes first: "X" -> "X nomatch" is a delete and an add of the same element.
    for (const auto& m : have)
      if (!want.count(m)) {
        plan.ipset_prepare += "del " + s.name + " " + m + "\n";
        ++plan.members_removed;
      }
    for (const auto& m : want)
      if (!have.count(m)) {
        plan.ipset_prepare += "add " + s.name + " " + m + "\n";
        ++plan.members_added;
      }
  }
  for (const auto& [name, _] : observed.set_types)
    if (!wanted_sets.count(name)) {
      plan.ipset_finish += "destroy " + name + "\n";
      ++plan.sets_destroyed;
    }

  // Chains: rewrite those whose ids differ; remove ours that are no longer wanted.
  std::string declare, rules, removals;
  std::set<std::string> wanted_chains;
  for (const auto& c : desired.rules.chains) {
    wanted_chains.insert(c.name);
    auto oc = observed.chains.find(c.name);
    bool same = oc != observed.chains.end() && oc->second.size() == c.rules.size();
    for (std::size_t i = 0; same && i < c.rules.size(); ++i) same = oc->second[i] == c.rules[i].id;
    if (same) continue;
    declare += ":" + c.name + " - [0:0]\n";  // with --noflush this creates or flushes
    for (const auto& r : c.rules) rules += quoted_rule(c.name, r);
    ++plan.chains_written;
  }
  for (const auto& [name, _] : observed.chains)
    if (!wanted_chains.count(name)) {
      declare += ":" + name + " - [0:0]\n";
      removals += "-X " + name + "\n";
      ++plan.chains_removed;
    }
  std::string hooks;
  for (const auto& h : desired.rules.hooks) {
    auto oh = observed.hooks.find(h.builtin);
    std::size_t n = 0;
    if (oh != observed.hooks.end()) n = std::count(oh->second.begin(), oh->second.end(), h.target);
    if (n == 0) {
      hooks += "-I " + h.builtin + " 1 " + h.spec() + "\n";
      ++plan.hooks_added;
    }
    for (std::size_t i = 1; i < n; ++i) hooks += "-D " + h.builtin + " " + h.spec() + "\n";
  }
  // Hooks into chains we remove (an older layout) go first.
  for (const auto& [builtin, targets] : observed.hooks)
    for (const auto& t : targets)
      if (!wanted_chains.count(t)) hooks = "-D " + builtin + " " + Hook{builtin, t}.spec() + "\n" + hooks;
  if (!declare.empty() || !hooks.empty())
    plan.iptables = "*filter\n" + declare + rules + hooks + removals + "COMMIT\n";
  return plan;
}

Plan plan_cleanup(const ObservedState& observed) {
  Plan plan;
  std::string declare, removals, hooks;
  for (const auto& [builtin, targets] : observed.hooks)
    for (const auto& t : targets) hooks += "-D " + builtin + " " + Hook{builtin, t}.spec() + "\n";
  for (const auto& [name, _] : observed.chains) {
    declare += ":" + name + " - [0:0]\n";
    removals += "-X " + name + "\n";
    ++plan.chains_removed;
  }
  if (!declare.empty() || !hooks.empty()) plan.iptables = "*filter\n" + hooks + declare + removals + "COMMIT\n";
  for (const auto& [name, _] : observed.set_types) {
    plan.ipset_finish += "destroy " + name + "\n";
    ++plan.sets_destroyed;
  }
  return plan;
}

std::string render_iptables(const RuleSet& rules) {
  std::string out = "*filter\n";
  for (const auto& c : rules.chains) out += ":" + c.name + " - [0:0]\n";
  for (const auto& c : rules.chains)
    for (const auto& r : c.rules) out += quoted_rule(c.name, r);
  for (const auto& h : rules.hooks) out += "-I " + h.builtin + " 1 " + h.spec() + "\n";
  return out + "COMMIT\n";
}

std::string render_ipset(const RuleSet& rules, const SetMembers& members) {
  std::string out;
  for (const auto& s : rules.sets) {
    auto it = members.find(s.name);
    out += "# " + s.description + "\n" + create_line(s, it == members.end() ? 0 : it->second.size());
    if (it == members.end()) continue;
    for (const auto& m : it->second) out += "add " + s.name + " " + m + "\n";
  }
  return out;
}

std::string render_member_changes(const std::vector<MemberChange>& changes) {
  std::string out;
  for (const auto& c : changes) out += (c.add ? "add " : "del ") + c.set + " " + c.member + "\n";
  return out;
}

}  // namespace petrel::policy
