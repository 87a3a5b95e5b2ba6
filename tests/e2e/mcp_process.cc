#include "e2e/mcp_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace vestige::testing {

namespace {

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::strerror(errno));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

McpProcess::McpProcess(const std::string& program, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) {
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0 && name.rfind("VESTIGE_", 0) != 0) env_storage.push_back(entry);
  }
  for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) {
    close_fd(in_);
    close_fd(out_);
    close_fd(err_fd_);
    throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  }
}

McpProcess::~McpProcess() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close_fd(in_);
  close_fd(out_);
  close_fd(err_fd_);
}

void McpProcess::send(std::string_view line) {
  std::string data(line);
  data += '\n';
  std::size_t written = 0;
  while (written < data.size()) {
    // Keep draining the outputs so a server blocked on a full pipe cannot
    // dead-lock a large write.
    pollfd p{in_, POLLOUT, 0};
    if (::poll(&p, 1, 10) > 0) {
      const ssize_t n = ::write(in_, data.data() + written, data.size() - written);
      if (n < 0 && errno != EINTR && errno != EAGAIN) throw std::runtime_error("write to server");
      if (n > 0) written += static_cast<std::size_t>(n);
    } else {
      pump(std::chrono::milliseconds(0));
    }
  }
}

bool McpProcess::pump(std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  if (out_ >= 0) fds.push_back({out_, POLLIN, 0});
  if (err_fd_ >= 0) fds.push_back({err_fd_, POLLIN, 0});
  if (fds.empty()) return false;
  if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return true;
  std::array<char, 65536> buffer{};
  for (const pollfd& p : fds) {
    if (p.revents == 0) continue;
    const ssize_t n = ::read(p.fd, buffer.data(), buffer.size());
    const bool is_out = p.fd == out_;
    if (n > 0) {
      (is_out ? out_buffer_ : err_).append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      close_fd(is_out ? out_ : err_fd_);
    }
  }
  return true;
}

std::optional<std::string> McpProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto newline = out_buffer_.find('\n'); newline != std::string::npos) {
      std::string line = out_buffer_.substr(0, newline);
      out_buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_ < 0) return std::nullopt;
    pump(left);
  }
}

Json McpProcess::request(std::string_view method, Json params) {
  const long id = next_id_++;
  send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
           .dump());
  const std::optional<std::string> line = read_line();
  if (!line) throw std::runtime_error("no reply to " + std::string(method) + "; stderr: " + err());
  return Json::parse(*line);
}

Json McpProcess::call_tool(std::string_view name, Json arguments) {
  Json reply = request("tools/call", Json{{"name", name}, {"arguments", std::move(arguments)}});
  if (!reply.contains("result")) throw std::runtime_error("tools/call failed: " + reply.dump());
  return reply["result"];
}

Json McpProcess::initialize(std::string_view version) {
  Json reply = request("initialize", Json{{"protocolVersion", version},
                                          {"capabilities", Json::object()},
                                          {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
  send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  return reply;
}

void McpProcess::close_stdin() {
  close_fd(in_);
}

void McpProcess::kill(int signal) {
  ::kill(pid_, signal);
}

int McpProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_ >= 0 || err_fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pump(left);
  }
  while (const auto line = read_line(std::chrono::milliseconds(0))) remaining_.push_back(*line);
  if (!out_buffer_.empty()) remaining_.push_back(std::exchange(out_buffer_, {}));
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return *exit_code_;
}

const std::string& McpProcess::err() {
  pump(std::chrono::milliseconds(0));
  return err_;
}

bool McpProcess::wait_for_err(std::string_view text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (err_.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || err_fd_ < 0) return false;
    pump(left);
  }
  return true;
}

}  // namespace vestige::testing
