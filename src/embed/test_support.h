#pragma once

// Test-only helpers for the embed tests: a local HTTP server that plays an
// embeddings server, and error capture. Not part of vestige_embed (the module
// library is built from .cc files only).

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/capture_error.h"
#include "vestige/error.h"
#include "vestige/types.h"

namespace vestige::embed::test_support {

// Serves POST `path` on 127.0.0.1 at a free port from a thread of its own,
// recording every request and answering through `handler`.
class FakeHttpServer {
 public:
  struct Request {
    std::string path;
    Json body;  // discarded if the body was not JSON
    std::string authorization;
  };
  // `call` counts requests to `path` from 0.
  using Handler = std::function<void(const Json& body, int call, httplib::Response& response)>;

  FakeHttpServer(const std::string& path, Handler handler) : handler_(std::move(handler)) {
    server_.set_keep_alive_timeout(1);
    server_.set_tcp_nodelay(true);  // else every kept-alive reply waits for a delayed ACK
    server_.Post(path, [this](const httplib::Request& request, httplib::Response& response) {
      Json body = Json::parse(request.body, nullptr, false);
      int call = 0;
      {
        const std::lock_guard lock(mutex_);
        call = static_cast<int>(requests_.size());
        requests_.push_back({request.path, body, request.get_header_value("Authorization")});
      }
      handler_(body, call, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("the fake server cannot bind to 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("the fake server did not start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  ~FakeHttpServer() {
    {
      const std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_changed_.notify_all();
    server_.stop();
    thread_.join();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Request> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }

  // For a handler playing a slow server: blocks for `limit`, or less if the
  // server is being destroyed, so that tests do not wait for it.
  void stall(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    released_changed_.wait_for(lock, limit, [this] { return released_; });
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable released_changed_;
  bool released_ = false;
  std::vector<Request> requests_;
};

// A local port where nothing listens: bound once by the kernel's choice, then
// closed.
inline int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free port");
  return ntohs(address.sin_port);
}

using ::vestige::testing::capture_error;

}  // namespace vestige::embed::test_support
