#include "tests/support/memory_transport.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <optional>

namespace petrel::test {

using boost::system::error_code;
namespace error = boost::asio::error;

struct Pipe {
  explicit Pipe(boost::asio::any_io_executor e) : ex(std::move(e)) {}
  boost::asio::any_io_executor ex;
  std::deque<uint8_t> inbox[2];  // inbox[s]: bytes waiting for side s
  bool closed = false;
  bool paused = false;
  struct PendingRead {
    std::span<uint8_t> into;
    bgp::session::Transport::IoHandler handler;
  };
  std::optional<PendingRead> reads[2];
  struct PendingWrite {
    std::vector<uint8_t> bytes;
    bgp::session::Transport::IoHandler handler;
  };
  std::deque<PendingWrite> writes[2];  // held back while paused

  void complete(bgp::session::Transport::IoHandler h, error_code ec, std::size_t n) {
    boost::asio::post(ex, [h = std::move(h), ec, n] { h(ec, n); });
  }
  void serve(int side) {
    auto& r = reads[side];
    if (!r) return;
    if (!inbox[side].empty()) {
      const std::size_t n = std::min(r->into.size(), inbox[side].size());
      std::copy_n(inbox[side].begin(), n, r->into.begin());
      inbox[side].erase(inbox[side].begin(), inbox[side].begin() + static_cast<std::ptrdiff_t>(n));
      auto h = std::move(r->handler);
      r.reset();
      complete(std::move(h), {}, n);
    } else if (closed) {
      auto h = std::move(r->handler);
      r.reset();
      complete(std::move(h), error::eof, 0);
    }
  }
  void flush(int from) {
    while (!paused && !writes[from].empty()) {
      auto w = std::move(writes[from].front());
      writes[from].pop_front();
      if (closed) {
        complete(std::move(w.handler), error::broken_pipe, 0);
        continue;
      }
      inbox[1 - from].insert(inbox[1 - from].end(), w.bytes.begin(), w.bytes.end());
      complete(std::move(w.handler), {}, w.bytes.size());
      serve(1 - from);
    }
  }
  void shut() {
    if (closed) return;
    closed = true;
    for (int s = 0; s < 2; ++s) {
      serve(s);
      while (!writes[s].empty()) {
        complete(std::move(writes[s].front().handler), error::broken_pipe, 0);
        writes[s].pop_front();
      }
    }
  }
};

MemoryTransport::MemoryTransport(std::shared_ptr<Pipe> pipe, int side, std::shared_ptr<FaultPlan> faults)
    : pipe_(std::move(pipe)), side_(side), faults_(std::move(faults)) {}

MemoryTransport::~MemoryTransport() { close(); }

void MemoryTransport::async_read_some(std::span<uint8_t> into, IoHandler handler) {
  if (faults_ && faults_->next()) {
    pipe_->shut();
    return pipe_->complete(std::move(handler), error::connection_reset, 0);
  }
  pipe_->reads[side_] = Pipe::PendingRead{into, std::move(handler)};
  pipe_->serve(side_);
}

void MemoryTransport::async_write(std::span<const uint8_t> bytes, IoHandler handler) {
  if (faults_ && faults_->next()) {
    pipe_->shut();
    return pipe_->complete(std::move(handler), error::connection_reset, 0);
  }
  if (pipe_->closed) return pipe_->complete(std::move(handler), error::broken_pipe, 0);
  pipe_->writes[side_].push_back({std::vector<uint8_t>(bytes.begin(), bytes.end()), std::move(handler)});
  pipe_->flush(side_);
}

void MemoryTransport::close() {
  if (!pipe_) return;
  // Closing aborts this side's pending read, as a socket's close() does.
  if (auto& r = pipe_->reads[side_]) {
    auto h = std::move(r->handler);
    r.reset();
    pipe_->complete(std::move(h), error::operation_aborted, 0);
  }
  pipe_->shut();
}

std::string MemoryTransport::local_endpoint() const { return side_ == 0 ? "mem:a" : "mem:b"; }
std::string MemoryTransport::remote_endpoint() const { return side_ == 0 ? "mem:b" : "mem:a"; }

std::vector<uint8_t> MemoryTransport::take_all() {
  auto& in = pipe_->inbox[side_];
  std::vector<uint8_t> out(in.begin(), in.end());
  in.clear();
  return out;
}

void MemoryTransport::put(const std::vector<uint8_t>& bytes) {
  if (pipe_->closed) return;
  pipe_->inbox[1 - side_].insert(pipe_->inbox[1 - side_].end(), bytes.begin(), bytes.end());
  pipe_->serve(1 - side_);
}

bool MemoryTransport::closed() const { return pipe_->closed; }

void MemoryTransport::pause(bool paused) {
  pipe_->paused = paused;
  if (!paused) {
    pipe_->flush(0);
    pipe_->flush(1);
  }
}

std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_pipe(
    boost::asio::any_io_executor ex, std::shared_ptr<FaultPlan> faults_on_first) {
  auto pipe = std::make_shared<Pipe>(ex);
  return {std::make_unique<MemoryTransport>(pipe, 0, std::move(faults_on_first)),
          std::make_unique<MemoryTransport>(pipe, 1, nullptr)};
}

void MemoryConnector::async_connect(ConnectHandler handler) {
  ++attempts;
  const bool fail = (faults_ && faults_->next()) || refuse;
  std::weak_ptr<bool> gen = generation_;
  if (fail) {
    boost::asio::post(ex_, [gen, h = std::move(handler)] {
      h(gen.expired() ? error::operation_aborted : error::connection_refused, nullptr);
    });
    return;
  }
  auto [mine, theirs] = make_pipe(ex_, faults_);
  remote_ends.push_back(std::move(theirs));
  // The handler is copied into post(); the transport travels in a shared holder.
  auto held = std::make_shared<std::unique_ptr<MemoryTransport>>(std::move(mine));
  boost::asio::post(ex_, [gen, held, h = std::move(handler)]() mutable {
    if (gen.expired()) {
      (*held)->close();
      return h(error::operation_aborted, nullptr);
    }
    h({}, std::move(*held));
  });
}

void MemoryConnector::cancel() { generation_ = std::make_shared<bool>(true); }

}  // namespace petrel::test
