// k8s/token_source.cpp — re-reading a rotated service-account token.
#include "k8s/token_source.hpp"

#include <cerrno>
#include <cstring>

#include "k8s/cluster_access.hpp"

namespace petrel::k8s {

TokenSource::TokenSource(std::string fixed_token, std::string file, const Clock& clock)
    : fixed_(std::move(fixed_token)), file_(std::move(file)), clock_(clock) {}

Result<std::string, Error> TokenSource::get() {
  if (file_.empty()) return Result<std::string, Error>(boost::system::in_place_value, fixed_);
  struct stat now_stat {};
  if (::stat(file_.c_str(), &now_stat) != 0) {
    if (!cached_.empty()) return Result<std::string, Error>(boost::system::in_place_value, cached_);  // keep the last good token while the file is replaced
    return Error{"cannot read token file " + file_ + ": " + std::strerror(errno)};
  }
  const bool changed = now_stat.st_ino != seen_.st_ino || now_stat.st_size != seen_.st_size ||
                       now_stat.st_mtim.tv_sec != seen_.st_mtim.tv_sec ||
                       now_stat.st_mtim.tv_nsec != seen_.st_mtim.tv_nsec;
  const bool old = clock_.now() - read_at_ >= std::chrono::minutes(1);
  if (stale_ || changed || old) {
    auto text = read_file(file_);
    if (!text) {
      if (!cached_.empty()) return Result<std::string, Error>(boost::system::in_place_value, cached_);
      return text.error();
    }
    std::string token = std::move(*text);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty() && cached_.empty()) return Error{"token file " + file_ + " is empty"};
    if (!token.empty()) cached_ = std::move(token);
    seen_ = now_stat;
    read_at_ = clock_.now();
    stale_ = false;
    ++reads_;
  }
  return Result<std::string, Error>(boost::system::in_place_value, cached_);
}

}  // namespace petrel::k8s
