// tests/shell/golden.hpp — compares text with a golden file under tests/golden/.
//
// check_golden("shell/help.txt", text) fails the doctest check when the file differs
// (and shows both). With PETREL_UPDATE_GOLDEN=1 in the environment it rewrites the file
// instead; review the diff with git before committing.
#pragma once

#include <string>

namespace petrel::test {
void check_golden(const std::string& relative_path, const std::string& actual);
}
