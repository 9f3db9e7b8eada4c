// rib/selection_deferral.cpp — see selection_deferral.hpp.
#include "rib/selection_deferral.hpp"

namespace petrel::rib {

void SelectionDeferral::expect(PeerId peer, bgp::wire::Family family) {
  if (!active_) return;
  expected_any_ = true;
  waiting_.emplace(peer, family);
}

void SelectionDeferral::end_of_rib(PeerId peer, bgp::wire::Family family) { waiting_.erase({peer, family}); }

void SelectionDeferral::forget(PeerId peer) {
  for (auto it = waiting_.begin(); it != waiting_.end();) it = it->first == peer ? waiting_.erase(it) : std::next(it);
}

void SelectionDeferral::expect_session(std::string_view name) {
  if (!active_) return;
  expected_any_ = true;
  sessions_.emplace(name);
}

void SelectionDeferral::session_settled(std::string_view name) {
  if (auto it = sessions_.find(name); it != sessions_.end()) sessions_.erase(it);
}

void SelectionDeferral::expect_nothing() {
  if (active_) expected_any_ = true;
}

bool SelectionDeferral::deferring(TimePoint now) {
  if (!active_) return false;
  if (expected_any_ && waiting_.empty() && sessions_.empty()) {
    all_arrived_ = true;
    active_ = false;
  } else if (now >= deadline_) {
    active_ = false;
  }
  return active_;
}

}  // namespace petrel::rib
