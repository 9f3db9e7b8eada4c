#include "policy/writer.hpp"

#include "policy/command.hpp"

#include <algorithm>

namespace petrel::policy {
namespace {

Result<std::string, Error> run_ok(const std::vector<std::string>& argv, const std::string& input = "") {
  auto r = run_command(argv, input);
  if (!r) return r.error();
  if (r->exit_code != 0) {
    std::string what = argv[0];
    for (std::size_t i = 1; i < argv.size(); ++i) what += " " + argv[i];
    return Error{what + " failed (exit " + std::to_string(r->exit_code) + "): " + r->err};
  }
  return Result<std::string, Error>(boost::system::in_place_value, std::move(r->out));
}

long count_rules(const std::string& program) {
  auto r = run_command({program});
  if (!r || r->exit_code != 0) return -1;
  long n = 0;
  std::size_t pos = 0;
  while (pos < r->out.size()) {
    if (r->out.compare(pos, 3, "-A ") == 0) ++n;
    std::size_t nl = r->out.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return n;
}

}  // namespace

const char* backend_name(Backend b) { return b == Backend::nft ? "nft" : "legacy"; }

Backend choose_backend(long legacy_rules, long nft_rules) {
  return legacy_rules > std::max(nft_rules, 0L) ? Backend::legacy : Backend::nft;
}

Backend detect_backend() {
  return choose_backend(count_rules("iptables-legacy-save"), count_rules("iptables-nft-save"));
}

KernelWriter::KernelWriter(Backend backend, AddressFamily family) : family_(family) {
  std::string tool = family == AddressFamily::ipv4 ? "iptables" : "ip6tables";
  std::string kind = backend == Backend::nft ? "-nft" : "-legacy";
  save_ = tool + kind + "-save";
  restore_ = tool + kind + "-restore";
}

Result<ObservedState, Error> KernelWriter::observe() {
  ObservedState o;
  auto rules = run_ok({save_, "-t", "filter"});
  if (!rules) return rules.error();
  parse_iptables_save(*rules, o);
  auto sets = run_ok({"ipset", "save"});
  if (!sets) return sets.error();
  parse_ipset_save(*sets, o, family_);
  return o;
}

Result<void, Error> KernelWriter::apply(const Plan& plan) {
  if (!plan.ipset_prepare.empty()) {
    auto r = run_ok({"ipset", "restore"}, plan.ipset_prepare);
    if (!r) return r.error();
  }
  if (!plan.iptables.empty()) {
    auto r = run_ok({restore_, "--noflush", "--wait", "5"}, plan.iptables);
    if (!r) return r.error();
  }
  if (!plan.ipset_finish.empty()) {
    auto r = run_ok({"ipset", "restore"}, plan.ipset_finish);
    if (!r) return r.error();
  }
  return {};
}

Result<Plan, Error> KernelWriter::sync(const DesiredState& desired) {
  auto observed = observe();
  if (!observed) return observed.error();
  Plan plan = plan_sync(desired, *observed);
  auto applied = apply(plan);
  if (!applied) return applied.error();
  return plan;
}

Result<void, Error> KernelWriter::apply_members(const std::vector<MemberChange>& changes) {
  if (changes.empty()) return {};
  // -exist: adding a present member or deleting an absent one is not an error.
  auto r = run_ok({"ipset", "-exist", "restore"}, render_member_changes(changes));
  if (!r) return r.error();
  return {};
}

Result<Plan, Error> KernelWriter::cleanup() {
  auto observed = observe();
  if (!observed) return observed.error();
  Plan plan = plan_cleanup(*observed);
  auto applied = apply(plan);
  if (!applied) return applied.error();
  return plan;
}

}  // namespace petrel::policy
