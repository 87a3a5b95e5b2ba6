#pragma once

// Progress of the operator tools (migrate copy, migrate reembed): a bar with
// rows/s and ETA when stderr is a terminal, a plain log line every few
// seconds otherwise (operations.md, "CLI conventions").
//
// Also the named fault points those tools pass, for the crash tests: when
// $VESTIGE_FAULT_POINT is "<name>:<n>" the process kills itself with SIGKILL
// the n-th time it reaches the point <name>, and with "<name>:<n>:<ms>" it
// does so <ms> milliseconds later from another thread, while the work after
// the point is under way; "<name>:<n>:pause<ms>" only waits <ms> milliseconds
// there (time for a test to stop the database). Unset, the points cost one
// comparison.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vestige::ops {

class Progress {
 public:
  // `out` is where the bar or the lines go (stderr in the CLI); `terminal`
  // chooses the bar. A total of 0 means unknown.
  Progress(std::ostream& out, bool terminal, std::string label, std::int64_t total);
  void advance(std::int64_t rows);
  // Ends the bar's line, or writes the final log line.
  void finish();
  double rows_per_second() const;
  double seconds() const;

 private:
  void draw(bool final);

  std::ostream& out_;
  const bool terminal_;
  const std::string label_;
  const std::int64_t total_;
  std::int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool finished_ = false;
};

class FaultPoints {
 public:
  // Parses a spec as described above; nullopt or empty disables every point.
  // Error(kUsage) for a malformed spec.
  explicit FaultPoints(std::optional<std::string> spec);
  // From $VESTIGE_FAULT_POINT.
  static FaultPoints from_environment();

  void reach(std::string_view name);

 private:
  std::string name_;
  int at_ = 0;
  int delay_ms_ = 0;
  bool pause_ = false;
  int reached_ = 0;
};

}  // namespace vestige::ops
