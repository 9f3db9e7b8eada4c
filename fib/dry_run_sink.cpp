#include "fib/dry_run_sink.hpp"

#include <cerrno>

namespace petrel::fib {

void DryRunSink::apply(std::span<const Operation> ops, std::span<int> errors) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    operations_.push_back(op);
    errors[i] = 0;
    if (op.kind != Operation::Kind::remove) {
      auto f = failing_.find(op.route.prefix);
      if (f != failing_.end()) {
        errors[i] = f->second;
        continue;
      }
      auto it = table_.find(op.route.prefix);
      if (op.kind == Operation::Kind::install && it != table_.end() &&
          effective_metric(it->second) == effective_metric(op.route)) {
        errors[i] = EEXIST;  // NLM_F_EXCL on a key that is taken
        continue;
      }
      table_[op.route.prefix] = op.route;
    } else {
      auto it = table_.find(op.route.prefix);
      bool metric_matches = it != table_.end() &&
                            (!op.route.metric || *op.route.metric == effective_metric(it->second));
      if (!metric_matches) {
        errors[i] = ESRCH;
        continue;
      }
      table_.erase(it);
    }
  }
}

Result<std::vector<Route>, Error> DryRunSink::dump_own() {
  std::lock_guard lock(mutex_);
  std::vector<Route> out;
  out.reserve(table_.size());
  for (const auto& [prefix, route] : table_) out.push_back(route);
  return out;
}

void DryRunSink::fail_prefix(const Prefix& prefix, int error) {
  std::lock_guard lock(mutex_);
  if (error == 0) {
    failing_.erase(prefix);
  } else {
    failing_[prefix] = error;
  }
}

void DryRunSink::drift_remove(const Prefix& prefix) {
  std::lock_guard lock(mutex_);
  table_.erase(prefix);
}

void DryRunSink::drift_put(const Route& route) {
  std::lock_guard lock(mutex_);
  table_[route.prefix] = route;
}

std::vector<Operation> DryRunSink::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}

void DryRunSink::clear_operations() {
  std::lock_guard lock(mutex_);
  operations_.clear();
}

RouteTable DryRunSink::table() const {
  std::lock_guard lock(mutex_);
  return table_;
}

}  // namespace petrel::fib
