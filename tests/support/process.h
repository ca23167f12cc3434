#pragma once

#include <string>
#include <vector>

namespace sqlite_cdc::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs a program to completion with the given arguments (no shell), capturing stdout and stderr.
ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args);

// Path of one of the built command-line programs.
std::string BinaryPath(const std::string& name);

}  // namespace sqlite_cdc::testing
