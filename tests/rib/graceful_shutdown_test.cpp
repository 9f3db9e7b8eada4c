// RFC 8326 rewrites (rib/graceful_shutdown.hpp): the sender's marking per
// target kind, and the receiver's LOCAL_PREF 0.
#include "rib/graceful_shutdown.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {
RouteAttrs route(std::vector<uint32_t> communities, std::optional<uint32_t> local_pref) {
  RouteAttrs r;
  r.attrs.communities = std::move(communities);
  r.attrs.local_pref = local_pref;
  return r;
}
constexpr uint32_t kGshut = wire::community::graceful_shutdown;
constexpr uint32_t kOther = (64512u << 16) | 7;
}  // namespace

TEST_CASE("sender: community added once; LOCAL_PREF 0 to internal targets only") {
  struct Row {
    const char* name;
    std::vector<uint32_t> in;
    std::optional<uint32_t> local_pref;
    bool external;
    std::vector<uint32_t> out;
    std::optional<uint32_t> out_local_pref;
  };
  const Row rows[] = {
      {"iBGP, no communities", {}, 100, false, {kGshut}, 0},
      {"iBGP, others kept in order", {kOther}, 200, false, {kOther, kGshut}, 0},
      {"iBGP, already marked", {kGshut, kOther}, 100, false, {kGshut, kOther}, 0},
      {"eBGP, LOCAL_PREF untouched (absent)", {}, std::nullopt, true, {kGshut}, std::nullopt},
      {"eBGP, already marked", {kGshut}, std::nullopt, true, {kGshut}, std::nullopt},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs r = route(row.in, row.local_pref);
    mark_graceful_shutdown(r, row.external);
    CHECK(r.attrs.communities == row.out);
    CHECK(r.attrs.local_pref == row.out_local_pref);
    CHECK(has_graceful_shutdown(r));
    mark_graceful_shutdown(r, row.external);  // idempotent
    CHECK(r.attrs.communities == row.out);
  }
}

TEST_CASE("receiver: LOCAL_PREF 0 only with the community") {
  RouteAttrs marked = route({kOther, kGshut}, 300);
  CHECK(honour_graceful_shutdown(marked));
  CHECK(marked.attrs.local_pref == 0u);
  CHECK_FALSE(honour_graceful_shutdown(marked));  // already 0: no change
  RouteAttrs absent = route({kGshut}, std::nullopt);
  CHECK(honour_graceful_shutdown(absent));
  CHECK(absent.attrs.local_pref == 0u);
  RouteAttrs plain = route({kOther}, 300);
  CHECK_FALSE(honour_graceful_shutdown(plain));
  CHECK(plain.attrs.local_pref == 300u);
  CHECK_FALSE(has_graceful_shutdown(plain));
}
