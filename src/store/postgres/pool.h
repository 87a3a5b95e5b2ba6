#pragma once

// The connection pool of one store handle (postgres.md, "Connection pool").
//
// At most `max_connections` connections, opened on demand. A caller that finds
// every connection busy waits up to `acquire_timeout`; then it gets
// Error(kPoolTimeout) and a warning is logged ("pool timed out while waiting
// for an open connection"). A connection that broke (the server restarted or
// went away) is dropped instead of returned, and the next caller opens a new
// one, so a restarted server heals without restarting Vestige.
//
// Every unit of work runs on ONE connection: nothing here ever waits for a
// second connection while holding a first (that deadlocks under load, and
// under servers that serialise transactions).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "store/postgres/connection.h"

namespace vestige::postgres {

struct PoolOptions {
  std::string conninfo;  // URL or key/value conninfo
  std::string where;     // the server as messages name it (password masked)
  int max_connections = 10;
  std::chrono::milliseconds acquire_timeout{30000};
};

class Pool {
 public:
  explicit Pool(PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs `work(connection)` on a pooled connection and returns what it
  // returns. When the connection turns out to be broken before any statement
  // of `work` succeeded (a server restart noticed on first use), every idle
  // connection is dropped too (they were opened to the same server and are as
  // dead), and `work` runs once more on a freshly opened connection: the
  // caller sees no error. A unit of work that a stale prepared statement
  // failed (SqlError::stale_plan) runs once more too. Any other failure after
  // a statement succeeded is not retried: it reaches the caller, a broken
  // connection is dropped, and the next call opens a new one.
  template <typename Work>
  std::invoke_result_t<Work&, Connection&> run(Work&& work);

  // The same inside BEGIN ... COMMIT; rolled back when `work` throws.
  // `begin` is the script that opens the transaction: "BEGIN" and, for a
  // search, its SET LOCAL settings, sent in the same round trip.
  template <typename Work>
  std::invoke_result_t<Work&, Connection&> transaction(Work&& work,
                                                       std::string_view begin = "BEGIN");

  const PoolOptions& options() const { return options_; }
  // True when the last acquire timed out (health reports it as degraded);
  // cleared by the next successful acquire.
  bool timed_out_recently() const;

 private:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.give_back(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *conn_; }

   private:
    Pool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  std::unique_ptr<Connection> acquire();
  void give_back(std::unique_ptr<Connection> conn);
  void drop_idle();

  const PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle plus leased
  bool timed_out_ = false;
};

template <typename Work>
std::invoke_result_t<Work&, Connection&> Pool::run(Work&& work) {
  for (int attempt = 1;; ++attempt) {
    Lease lease(*this, acquire());
    Connection& conn = *lease;
    conn.reset_counter();
    try {
      return work(conn);
    } catch (const SqlError& e) {
      if (attempt == 1 && conn.broken() && conn.succeeded() == 0) {
        drop_idle();
        continue;
      }
      // Only a transaction loses its work to a stale plan (see Connection::exec),
      // and it was rolled back: running it again is safe.
      if (attempt == 1 && e.stale_plan()) continue;
      throw;
    }
  }
}

template <typename Work>
std::invoke_result_t<Work&, Connection&> Pool::transaction(Work&& work, std::string_view begin) {
  return run([&](Connection& conn) -> std::invoke_result_t<Work&, Connection&> {
    conn.exec_script(begin);
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<Work&, Connection&>>) {
        work(conn);
        conn.exec_script("COMMIT");
      } else {
        auto result = work(conn);
        conn.exec_script("COMMIT");
        return result;
      }
    } catch (...) {
      if (!conn.broken()) {
        try {
          conn.exec_script("ROLLBACK");
        } catch (const Error&) {
          // The connection is dropped below if it broke; the first error is the story.
        }
      }
      throw;
    }
  });
}

}  // namespace vestige::postgres
