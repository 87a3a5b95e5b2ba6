#pragma once

// Access recording for recall (strength.h record_access: the testing effect).
// Each access is a read-modify-write of the memory's engine state: one read of
// the rows and one engine-state write (MemoryStore::update_engine_state, which
// neither rewrites the row nor re-indexes it) per batch. AccessRecorder takes
// even that off the recall's path: recall queues the ids and answers, a
// background thread writes them, coalescing what queued up meanwhile into one
// batch with one entry per memory.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "vestige/clock.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// Applies record_access(engine, at) to each memory, in order, and writes the
// engine states in one update_engine_state batch, one entry per distinct
// memory (a memory accessed twice gets both accesses in that one entry).
// Memories deleted meanwhile are skipped. Throws what the store throws.
void record_accesses(MemoryStore& store, std::span<const std::pair<Uuid, Timestamp>> accesses);

// Thread-safe. Writes through `store`, which must outlive the recorder; a
// second handle on the same database keeps these writes from queueing behind
// the recall's reads on one handle's connection.
class AccessRecorder {
 public:
  explicit AccessRecorder(MemoryStore& store);
  // Writes everything still queued, then stops; a failure then is dropped.
  ~AccessRecorder();
  AccessRecorder(const AccessRecorder&) = delete;
  AccessRecorder& operator=(const AccessRecorder&) = delete;

  // Queues one access at `at` for each id and returns at once.
  void record(std::span<const Uuid> ids, Timestamp at);

  // Waits until everything queued before the call is written. Rethrows the
  // first failure since the previous flush (the writes after it went on).
  void flush();

  // Accesses queued and not yet written.
  std::size_t pending() const;
  // Write batches that failed since the recorder started.
  std::size_t failures() const;

 private:
  void run();

  MemoryStore& store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<std::pair<Uuid, Timestamp>> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::size_t failures_ = 0;
  std::thread worker_;  // last: starts once everything above is initialised
};

}  // namespace vestige::engine
