#pragma once

// Standard input for the stdio transport that also ends on SIGTERM, SIGINT
// or SIGHUP: a signal makes the stream report end of input, so the server
// leaves its read loop between two requests, never in the middle of one, and
// shuts down the way it does on EOF (every reply already sent was committed
// first; the store is closed cleanly). Between requests, when no input is
// waiting, a background callback runs: background work in small slices that
// never holds a request up for longer than one slice.

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
  // `background` runs whenever the input read so far has been handled and no
  // more is waiting, and every `poll_every` while none arrives; when it
  // returns true (more to do) it runs again as soon as no input is waiting. Throws
  // std::system_error when the signal descriptor cannot be created.
  SignalAwareInput(int fd, std::function<bool()> background, std::chrono::milliseconds poll_every);
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
  std::function<bool()> background_;
  std::chrono::milliseconds poll_every_;
  bool more_work_ = false;
  std::optional<int> signal_;
  std::array<char, 65536> buffer_{};
};

}  // namespace vestige::mcp_app
