#include "engine/access_recorder.h"

#include <unordered_map>

#include "engine/strength.h"

namespace vestige::engine {

void record_accesses(MemoryStore& store, std::span<const std::pair<Uuid, Timestamp>> accesses) {
  std::vector<Uuid> ids;
  ids.reserve(accesses.size());
  for (const auto& access : accesses) ids.push_back(access.first);
  std::unordered_map<Uuid, EngineState> states;
  for (const Memory& m : store.get_batch(ids)) states.emplace(m.id, m.engine);
  for (const auto& [id, at] : accesses) {
    auto it = states.find(id);
    if (it != states.end()) it->second = record_access(it->second, at);
  }
  // In the order of first access; each memory once (erased once taken).
  std::vector<EngineStateUpdate> updates;
  updates.reserve(states.size());
  for (const Uuid& id : ids) {
    auto it = states.find(id);
    if (it == states.end()) continue;
    updates.push_back({id, it->second});
    states.erase(it);
  }
  // A memory deleted between the read and the write is reported missing and
  // skipped: nothing is left to strengthen.
  store.update_engine_state(updates);
}

AccessRecorder::AccessRecorder(MemoryStore& store) : store_(store), worker_([this] { run(); }) {}

AccessRecorder::~AccessRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void AccessRecorder::record(std::span<const Uuid> ids, Timestamp at) {
  if (ids.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (const Uuid& id : ids) queue_.emplace_back(id, at);
  }
  wake_.notify_one();
}

void AccessRecorder::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && !writing_; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

std::size_t AccessRecorder::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t AccessRecorder::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

void AccessRecorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::vector<std::pair<Uuid, Timestamp>> batch = std::exchange(queue_, {});
    writing_ = true;
    lock.unlock();
    std::exception_ptr failure;
    try {
      record_accesses(store_, batch);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    writing_ = false;
    if (failure) {
      ++failures_;
      if (!error_) error_ = failure;
    }
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace vestige::engine
