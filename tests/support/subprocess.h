#pragma once

// Runs a real binary to completion for end-to-end tests: arguments, extra
// environment, standard input, and its captured output and exit code.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vestige::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  std::vector<std::string> unset_env;
  std::string stdin_text;
  std::chrono::seconds timeout{60};  // the child is killed after this
};

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const ProcessOptions& options = {});

}  // namespace vestige::testing
