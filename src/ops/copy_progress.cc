#include "ops/copy_progress.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>
#include <thread>

#include "vestige/error.h"

namespace vestige::ops {

namespace {

constexpr auto kLogInterval = std::chrono::seconds(5);
constexpr auto kDrawInterval = std::chrono::milliseconds(200);

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

Progress::Progress(std::ostream& out, bool terminal, std::string label, std::int64_t total)
    : out_(out),
      terminal_(terminal),
      label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::rows_per_second() const {
  const double s = seconds();
  return s > 0 ? static_cast<double>(done_) / s : 0.0;
}

void Progress::advance(std::int64_t rows) {
  done_ += rows;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >=
      (terminal_ ? std::chrono::duration_cast<std::chrono::milliseconds>(kDrawInterval)
                 : std::chrono::duration_cast<std::chrono::milliseconds>(kLogInterval))) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void Progress::draw(bool final) {
  const double rate = rows_per_second();
  std::string eta;
  if (!final && total_ > 0 && rate > 0 && done_ < total_) {
    eta = fmt::format(", ETA {}", duration_text(static_cast<double>(total_ - done_) / rate));
  }
  const std::string count =
      total_ > 0 ? fmt::format("{}/{}", done_, total_) : fmt::format("{}", done_);
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled =
        total_ > 0 ? static_cast<int>(kWidth * std::min<std::int64_t>(done_, total_) / total_)
                   : (final ? kWidth : 0);
    out_ << fmt::format("\r{:<18} [{}{}] {} rows, {:.0f} rows/s{}\x1b[K", label_,
                        std::string(filled, '#'), std::string(kWidth - filled, ' '), count, rate,
                        eta);
    if (final) out_ << '\n';
  } else {
    out_ << fmt::format("{}: {} rows{}, {:.0f} rows/s{}\n", label_, count, final ? " done" : "",
                        rate, eta);
  }
  out_.flush();
}

FaultPoints::FaultPoints(std::optional<std::string> spec) {
  if (!spec || spec->empty()) return;
  const auto bad = [&] {
    return Error(ErrorCode::kUsage,
                 fmt::format("VESTIGE_FAULT_POINT must be <name>:<count>[:[pause]<milliseconds>], "
                             "not \"{}\"",
                             *spec));
  };
  const auto first = spec->find(':');
  if (first == std::string::npos || first == 0) throw bad();
  name_ = spec->substr(0, first);
  const auto second = spec->find(':', first + 1);
  try {
    at_ = std::stoi(spec->substr(first + 1, second - first - 1));
    if (second != std::string::npos) {
      std::string delay = spec->substr(second + 1);
      pause_ = delay.starts_with("pause");
      if (pause_) delay.erase(0, 5);
      delay_ms_ = std::stoi(delay);
    }
  } catch (const std::exception&) {
    throw bad();
  }
  if (at_ < 1 || delay_ms_ < 0) throw bad();
}

FaultPoints FaultPoints::from_environment() {
  const char* spec = std::getenv("VESTIGE_FAULT_POINT");
  return FaultPoints(spec ? std::optional<std::string>(spec) : std::nullopt);
}

void FaultPoints::reach(std::string_view name) {
  if (name_.empty() || name != name_ || ++reached_ != at_) return;
  if (pause_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    return;
  }
  if (delay_ms_ == 0) ::kill(::getpid(), SIGKILL);
  std::thread([delay = delay_ms_] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(::getpid(), SIGKILL);
  }).detach();
}

}  // namespace vestige::ops
