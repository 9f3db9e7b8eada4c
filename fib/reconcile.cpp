#include "fib/reconcile.hpp"

#include <boost/unordered/unordered_flat_set.hpp>

namespace petrel::fib {

namespace {

using PrefixSet = boost::unordered_flat_set<Prefix, PrefixHash, PrefixEqual>;

Operation remove_op(const Route& observed) {
  Route r;
  r.prefix = observed.prefix;
  r.metric = effective_metric(observed);
  return {Operation::Kind::remove, std::move(r)};
}

}  // namespace

namespace {
class TableView final : public DesiredRoutes {
 public:
  explicit TableView(const RouteTable& table) : table_(table) {}
  std::optional<Route> find(const Prefix& prefix) const override {
    auto it = table_.find(prefix);
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }
  void for_each(const std::function<void(const Route&)>& visit) const override {
    for (const auto& [prefix, route] : table_) visit(route);
  }

 private:
  const RouteTable& table_;
};
}  // namespace

ReconcilePlan reconcile(const RouteTable& desired, std::span<const Route> observed) {
  return reconcile(TableView(desired), observed);
}

ReconcilePlan reconcile(const DesiredRoutes& desired, std::span<const Route> observed) {
  ReconcilePlan plan;
  // Pass 1: the first observed route that already matches its desired route is
  // adopted, wherever it sits among duplicates: a correct route is never touched.
  PrefixSet adopted;
  std::vector<bool> keep(observed.size(), false);
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const Route& have = observed[i];
    const std::optional<Route> want = desired.find(have.prefix);
    if (want && !adopted.contains(have.prefix) && kernel_matches(*want, have)) {
      adopted.insert(have.prefix);
      keep[i] = true;
    }
  }
  plan.adopted = adopted.size();

  // Pass 2: any other observed route is replaced in place when it has the desired
  // route's kernel key (prefix and metric, RTM_NEWROUTE + NLM_F_REPLACE), else removed.
  PrefixSet replaced;
  std::vector<Operation> removes;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    if (keep[i]) continue;
    const Route& have = observed[i];
    const std::optional<Route> want = desired.find(have.prefix);
    bool replace = want && !adopted.contains(have.prefix) && !replaced.contains(have.prefix) &&
                   effective_metric(*want) == effective_metric(have);
    if (replace) {
      replaced.insert(have.prefix);
      plan.operations.push_back({Operation::Kind::replace, *want});
    } else {
      removes.push_back(remove_op(have));
    }
  }
  plan.replaced = replaced.size();

  // Pass 3: desired prefixes the kernel has no usable route for are installed.
  desired.for_each([&](const Route& want) {
    if (adopted.contains(want.prefix) || replaced.contains(want.prefix)) return;
    plan.operations.push_back({Operation::Kind::install, want});
    ++plan.installed;
  });
  // Removes last: a prefix whose metric changed gets its new route before the old
  // one goes, so forwarding never has a gap.
  plan.removed = removes.size();
  for (Operation& op : removes) plan.operations.push_back(std::move(op));
  return plan;
}

}  // namespace petrel::fib
