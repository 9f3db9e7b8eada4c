#include "policy/source.hpp"

#include "policy/manifest.hpp"

#include <sys/stat.h>

namespace petrel::policy {

FileSource::FileSource(std::vector<std::string> policy_files, std::string inventory_file)
    : policy_files_(std::move(policy_files)), inventory_file_(std::move(inventory_file)) {}

std::string FileSource::stamp() const {
  std::string out;
  auto add = [&](const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      out += path + ":missing;";
      return;
    }
    out += path + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
           std::to_string(st.st_size) + ";";
  };
  for (const auto& f : policy_files_) add(f);
  if (!inventory_file_.empty()) add(inventory_file_);
  return out;
}

Result<std::optional<Snapshot>, Error> FileSource::poll() {
  std::string now = stamp();
  if (last_stamp_ && *last_stamp_ == now) return std::optional<Snapshot>{};
  auto snap = load_snapshot(policy_files_, inventory_file_);
  if (!snap) {
    last_stamp_ = now;  // report a broken file once, not on every poll
    return snap.error();
  }
  last_stamp_ = now;
  return std::optional<Snapshot>{std::move(*snap)};
}

}  // namespace petrel::policy
