#include "apps/vestige_mcp/signal_input.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace vestige::mcp_app {

namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

SignalAwareInput::SignalAwareInput(int fd, std::function<bool()> background,
                                   std::chrono::milliseconds poll_every)
    : fd_(fd), background_(std::move(background)), poll_every_(poll_every) {
  const sigset_t set = shutdown_signals();
  if (const int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
    throw std::system_error(rc, std::generic_category(), "blocking shutdown signals");
  }
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  if (signal_fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  setg(buffer_.data(), buffer_.data(), buffer_.data());
}

SignalAwareInput::~SignalAwareInput() {
  ::close(signal_fd_);
}

SignalAwareInput::int_type SignalAwareInput::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (signal_) return traits_type::eof();
  // The input read so far has been handled: the background callback gets a
  // look now if no input is waiting, not only after a quiet poll interval, so
  // that a client calling tools back to back still lets consolidation run.
  bool look_now = static_cast<bool>(background_);
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {fd_, POLLIN, 0}};
    const int timeout = more_work_ || look_now ? 0 : static_cast<int>(poll_every_.count());
    const int ready = ::poll(fds, 2, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return traits_type::eof();
    }
    if (ready == 0) {
      look_now = false;
      more_work_ = background_ && background_();
      continue;
    }
    // A pending signal wins over pending input: shutdown was asked for.
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        signal_ = static_cast<int>(info.ssi_signo);
        return traits_type::eof();
      }
    }
    if (fds[1].revents == 0) continue;
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }
}

}  // namespace vestige::mcp_app
