#include "store/sqlite/checkpointer.h"

namespace vestige::sqlite {

namespace {

// SQLite's own threshold for its automatic checkpoints.
constexpr int kSqliteDefaultFrames = 1000;

}  // namespace

Checkpointer::Checkpointer(Database& db, int frames)
    : db_(db), own_(Database::open(db.path(), {.create = false})), frames_(frames) {
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(db_.handle(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(db_.handle(), kSqliteDefaultFrames);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

int Checkpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (frames >= checkpointer->frames_) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return due_ || stop_; });
    if (stop_) return;
    due_ = false;
    lock.unlock();
    // Copies what no reader still needs; whatever is left goes with a later
    // checkpoint. A failure (another process checkpointing) changes nothing.
    sqlite3_wal_checkpoint_v2(own_.handle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace vestige::sqlite
