// Originated routes through petreld's BGP speaker and FIB edge (dry run, no
// kernel): a new configuration changes only the entries that changed (Kubernetes
// re-derives often; the rest must not churn), and `blackhole: false` (service
// IPs) is announced but never installed; a drain leaves the RIB and the FIB alone.
#include "daemon/bgp_speaker.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "daemon/daemon_fib.hpp"

using namespace petrel;
using namespace petrel::daemon;

namespace {

Config with_originates(const std::vector<Originate>& originate) {
  auto c = parse_config("router-id: 10.0.0.11\nlocal-as: 64512\nfib: {enabled: false}\n", "test.yaml");
  REQUIRE(c.has_value());
  c->originate = originate;
  return *c;
}

Originate O(const char* prefix, bool blackhole) {
  Originate o;
  o.prefix = *Prefix::parse(prefix);
  o.blackhole = blackhole;
  return o;
}

std::set<Prefix> announce_only(const Config& c) {
  std::set<Prefix> out;
  for (const auto& o : c.originate)
    if (!o.blackhole) out.insert(o.prefix);
  return out;
}

}  // namespace

TEST_CASE("originate: only changed entries reach the RIB and the FIB; blackhole: false is not installed") {
  boost::asio::io_context io;
  Config config = with_originates({O("10.244.1.0/24", true), O("10.96.0.0/12", false)});
  FibFeed fib(config.fib);
  fib.set_announce_only(announce_only(config));
  std::vector<Prefix> changed;
  BgpSpeaker speaker(io, config, [&](std::span<const rib::RouteChange> changes, const rib::DecidedPaths&, const rib::Rib& rib) {
    for (const auto& c : changes) changed.push_back(c.prefix);
    fib.apply(changes, rib);
  });
  fib.start();
  io.poll();
  CHECK(changed.size() == 2);
  CHECK(speaker.rib().prefix_count() == 2);
  CHECK(fib.metrics().routes == 1);  // the pod CIDR's blackhole only

  auto apply = [&](Config next) {
    changed.clear();
    fib.set_announce_only(announce_only(next));
    speaker.apply(next);
    io.restart();  // the last poll ran out of work
    io.poll();
  };
  // A service IP appears: one change, the others untouched.
  apply(with_originates({O("10.244.1.0/24", true), O("10.96.0.0/12", false), O("198.51.100.7/32", false)}));
  CHECK(changed == std::vector<Prefix>{*Prefix::parse("198.51.100.7/32")});
  CHECK(speaker.rib().prefix_count() == 3);
  CHECK(fib.metrics().routes == 1);
  // The same entries in another order: nothing.
  apply(with_originates({O("198.51.100.7/32", false), O("10.96.0.0/12", false), O("10.244.1.0/24", true)}));
  CHECK(changed.empty());
  // blackhole flips: that prefix changes and the FIB follows.
  apply(with_originates({O("10.244.1.0/24", true), O("10.96.0.0/12", true), O("198.51.100.7/32", false)}));
  CHECK(changed == std::vector<Prefix>{*Prefix::parse("10.96.0.0/12")});
  CHECK(fib.metrics().routes == 2);
  apply(with_originates({O("10.244.1.0/24", true), O("10.96.0.0/12", false), O("198.51.100.7/32", false)}));
  CHECK(fib.metrics().routes == 1);
  // The service IP goes: one withdrawal.
  apply(with_originates({O("10.244.1.0/24", true), O("10.96.0.0/12", false)}));
  CHECK(changed == std::vector<Prefix>{*Prefix::parse("198.51.100.7/32")});
  CHECK(speaker.rib().prefix_count() == 2);
  speaker.stop("test over");
  io.restart();
  io.poll();
}

TEST_CASE("drain: the RIB and the FIB are untouched; the service IPs are the blackhole: false entries, also after a reload") {
  boost::asio::io_context io;
  Config config = with_originates({O("10.244.1.0/24", true), O("10.96.0.10/32", false)});
  FibFeed fib(config.fib);
  fib.set_announce_only(announce_only(config));
  std::vector<Prefix> changed;
  BgpSpeaker speaker(io, config, [&](std::span<const rib::RouteChange> changes, const rib::DecidedPaths&, const rib::Rib& rib) {
    for (const auto& c : changes) changed.push_back(c.prefix);
    fib.apply(changes, rib);
  });
  fib.start();
  io.poll();
  REQUIRE(changed.size() == 2);
  changed.clear();
  CHECK_FALSE(speaker.draining());
  CHECK(speaker.service_ips() == 1);
  CHECK(speaker.set_draining(true));
  CHECK(speaker.draining());
  CHECK_FALSE(speaker.set_draining(true));  // already draining: nothing sent
  io.restart();
  io.poll();
  CHECK(changed.empty());                   // export only: no RIB change, nothing for the FIB
  CHECK(speaker.rib().prefix_count() == 2);
  CHECK(fib.metrics().routes == 1);

  // Kubernetes adds a service IP while draining: it is counted (and held back
  // from the peers by the update groups), and the drain stays on.
  fib.set_announce_only({*Prefix::parse("10.96.0.10/32"), *Prefix::parse("198.51.100.7/32")});
  speaker.apply(with_originates({O("10.244.1.0/24", true), O("10.96.0.10/32", false), O("198.51.100.7/32", false)}));
  io.restart();
  io.poll();
  CHECK(speaker.draining());
  CHECK(speaker.service_ips() == 2);
  CHECK(speaker.rib().prefix_count() == 3);  // in the RIB all the same
  CHECK(speaker.set_draining(false));
  CHECK_FALSE(speaker.draining());
  CHECK_FALSE(speaker.set_draining(false));
  speaker.stop("test over");
  io.restart();
  io.poll();
}
