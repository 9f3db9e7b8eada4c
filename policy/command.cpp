#include "policy/command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace petrel::policy {
namespace {

// An unlinked temporary file, closed on scope exit.
struct TempFile {
  int fd = -1;
  TempFile() {
    char path[] = "/tmp/petrel-policy-XXXXXX";
    fd = mkstemp(path);
    if (fd >= 0) unlink(path);
  }
  ~TempFile() {
    if (fd >= 0) close(fd);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return lseek(fd, 0, SEEK_SET) == 0;
}

std::string read_all(int fd) {
  std::string out;
  if (lseek(fd, 0, SEEK_SET) != 0) return out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

Result<CommandResult, Error> run_command(const std::vector<std::string>& argv, const std::string& input) {
  if (argv.empty()) return Error{"run_command: empty argv"};
  TempFile in, out, err;
  if (in.fd < 0 || out.fd < 0 || err.fd < 0) return Error{std::string("temporary file: ") + std::strerror(errno)};
  if (!write_all(in.fd, input)) return Error{std::string("temporary file write: ") + std::strerror(errno)};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) {
    dup2(in.fd, 0);
    dup2(out.fd, 1);
    dup2(err.fd, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error{std::string("waitpid: ") + std::strerror(errno)};
  }
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_all(out.fd);
  r.err = read_all(err.fd);
  return r;
}

}  // namespace petrel::policy
