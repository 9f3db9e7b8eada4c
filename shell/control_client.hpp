// shell/control_client.hpp — a connection to a BIRD-protocol control socket.
//
// The thin I/O shell around reply.hpp: connects to a UNIX stream socket, reads the
// greeting (`0001 ... ready.`), sends one command per line and reads lines until the
// last line of its reply. Blocking POSIX calls, one command at a time (the protocol is
// strictly request/reply). Knows nothing of the daemon behind the socket.
// Errors are returned as one-line messages, ready to print after "petrelc: ".
#pragma once

#include "core/result.hpp"
#include "shell/reply.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace petrel::shell {

// The message for a failed connect(2), by errno: names the socket and says what to do.
std::string connect_error_message(const std::string& path, int error_number);

class ControlClient {
 public:
  static boost::system::result<ControlClient, std::string> connect(const std::string& path);

  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&& other) noexcept;
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;
  ~ControlClient();

  const Reply& greeting() const { return greeting_; }

  // Sends `line` (a newline is added) and returns the whole reply.
  boost::system::result<Reply, std::string> command(std::string_view line);

 private:
  explicit ControlClient(int fd) : fd_(fd) {}
  boost::system::result<Reply, std::string> read_reply();
  boost::system::result<std::string, Error> read_line();

  int fd_ = -1;
  std::string buffer_;
  Reply greeting_;
};

}  // namespace petrel::shell
