#include "store/postgres/pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vestige::postgres {

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
  if (options_.max_connections < 1) {
    throw Error(ErrorCode::kConfig,
                fmt::format("[storage.postgres] max_connections must be at least 1, not {}",
                            options_.max_connections));
  }
}

std::unique_ptr<Connection> Pool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->broken()) {
        timed_out_ = false;
        return conn;
      }
      --open_;  // dropped: the server closed it while it was idle
      continue;
    }
    if (open_ < options_.max_connections) {
      ++open_;
      lock.unlock();
      try {
        auto conn = Connection::open(options_.conninfo, options_.where);
        std::lock_guard relock(mutex_);
        timed_out_ = false;
        return conn;
      } catch (...) {
        std::lock_guard relock(mutex_);
        --open_;
        freed_.notify_one();
        throw;
      }
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      timed_out_ = true;
      const auto seconds = std::chrono::duration<double>(options_.acquire_timeout).count();
      spdlog::warn(
          "pool timed out while waiting for an open connection to PostgreSQL at {} "
          "({} connections busy for {:g} s)",
          options_.where, options_.max_connections, seconds);
      throw Error(ErrorCode::kPoolTimeout,
                  fmt::format("pool timed out while waiting for an open connection: all {} "
                              "connections to PostgreSQL at {} stayed busy for {:g} s. Raise "
                              "[storage.postgres] max_connections or acquire_timeout_secs, or "
                              "look for long-running statements in pg_stat_activity",
                              options_.max_connections, options_.where, seconds));
    }
  }
}

void Pool::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  // A connection left inside a transaction (an error while rolling back) is
  // not reusable either.
  if (conn->broken() || PQtransactionStatus(conn->handle()) != PQTRANS_IDLE) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

void Pool::drop_idle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    open_ -= static_cast<int>(dropped.size());
  }
  freed_.notify_all();
  // The connections close here, outside the lock.
}

bool Pool::timed_out_recently() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

}  // namespace vestige::postgres
