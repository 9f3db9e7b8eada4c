// daemon/control_server.hpp — the control socket: a UNIX stream socket that
// speaks BIRD's control protocol (greeting "0001 … ready.", one command per
// line, numbered reply lines; see control_reply.hpp), so Debian's birdc and
// petrelc both work as clients. Mode 0660; an optional second, read-only socket
// refuses commands that change state ("0016 Access restricted").
// Lines longer than 4 KiB get a parse error and the connection is closed.
// Runs on the daemon's executor; the handler is called there.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "daemon/control_reply.hpp"

namespace petrel::daemon {

class ControlServer {
 public:
  using Handler = std::function<Reply(std::string_view line, bool read_only)>;

  ControlServer(boost::asio::any_io_executor executor, Handler handler, std::string greeting);
  ~ControlServer();  // closes the sockets and removes their files
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket at `path` (its directory too, mode 0750, if missing). A
  // stale file from a dead daemon is replaced; a live daemon there is an error.
  Result<void, std::string> listen(const std::string& path, bool read_only);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace petrel::daemon
