// rib/prefix_table.hpp — every path known for each prefix of one family, and
// which prefixes changed since the last decision (the dirty set).
//
// Layout is chosen for a million routes: a flat hash map from a compact key to a
// 24-byte PrefixEntry whose first path sits inline (the common case, one path per
// prefix) and whose further paths live in one heap array. After a decision the
// paths are kept in preference order, so the selected (ECMP) paths are the first
// `selected` ones and the best is paths()[0]. Single-threaded: the RIB's thread.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "core/ip.hpp"
#include "rib/attr_store.hpp"

namespace petrel::rib {

using PeerId = uint16_t;
inline constexpr PeerId kLocalPeer = 0;  // routes this router originates

namespace path_flag {
inline constexpr uint8_t stale = 1;       // RFC 4724: kept for a restarting peer
inline constexpr uint8_t llgr_stale = 2;  // RFC 9494: long-lived stale
}  // namespace path_flag

struct PathEntry {
  AttrId attrs = kNoAttrs;
  uint32_t path_id = 0;
  PeerId peer = 0;
  uint8_t flags = 0;
  bool same_path(PeerId p, uint32_t id) const { return peer == p && path_id == id; }
};
static_assert(sizeof(PathEntry) == 12);

class PrefixEntry {
 public:
  PrefixEntry() = default;
  PrefixEntry(PrefixEntry&& o) noexcept { *this = std::move(o); }
  PrefixEntry& operator=(PrefixEntry&& o) noexcept {
    if (this == &o) return *this;
    delete[] more_;
    std::memcpy(static_cast<void*>(this), &o, sizeof *this);  // trivially relocatable
    o.more_ = nullptr;
    o.count_ = 0;
    return *this;
  }
  ~PrefixEntry() { delete[] more_; }

  std::size_t size() const { return count_; }
  PathEntry& at(std::size_t i) { return i == 0 ? first_ : more_[i - 1]; }
  const PathEntry& at(std::size_t i) const { return i == 0 ? first_ : more_[i - 1]; }
  // The index of the path from `peer` with `path_id`, or size().
  std::size_t find(PeerId peer, uint32_t path_id) const {
    for (std::size_t i = 0; i < count_; ++i)
      if (at(i).same_path(peer, path_id)) return i;
    return count_;
  }
  void push_back(const PathEntry& p) {
    if (count_ == 0) {
      first_ = p;
    } else {
      auto grown = std::make_unique<PathEntry[]>(count_);  // paths 2..count_+1
      if (more_) std::copy(more_, more_ + count_ - 1, grown.get());
      grown[count_ - 1] = p;
      delete[] more_;
      more_ = grown.release();
    }
    ++count_;
  }
  void erase(std::size_t i) {
    for (std::size_t k = i; k + 1 < count_; ++k) at(k) = at(k + 1);
    --count_;
    if (count_ <= 1) {
      delete[] more_;
      more_ = nullptr;
    }
  }

  // Decision bookkeeping.
  uint8_t selected() const { return selected_; }
  void set_selected(uint8_t n) { selected_ = n; }
  bool dirty() const { return flags_ & kDirty; }
  void set_dirty(bool on) { flags_ = on ? (flags_ | kDirty) : (flags_ & ~kDirty); }
  // A selected path changed or went away since the last decision.
  bool selection_touched() const { return flags_ & kTouched; }
  void set_selection_touched(bool on) { flags_ = on ? (flags_ | kTouched) : (flags_ & ~kTouched); }

 private:
  static constexpr uint8_t kDirty = 1, kTouched = 2;
  // 12 + 2 + 1 + 1 + 8 = 24 bytes: the order matters.
  PathEntry first_;
  uint16_t count_ = 0;
  uint8_t selected_ = 0;  // the first `selected_` paths are the ECMP set
  uint8_t flags_ = 0;
  PathEntry* more_ = nullptr;
};
static_assert(sizeof(PrefixEntry) == 24);

// Compact keys: an IPv4 prefix fits in 8 bytes.
struct V4Key {
  uint32_t address = 0;
  uint8_t length = 0;
  friend bool operator==(const V4Key&, const V4Key&) = default;
  Prefix prefix() const { return Prefix::make(IpAddress::v4(address), length); }
  static V4Key of(const Prefix& p) { return {p.address().v4_value(), p.length()}; }
};
struct V4KeyHash {
  std::size_t operator()(const V4Key& k) const {
    uint64_t x = (uint64_t{k.address} << 8) | k.length;
    x ^= x >> 33;  // murmur3 finaliser
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return static_cast<std::size_t>(x ^ (x >> 33));
  }
};
struct V6Key {
  Prefix p;
  friend bool operator==(const V6Key&, const V6Key&) = default;
  Prefix prefix() const { return p; }
  static V6Key of(const Prefix& p) { return {p}; }
};
struct V6KeyHash {
  std::size_t operator()(const V6Key& k) const { return hash_value(k.p); }
};

template <class Key, class KeyHash>
class PrefixTable {
 public:
  PrefixEntry* find(const Key& k) {
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : &it->second;
  }
  // The entry for `k`, created empty if new.
  PrefixEntry& get(const Key& k) { return map_[k]; }
  void mark_dirty(const Key& k, PrefixEntry& e) {
    if (e.dirty()) return;
    e.set_dirty(true);
    dirty_.push_back(k);
  }
  void erase(const Key& k) { map_.erase(k); }
  std::vector<Key>& dirty() { return dirty_; }
  std::size_t size() const { return map_.size(); }
  void reserve(std::size_t n) { map_.reserve(n); }
  // Bytes the table itself holds (slots, control bytes, extra path arrays).
  std::size_t memory_bytes() const {
    std::size_t extra = 0;
    for (const auto& [k, e] : map_)
      if (e.size() > 1) extra += (e.size() - 1) * sizeof(PathEntry);
    return map_.bucket_count() * (sizeof(std::pair<Key, PrefixEntry>) + 1) + extra;
  }
  template <class F>
  void for_each(F&& f) {
    for (auto& [k, e] : map_) f(k, e);
  }

 private:
  boost::unordered_flat_map<Key, PrefixEntry, KeyHash> map_;
  std::vector<Key> dirty_;
};

}  // namespace petrel::rib
