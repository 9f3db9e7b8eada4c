// bgp/session/transport.hpp — the byte pipe a session talks through.
//
// Transport is one connected stream (TCP in production, in-memory in tests);
// Connector makes outgoing connections for one peer. Completion handlers run on
// the session's executor, never inline inside the call that started the
// operation. Errors arrive as boost::system::error_code, never as exceptions.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace petrel::bgp::session {

class Transport {
 public:
  using IoHandler = std::function<void(const boost::system::error_code&, std::size_t)>;
  virtual ~Transport() = default;

  // Reads what is available (at least one byte) into `into`.
  virtual void async_read_some(std::span<uint8_t> into, IoHandler handler) = 0;
  // Writes all of `bytes`, which must stay valid until the handler runs.
  virtual void async_write(std::span<const uint8_t> bytes, IoHandler handler) = 0;
  // Closes the stream; pending operations complete with an error.
  virtual void close() = 0;
  // "address:port" of each end, for logs and the shell.
  virtual std::string local_endpoint() const = 0;
  virtual std::string remote_endpoint() const = 0;
};

class Connector {
 public:
  using ConnectHandler = std::function<void(const boost::system::error_code&, std::unique_ptr<Transport>)>;
  virtual ~Connector() = default;
  virtual void async_connect(ConnectHandler handler) = 0;
  // Abandons a connect in progress: its handler runs with operation_aborted.
  virtual void cancel() = 0;
};

}  // namespace petrel::bgp::session
