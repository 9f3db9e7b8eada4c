// The nexthop-object fallback decision as a table: which kernel answers turn objects
// off for the whole sink (no nexthop API), which only send one object's routes as
// plain routes, what is logged once and what is counted.
#include "fib/nexthop_support.hpp"

#include <doctest/doctest.h>

#include <cerrno>

using namespace petrel::fib;

TEST_CASE("objects wanted and the dump works: the API is there, objects stay on") {
  NexthopSupport s(true);
  CHECK(s.use_objects());
  CHECK(s.api() == NexthopSupport::Api::unknown);
  auto v = s.on_dump(0);
  CHECK_FALSE(v.api_missing);
  CHECK_FALSE(v.log);
  CHECK(s.api() == NexthopSupport::Api::available);
  CHECK(s.use_objects());
}

TEST_CASE("objects not wanted: never used, whatever the kernel says") {
  NexthopSupport s(false);
  CHECK_FALSE(s.use_objects());
  s.on_dump(0);
  CHECK_FALSE(s.use_objects());
}

TEST_CASE("a kernel without the nexthop API (Linux < 5.3): plain routes for the whole sink, logged once") {
  struct Row {
    const char* what;
    int dump_error;     // -1: no dump first
    int object_error;
    bool missing;
  };
  const Row rows[] = {
      {"dump EOPNOTSUPP", EOPNOTSUPP, 0, true},
      {"dump EINVAL", EINVAL, 0, true},
      {"no dump, first object EOPNOTSUPP", -1, EOPNOTSUPP, true},
      {"no dump, first object EINVAL", -1, EINVAL, true},
      {"dump worked, object EOPNOTSUPP", 0, EOPNOTSUPP, true},
      {"dump worked, object EINVAL (a bad object, not a missing API)", 0, EINVAL, false},
      {"dump worked, object ENETUNREACH", 0, ENETUNREACH, false},
      {"no dump, first object ENETUNREACH", -1, ENETUNREACH, false},
      {"dump worked, object EEXIST (an id another owner took)", 0, EEXIST, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    NexthopSupport s(true);
    bool logged = false;
    if (row.dump_error >= 0) {
      auto v = s.on_dump(row.dump_error);
      CHECK(v.api_missing == (row.dump_error != 0));
      logged = v.log;
      if (v.log) CHECK(v.reason.find("no nexthop API") != std::string::npos);
    }
    if (row.object_error != 0 && s.use_objects()) {
      auto v = s.on_object_refused(row.object_error);
      CHECK(v.api_missing == row.missing);
      CHECK(v.log);  // the first refusal of its kind
      logged = logged || v.log;
      CHECK(s.objects_refused() == 1);
    }
    CHECK(logged);
    CHECK(s.use_objects() == !row.missing);
    CHECK(s.api() == (row.missing ? NexthopSupport::Api::missing : row.dump_error == 0 ? NexthopSupport::Api::available
                                                                                         : NexthopSupport::Api::unknown));
  }
}

TEST_CASE("an accepted object proves the API: a later EINVAL is one bad object, not a missing API") {
  NexthopSupport s(true);
  s.on_object_accepted();
  CHECK(s.api() == NexthopSupport::Api::available);
  auto v = s.on_object_refused(EINVAL);
  CHECK_FALSE(v.api_missing);
  CHECK(s.use_objects());
}

TEST_CASE("each refusal reason is logged once; every refusal and every plain route is counted") {
  NexthopSupport s(true);
  s.on_dump(0);
  CHECK(s.on_object_refused(ENETUNREACH).log);
  CHECK_FALSE(s.on_object_refused(ENETUNREACH).log);
  CHECK(s.on_object_refused(EEXIST).log);
  CHECK_FALSE(s.on_object_refused(EEXIST).log);
  CHECK(s.objects_refused() == 4);
  s.count_plain(3);
  s.count_plain(2);
  CHECK(s.plain_fallbacks() == 5);
  CHECK(s.use_objects());
  // The API going missing is logged once too, then only counted.
  auto first = s.on_object_refused(EOPNOTSUPP);
  CHECK(first.api_missing);
  CHECK(first.log);
  auto again = s.on_dump(EOPNOTSUPP);
  CHECK(again.api_missing);
  CHECK_FALSE(again.log);
  CHECK_FALSE(s.use_objects());
}

TEST_CASE("a dump that fails for another reason is a failed dump, not a verdict on the API") {
  NexthopSupport s(true);
  auto v = s.on_dump(ENOBUFS);
  CHECK_FALSE(v.api_missing);
  CHECK_FALSE(v.log);
  CHECK(s.use_objects());
  CHECK(s.api() == NexthopSupport::Api::unknown);
}
