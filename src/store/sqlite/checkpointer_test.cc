#include "store/sqlite/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace vestige::sqlite {
namespace {

using ::vestige::testing::TempDir;

class CheckpointerTest : public ::testing::Test {
 protected:
  CheckpointerTest() { db_.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)"); }

  // One commit per row, each a few pages of log.
  void write_rows(int rows) {
    Statement insert = db_.prepare("INSERT INTO t (payload) VALUES (zeroblob(8000))");
    for (int i = 0; i < rows; ++i) {
      insert.reset();
      insert.run();
    }
  }

  std::uintmax_t wal_bytes() const {
    const std::filesystem::path wal = path_.string() + "-wal";
    return std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "test.db";
  Database db_ = Database::open(path_, {});
};

TEST_F(CheckpointerTest, CheckpointsFromItsOwnThreadAndKeepsTheLogBounded) {
  Checkpointer checkpointer(db_, 20);
  for (int round = 0; round < 20; ++round) {
    write_rows(10);
    // Give the thread its turn, as the time between two requests would.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpointer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(checkpointer.checkpoints(), 0);
  // 200 commits of 3 pages each would leave about 2.4 MB of log without
  // checkpoints; the log is reused from its start after each one.
  EXPECT_LT(wal_bytes(), 1'000'000u);
  Statement count = db_.prepare("SELECT count(*) FROM t");
  count.step();
  EXPECT_EQ(count.column_int64(0), 200);
}

TEST_F(CheckpointerTest, CommitsNoLongerCheckpointThemselvesWhileItRuns) {
  {
    Checkpointer checkpointer(db_, 1'000'000);  // a threshold never reached
    // About 1,500 pages: past the 1,000 at which a commit would checkpoint
    // by default, which would reuse the log from its start (about 4 MB).
    write_rows(500);
    // Nothing checkpointed the log: it holds every commit.
    EXPECT_GT(wal_bytes(), 5'500'000u);
    EXPECT_EQ(checkpointer.checkpoints(), 0);
  }
  // Afterwards the connection checkpoints as SQLite does by default again
  // (every 1,000 pages): 1,000 commits of 3 pages would leave about 12 MB.
  db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  write_rows(1000);
  EXPECT_LT(wal_bytes(), 6'000'000u);
  Statement count = db_.prepare("SELECT count(*) FROM t");
  count.step();
  EXPECT_EQ(count.column_int64(0), 1500);
}

}  // namespace
}  // namespace vestige::sqlite
