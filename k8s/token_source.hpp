// k8s/token_source.hpp — the bearer token, re-read from its file as it rotates.
//
// Bound service-account tokens are rotated by the kubelet, which rewrites the
// token file (Kubernetes "Service account token volume projection"). Like
// client-go's cached token source, TokenSource re-reads the file when a minute has
// passed since the last read, when the file's size, inode or modification time
// changed, and at once after invalidate() (called on a 401 reply). A fixed token
// (no file) never changes. Single-threaded; the clock is injected.
#pragma once

#include <string>

#include <sys/stat.h>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace petrel::k8s {

class TokenSource {
 public:
  TokenSource(std::string fixed_token, std::string file, const Clock& clock);

  // The token to send now; empty when there is none. Errors name the file.
  Result<std::string, Error> get();
  void invalidate() { stale_ = true; }
  bool has_token() const { return !fixed_.empty() || !file_.empty(); }
  int reads() const { return reads_; }  // how often the file was read (for tests)

 private:
  std::string fixed_;
  std::string file_;
  const Clock& clock_;
  std::string cached_;
  TimePoint read_at_{};
  bool stale_ = true;
  struct stat seen_ {};
  int reads_ = 0;
};

}  // namespace petrel::k8s
