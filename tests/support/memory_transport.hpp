// tests/support/memory_transport.hpp — an in-memory byte pipe for session tests.
//
// make_pipe() returns two connected Transports. Every completion is posted to
// the executor, never run inline, as Asio does. A FaultPlan shared with one end
// counts that end's operations (connects, reads, writes) and makes the Nth one
// fail with connection_reset, closing the pipe: Boost.Beast's test::stream trick
// for walking every failure point of a scenario. A paused pipe holds writes back,
// to test backpressure. MemoryConnector hands the session one end per connect
// and queues the other for the test.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bgp/session/transport.hpp"

namespace petrel::test {

struct FaultPlan {
  std::size_t fail_at = std::numeric_limits<std::size_t>::max();
  std::size_t operations = 0;
  bool tripped = false;
  // Counts one operation; true when this one must fail.
  bool next() {
    const bool fail = operations++ == fail_at;
    tripped |= fail;
    return fail;
  }
};

struct Pipe;

class MemoryTransport final : public bgp::session::Transport {
 public:
  MemoryTransport(std::shared_ptr<Pipe> pipe, int side, std::shared_ptr<FaultPlan> faults);
  ~MemoryTransport() override;
  void async_read_some(std::span<uint8_t> into, IoHandler handler) override;
  void async_write(std::span<const uint8_t> bytes, IoHandler handler) override;
  void close() override;
  std::string local_endpoint() const override;
  std::string remote_endpoint() const override;

  // Test side: everything the other end has written so far, taken out.
  std::vector<uint8_t> take_all();
  // Test side: write bytes synchronously into the other end's inbox.
  void put(const std::vector<uint8_t>& bytes);
  bool closed() const;
  void pause(bool paused);

 private:
  std::shared_ptr<Pipe> pipe_;
  int side_;
  std::shared_ptr<FaultPlan> faults_;
};

std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_pipe(
    boost::asio::any_io_executor ex, std::shared_ptr<FaultPlan> faults_on_first = nullptr);

class MemoryConnector final : public bgp::session::Connector {
 public:
  MemoryConnector(boost::asio::any_io_executor ex, std::shared_ptr<FaultPlan> faults)
      : ex_(std::move(ex)), faults_(std::move(faults)) {}
  void async_connect(ConnectHandler handler) override;
  void cancel() override;

  std::deque<std::unique_ptr<MemoryTransport>> remote_ends;  // the test's side of each connection
  std::size_t attempts = 0;
  bool refuse = false;  // connects fail with connection_refused

 private:
  boost::asio::any_io_executor ex_;
  std::shared_ptr<FaultPlan> faults_;
  std::shared_ptr<bool> generation_ = std::make_shared<bool>(true);
};

}  // namespace petrel::test
