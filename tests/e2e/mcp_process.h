#pragma once

// A running vestige-mcp for end-to-end tests: lines written to its standard
// input, lines read back from its standard output as they come, standard
// error collected, signals, and its exit code.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/types.h"

namespace vestige::testing {

class McpProcess {
 public:
  McpProcess(const std::string& program, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {});
  ~McpProcess();  // kills the process if it is still running
  McpProcess(const McpProcess&) = delete;
  McpProcess& operator=(const McpProcess&) = delete;

  // Writes `line` and a newline.
  void send(std::string_view line);
  // The next line of standard output, without its newline; nullopt when the
  // output ended or nothing came within `timeout`.
  std::optional<std::string> read_line(
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Sends a request with the next id and returns the response (parsed).
  Json request(std::string_view method, Json params = Json::object());
  // tools/call; returns the call's `result` (a tool result, isError or not).
  Json call_tool(std::string_view name, Json arguments);
  // initialize with `version`, then notifications/initialized.
  Json initialize(std::string_view version = "2025-06-18");

  void close_stdin();
  void kill(int signal);
  // Waits for exit (reading the rest of both outputs); -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Standard error so far (everything, after wait()).
  const std::string& err();
  // Reads until standard error contains `text`; false when it did not in time.
  bool wait_for_err(std::string_view text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Standard output lines read by wait() after the last read_line().
  const std::vector<std::string>& remaining_lines() const { return remaining_; }

 private:
  // Reads whatever is available from both pipes within `timeout`; false when
  // both have ended.
  bool pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_fd_ = -1;
  std::string out_buffer_;
  std::string err_;
  std::vector<std::string> remaining_;
  std::optional<int> exit_code_;
  long next_id_ = 1;
};

}  // namespace vestige::testing
