// policy/command.hpp — run an external program with text on stdin, capture its output.
//
// The only place petrel-policy starts processes (iptables-save/-restore, ipset). No
// shell: argv is executed directly (execvp). stdin, stdout and stderr go through
// unlinked temporary files, so large inputs and outputs cannot deadlock. Errors are
// values; a program that exits non-zero is a normal CommandResult.
#pragma once

#include "core/result.hpp"

#include <string>
#include <vector>

namespace petrel::policy {

struct CommandResult {
  int exit_code = -1;  // 127: could not be executed
  std::string out;
  std::string err;
};

Result<CommandResult, Error> run_command(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace petrel::policy
