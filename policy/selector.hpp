// policy/selector.hpp — Kubernetes label selector evaluation.
//
// Semantics of meta/v1 LabelSelector: every matchLabels pair and every
// matchExpressions requirement must hold; an empty selector matches everything.
// In: the key exists and its value is listed; NotIn: the key is absent or its value
// is not listed; Exists / DoesNotExist: presence of the key. Pure.
#pragma once

#include "policy/model.hpp"

#include <string>

namespace petrel::policy {

bool matches(const LabelSelector& selector, const Labels& labels);

// A canonical text of the selector (sorted), equal for equal selectors: used to
// share one ipset between identical selectors.
std::string canonical_text(const LabelSelector& selector);

// Human form for explain output: "app=web,tier in (a,b)" or "<all>".
std::string describe(const LabelSelector& selector);

}  // namespace petrel::policy
