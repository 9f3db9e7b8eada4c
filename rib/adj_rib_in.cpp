// rib/adj_rib_in.cpp — see adj_rib_in.hpp.
#include "rib/adj_rib_in.hpp"

namespace petrel::rib {

void AdjRibIn::put(const Prefix& prefix, uint32_t path_id, AttrId attrs, uint8_t flags) {
  store_.acquire(attrs);
  auto [it, inserted] = routes_.try_emplace(Key{prefix, path_id}, Route{attrs, flags});
  if (inserted) return;
  store_.release(it->second.attrs);
  it->second = {attrs, flags};
}

void AdjRibIn::erase(const Prefix& prefix, uint32_t path_id) {
  auto it = routes_.find(Key{prefix, path_id});
  if (it == routes_.end()) return;
  store_.release(it->second.attrs);
  routes_.erase(it);
}

void AdjRibIn::clear() {
  for (const auto& [key, route] : routes_) store_.release(route.attrs);
  routes_.clear();
}

}  // namespace petrel::rib
