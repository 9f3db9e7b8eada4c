// Label selectors: every operator true and false, matchLabels AND expressions,
// the empty selector, canonical text independent of order.
#include "policy/selector.hpp"

#include <doctest/doctest.h>

using namespace petrel::policy;

TEST_CASE("label selector operators") {
  const Labels pod{{"app", "web"}, {"tier", "front"}};
  struct Row {
    const char* what;
    LabelSelector sel;
    bool want;
  };
  const Row rows[] = {
      {"empty selects all", {}, true},
      {"matchLabels equal", {{{"app", "web"}}, {}}, true},
      {"matchLabels other value", {{{"app", "db"}}, {}}, false},
      {"matchLabels missing key", {{{"env", "prod"}}, {}}, false},
      {"In listed", {{}, {{"app", SelectorOp::in, {"db", "web"}}}}, true},
      {"In not listed", {{}, {{"app", SelectorOp::in, {"db"}}}}, false},
      {"In key absent", {{}, {{"env", SelectorOp::in, {"prod"}}}}, false},
      {"NotIn listed", {{}, {{"app", SelectorOp::not_in, {"web"}}}}, false},
      {"NotIn not listed", {{}, {{"app", SelectorOp::not_in, {"db"}}}}, true},
      {"NotIn key absent", {{}, {{"env", SelectorOp::not_in, {"prod"}}}}, true},
      {"Exists present", {{}, {{"tier", SelectorOp::exists, {}}}}, true},
      {"Exists absent", {{}, {{"env", SelectorOp::exists, {}}}}, false},
      {"DoesNotExist absent", {{}, {{"env", SelectorOp::does_not_exist, {}}}}, true},
      {"DoesNotExist present", {{}, {{"app", SelectorOp::does_not_exist, {}}}}, false},
      {"labels AND expressions, both hold", {{{"app", "web"}}, {{"tier", SelectorOp::in, {"front"}}}}, true},
      {"labels AND expressions, one fails", {{{"app", "web"}}, {{"tier", SelectorOp::in, {"back"}}}}, false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    CHECK(matches(r.sel, pod) == r.want);
  }
}

TEST_CASE("canonical text ignores order and duplicates") {
  LabelSelector a{{{"a", "1"}, {"b", "2"}}, {{"c", SelectorOp::in, {"y", "x"}}}};
  LabelSelector b{{{"b", "2"}, {"a", "1"}}, {{"c", SelectorOp::in, {"x", "y"}}}};
  CHECK(canonical_text(a) == canonical_text(b));
  LabelSelector c{{{"a", "1"}}, {}};
  CHECK(canonical_text(a) != canonical_text(c));
  CHECK(describe(LabelSelector{}) == "<all>");
}
