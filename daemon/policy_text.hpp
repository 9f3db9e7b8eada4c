// daemon/policy_text.hpp — the `prefix-sets` and `policies` sections of a
// config document written back in normalized form, for print_config().
//
// Why text and not the compiled rib::PolicySet: compiling inlines every named
// prefix-set into the rules that use it, so the set names (what the operator
// wrote and wants to read back) are gone. The sections are therefore printed
// from the document itself, after rib::compile_policies() accepted it:
// comments and quoting dropped, sets and policies in name order, each rule's
// keys in the order match, set, action (action made explicit: accept), match
// and set keys in the order rib/policy_config.hpp lists them, values in flow
// style. Printing the output again gives the same text.
// Pure. Must only be given a document that compile_policies() accepted.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace petrel::daemon {

// "prefix-sets: ...\npolicies: ...\n" (each "{}" when empty).
std::string normalized_policy_text(const YAML::Node& root);

}  // namespace petrel::daemon
