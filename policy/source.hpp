// policy/source.hpp — where petrel-policy's inputs come from.
//
// InputSource is the seam between the world and the controller: it hands over whole
// snapshots (policies, pods, namespaces); the controller works out what changed, and
// a change that only moves pods becomes ipset updates. FileSource is the standalone
// mode: NetworkPolicy manifests and a pod inventory read from YAML files, re-read when
// a file's modification time or size changes. The Kubernetes mode is the second
// implementation, K8sSource (policy/k8s_source.hpp). Errors are values; a broken
// file keeps the last good snapshot in force (the caller decides).
#pragma once

#include "core/result.hpp"
#include "policy/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace petrel::policy {

class InputSource {
 public:
  virtual ~InputSource() = default;
  // The current snapshot if anything changed since the last successful call (the
  // first call always returns one), std::nullopt if nothing did.
  virtual Result<std::optional<Snapshot>, Error> poll() = 0;
};

class FileSource : public InputSource {
 public:
  FileSource(std::vector<std::string> policy_files, std::string inventory_file);
  Result<std::optional<Snapshot>, Error> poll() override;

 private:
  std::string stamp() const;  // mtime and size of every file
  std::vector<std::string> policy_files_;
  std::string inventory_file_;
  std::optional<std::string> last_stamp_;
};

}  // namespace petrel::policy
