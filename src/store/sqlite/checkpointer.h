#pragma once

// Moves SQLite's WAL checkpoints off the commit path of a store's connection.
//
// By default the connection whose commit takes the write-ahead log past 1,000
// pages copies the log back into the database file and syncs it, inside that
// commit: a write that usually takes a fraction of a millisecond then takes
// 10-20 ms, which shows as the p99 of recall at 100,000 memories (access is
// recorded before returning). Here the commit only notes the log's size; a
// thread with a connection of its own runs a PASSIVE checkpoint (never waits
// for readers or writers) once the log reaches the threshold. Other processes
// sharing the file keep SQLite's own automatic checkpoints, so the log stays
// bounded even when this process stops.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

class Checkpointer {
 public:
  // Takes over `db`'s WAL hook (which turns off its automatic checkpoints)
  // and opens a second connection to the same file for the checkpoints.
  // `db` must outlive this object and be a writable, file-backed database in
  // WAL mode. Throws Error(kInit) when the second connection cannot be
  // opened; `db` is then left as it was.
  explicit Checkpointer(Database& db, int frames = 1000);
  // Stops the thread and gives `db` back SQLite's automatic checkpoints.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run so far (for tests and diagnostics).
  std::int64_t checkpoints() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void run();

  Database& db_;
  Database own_;
  const int frames_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stop_ = false;
  std::int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace vestige::sqlite
