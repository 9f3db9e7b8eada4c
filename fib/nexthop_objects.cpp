#include "fib/nexthop_objects.hpp"

namespace petrel::fib {

uint32_t NexthopObjects::allocate_id() {
  while (next_id_ == 0 || objects_.contains(next_id_)) ++next_id_;
  return next_id_++;
}

uint32_t NexthopObjects::single(const NextHop& nh, std::vector<NexthopObject>& created) {
  SingleKey key{nh.gateway, nh.ifindex};
  if (auto it = singles_.find(key); it != singles_.end()) return it->second;
  NexthopObject object;
  object.id = allocate_id();
  object.gateway = nh.gateway;
  object.ifindex = nh.ifindex;
  objects_[object.id] = {object, 0};
  singles_[key] = object.id;
  created.push_back(object);
  return object.id;
}

uint32_t NexthopObjects::acquire(const Route::NextHops& nexthops, std::vector<NexthopObject>& created) {
  if (nexthops.size() == 1) {
    uint32_t id = single(nexthops[0], created);
    ++objects_[id].users;
    return id;
  }
  GroupKey key;
  for (const NextHop& nh : nexthops) key.emplace_back(single(nh, created), nh.weight);
  if (auto it = groups_.find(key); it != groups_.end()) {
    ++objects_[it->second].users;
    return it->second;
  }
  NexthopObject group;
  group.id = allocate_id();
  group.group = key;
  for (const auto& [member, weight] : key) ++objects_[member].users;  // the group uses its members
  objects_[group.id] = {group, 1};
  groups_[key] = group.id;
  created.push_back(group);
  return group.id;
}

void NexthopObjects::retain(uint32_t id) {
  if (auto it = objects_.find(id); it != objects_.end()) ++it->second.users;
}

void NexthopObjects::release(uint32_t id) {
  if (auto it = objects_.find(id); it != objects_.end() && it->second.users > 0) --it->second.users;
}

void NexthopObjects::forget(uint32_t id) {
  auto it = objects_.find(id);
  if (it == objects_.end()) return;
  const NexthopObject& object = it->second.object;
  if (object.is_group()) {
    groups_.erase(object.group);
    for (const auto& [member, weight] : object.group) release(member);
  } else {
    singles_.erase({object.gateway, object.ifindex});
  }
  objects_.erase(it);
}

std::vector<uint32_t> NexthopObjects::collect_unused() {
  std::vector<uint32_t> out;
  // Groups first: releasing a group may leave its members unused.
  for (bool groups : {true, false}) {
    std::vector<uint32_t> unused;
    for (const auto& [id, entry] : objects_) {
      if (entry.users == 0 && entry.object.is_group() == groups) unused.push_back(id);
    }
    for (uint32_t id : unused) {
      forget(id);
      out.push_back(id);
    }
  }
  return out;
}

void NexthopObjects::clear() {
  objects_.clear();
  singles_.clear();
  groups_.clear();
}

void NexthopObjects::adopt(const NexthopObject& object) {
  if (object.id == 0 || objects_.contains(object.id)) return;
  objects_[object.id] = {object, 0};
  if (object.is_group()) {
    groups_[object.group] = object.id;
  } else {
    singles_[{object.gateway, object.ifindex}] = object.id;
  }
}

void NexthopObjects::adopt_done() {
  for (auto& [id, entry] : objects_) {
    if (!entry.object.is_group()) continue;
    for (const auto& [member, weight] : entry.object.group) retain(member);
  }
}

}  // namespace petrel::fib
