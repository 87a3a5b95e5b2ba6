#pragma once

// Standard input for the stdio transport that also ends on SIGTERM, SIGINT
// or SIGHUP: a signal makes the stream report end of input, so the server
// leaves its read loop between two requests, never in the middle of one, and
// shuts down the way it does on EOF (every reply already sent was committed
// first; the store is closed cleanly). While no input arrives, an idle
// callback runs now and then, for background work that must not delay a
// request.

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <streambuf>

namespace vestige::mcp_app {

class SignalAwareInput : public std::streambuf {
 public:
  // Blocks the shutdown signals in the calling thread (call it before any
  // other thread starts, so every thread inherits the mask) and reads `fd`.
  // `idle` runs after `idle_after` without input, then again after every
  // further `idle_after`. Throws std::system_error when the signal descriptor
  // cannot be created.
  SignalAwareInput(int fd, std::function<void()> idle, std::chrono::milliseconds idle_after);
  ~SignalAwareInput() override;
  SignalAwareInput(const SignalAwareInput&) = delete;
  SignalAwareInput& operator=(const SignalAwareInput&) = delete;

  // The signal that ended input, if one did.
  std::optional<int> signal() const { return signal_; }

 protected:
  int_type underflow() override;

 private:
  int fd_;
  int signal_fd_;
  std::function<void()> idle_;
  std::chrono::milliseconds idle_after_;
  std::optional<int> signal_;
  std::array<char, 65536> buffer_{};
};

}  // namespace vestige::mcp_app
