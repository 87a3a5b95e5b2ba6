#include "store/sqlite/vector_sync.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite/search.h"
#include "store/sqlite/search_test_support.h"
#include "store/sqlite/snapshot_file.h"

namespace vestige::sqlite {
namespace {

using test_support::delete_row;
using test_support::insert_row;
using test_support::set_embedding;
using test_support::test_id;
using Origin = VectorSearchState::Origin;

std::vector<std::int64_t> nearest(SqliteSearch& search, std::vector<float> query,
                                  std::size_t limit = 10) {
  SearchQuery q;
  q.embedding = std::move(query);
  q.limit = limit;
  std::vector<std::int64_t> out;
  for (const SearchHit& h : search.vector_search(q)) out.push_back(h.seq);
  return out;
}

class VectorSyncTest : public test_support::SearchDatabaseTest {
 protected:
  VectorSyncTest() { test_support::register_dimension(db_, 2); }

  std::int64_t add(int n, std::vector<float> embedding) {
    return insert_row(db_, {.id = test_id(n), .content = "memory", .embedding = embedding});
  }
  std::filesystem::path snapshot_path() const { return path().string() + ".hnsw"; }
};

TEST_F(VectorSyncTest, AnotherConnectionSeesInsertsUpdatesAndDeletes) {
  const auto a = add(1, {1, 0});
  Database other_db = open_another();
  SqliteSearch other(other_db);
  EXPECT_EQ(nearest(other, {1, 0}), std::vector<std::int64_t>{a});

  const auto b = add(2, {1, 0.2f});
  EXPECT_EQ(nearest(other, {1, 0}), (std::vector<std::int64_t>{a, b}));

  set_embedding(db_, test_id(1), std::vector<float>{0, 1});  // a moves away
  EXPECT_EQ(nearest(other, {1, 0}), (std::vector<std::int64_t>{b, a}));

  delete_row(db_, test_id(2));
  EXPECT_EQ(nearest(other, {1, 0}), std::vector<std::int64_t>{a});

  set_embedding(db_, test_id(1), std::nullopt);  // embedding removed, row kept
  EXPECT_TRUE(nearest(other, {1, 0}).empty());

  set_embedding(db_, test_id(1), std::vector<float>{1, 1});
  EXPECT_EQ(nearest(other, {1, 0}), std::vector<std::int64_t>{a});
}

TEST_F(VectorSyncTest, ConnectionSeesItsOwnWrites) {
  // data_version does not change for a connection's own commits.
  SqliteSearch search(db_);
  EXPECT_TRUE(nearest(search, {1, 0}).empty());
  const auto a = add(1, {1, 0});
  EXPECT_EQ(nearest(search, {1, 0}), std::vector<std::int64_t>{a});
  delete_row(db_, test_id(1));
  EXPECT_TRUE(nearest(search, {1, 0}).empty());
}

TEST_F(VectorSyncTest, WritesInsideAnOpenTransactionAreSeenByItsConnection) {
  SqliteSearch search(db_);
  EXPECT_TRUE(nearest(search, {1, 0}).empty());
  WriteTransaction txn(db_);
  const auto a = add(1, {1, 0});
  EXPECT_EQ(nearest(search, {1, 0}), std::vector<std::int64_t>{a});
  txn.commit();
}

TEST_F(VectorSyncTest, SnapshotIsLoadedAndCaughtUpFromTheLog) {
  const auto a = add(1, {1, 0});
  const auto b = add(2, {0, 1});
  {
    SqliteSearch first(db_);
    EXPECT_EQ(nearest(first, {1, 0}), (std::vector<std::int64_t>{a, b}));
    first.save_snapshot();
  }
  ASSERT_TRUE(std::filesystem::exists(snapshot_path()));
  struct stat st {};
  ASSERT_EQ(::stat(snapshot_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(read_snapshot(snapshot_path(), kVectorSnapshot)->header.entries, 2u);

  // Changes after the snapshot: reach the next process through the log.
  const auto c = add(3, {1, 0.1f});
  delete_row(db_, test_id(1));
  set_embedding(db_, test_id(2), std::vector<float>{1, 0.5f});

  Database next_db = open_another();
  VectorSearchState state(next_db);
  state.sync();
  EXPECT_EQ(state.origin(), Origin::kSnapshot);
  ASSERT_NE(state.index(), nullptr);
  EXPECT_EQ(state.index()->size(), 2u);
  EXPECT_FALSE(state.index()->contains(a));
  EXPECT_EQ(state.applied_log_seq(), 5);

  SqliteSearch next(next_db);
  EXPECT_EQ(nearest(next, {1, 0}), (std::vector<std::int64_t>{c, b}));
}

TEST_F(VectorSyncTest, SnapshotIsWrittenOnlyWhenTheIndexChanged) {
  add(1, {1, 0});
  VectorSearchState state(db_);
  state.save_snapshot();  // never loaded: nothing to write
  EXPECT_FALSE(std::filesystem::exists(snapshot_path()));
  state.sync();
  state.save_snapshot();
  ASSERT_TRUE(std::filesystem::exists(snapshot_path()));

  std::filesystem::remove(snapshot_path());
  state.sync();
  state.save_snapshot();  // unchanged since the last save
  EXPECT_FALSE(std::filesystem::exists(snapshot_path()));

  add(2, {0, 1});
  state.sync();
  state.save_snapshot();
  EXPECT_TRUE(std::filesystem::exists(snapshot_path()));

  Database next_db = open_another();
  VectorSearchState loaded(next_db);
  loaded.sync();
  ASSERT_EQ(loaded.origin(), Origin::kSnapshot);
  std::filesystem::remove(snapshot_path());
  loaded.save_snapshot();  // loaded and nothing replayed: same as the file
  EXPECT_FALSE(std::filesystem::exists(snapshot_path()));
}

TEST_F(VectorSyncTest, DamagedSnapshotIsRebuilt) {
  const auto a = add(1, {1, 0});
  {
    VectorSearchState state(db_);
    state.sync();
    state.save_snapshot();
  }
  // Flip a byte in the middle of the payload.
  {
    std::fstream file(snapshot_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(snapshot_path()) / 2));
    file.put('\x5a');
  }
  Database next_db = open_another();
  VectorSearchState state(next_db);
  state.sync();
  EXPECT_EQ(state.origin(), Origin::kBuilt);
  EXPECT_TRUE(state.index()->contains(a));

  // A truncated file and a file of garbage: the same.
  std::filesystem::resize_file(snapshot_path(), 20);
  VectorSearchState truncated(next_db);
  truncated.sync();
  EXPECT_EQ(truncated.origin(), Origin::kBuilt);
  std::ofstream(snapshot_path(), std::ios::trunc) << "not a snapshot";
  VectorSearchState garbage(next_db);
  garbage.sync();
  EXPECT_EQ(garbage.origin(), Origin::kBuilt);
}

TEST_F(VectorSyncTest, LogPrunedPastTheSnapshotForcesARebuild) {
  add(1, {1, 0});
  {
    VectorSearchState state(db_);
    state.sync();
    state.save_snapshot();
  }
  const auto b = add(2, {0, 1});
  const auto c = add(3, {1, 1});
  db_.exec("DELETE FROM vector_log WHERE log_seq <= 2");  // the snapshot is at 1
  Database next_db = open_another();
  VectorSearchState state(next_db);
  state.sync();
  EXPECT_EQ(state.origin(), Origin::kBuilt);
  EXPECT_EQ(state.index()->size(), 3u);
  EXPECT_TRUE(state.index()->contains(b));
  EXPECT_TRUE(state.index()->contains(c));
  EXPECT_EQ(state.applied_log_seq(), 3);
}

TEST_F(VectorSyncTest, RunningIndexRebuildsWhenTheLogIsPrunedPastIt) {
  Database other_db = open_another();
  VectorSearchState state(other_db);
  add(1, {1, 0});
  state.sync();
  const auto b = add(2, {0, 1});
  db_.exec("DELETE FROM vector_log");
  state.sync();
  EXPECT_EQ(state.origin(), Origin::kBuilt);
  EXPECT_TRUE(state.index()->contains(b));
}

TEST_F(VectorSyncTest, SnapshotOfAnotherDatabaseIsNotUsed) {
  // A database deleted and created again at the same path: same seqs, same
  // log positions, different vectors.
  add(1, {1, 0});
  add(2, {1, 0.1f});
  {
    VectorSearchState state(db_);
    state.sync();
    state.save_snapshot();
  }
  const std::filesystem::path other_path = dir_.path() / "other.db";
  Database other_db = Database::open(other_path);
  test_support::apply_schema(other_db);
  test_support::register_dimension(other_db, 2);
  for (int n = 1; n <= 4; ++n) {
    insert_row(other_db, {.id = test_id(n), .content = "x", .embedding = std::vector<float>{0, 1}});
  }
  std::filesystem::copy_file(snapshot_path(), other_path.string() + ".hnsw");
  VectorSearchState state(other_db);
  state.sync();
  EXPECT_EQ(state.origin(), Origin::kBuilt);
  EXPECT_NEAR(*state.index()->distance(1, std::vector<float>{0, 1}), 0.0, 1e-9);
}

TEST_F(VectorSyncTest, ModelOfAnotherDimensionRebuildsTheIndex) {
  const auto a = add(1, {1, 0});
  const auto b = add(2, {0, 1});
  Database other_db = open_another();
  SqliteSearch other(other_db);
  EXPECT_EQ(nearest(other, {1, 0}), (std::vector<std::int64_t>{a, b}));
  // Another process re-embeds everything with a 3-dimensional model.
  {
    WriteTransaction txn(db_);
    test_support::register_dimension(db_, 3);
    set_embedding(db_, test_id(1), std::vector<float>{0, 0, 1});
    set_embedding(db_, test_id(2), std::vector<float>{1, 0, 0});
    txn.commit();
  }
  EXPECT_EQ(nearest(other, {1, 0, 0}), (std::vector<std::int64_t>{b, a}));
}

TEST_F(VectorSyncTest, VectorsOfAnotherDimensionAreLeftOut) {
  const auto a = add(1, {1, 0});
  SqliteSearch search(db_);
  EXPECT_EQ(nearest(search, {1, 0}), std::vector<std::int64_t>{a});
  // A stray vector of the wrong length (the registry still says 2).
  insert_row(db_, {.id = test_id(2), .content = "x", .embedding = std::vector<float>{1, 0, 0}});
  EXPECT_EQ(nearest(search, {1, 0}), std::vector<std::int64_t>{a});
  Database fresh_db = open_another();
  SqliteSearch fresh(fresh_db);
  EXPECT_EQ(nearest(fresh, {1, 0}), std::vector<std::int64_t>{a});
}

TEST_F(VectorSyncTest, QueryOfTheWrongDimensionIsInvalidInput) {
  add(1, {1, 0});
  SqliteSearch search(db_);
  try {
    nearest(search, {1, 0, 0});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST_F(VectorSyncTest, UnwritableSnapshotIsABackendError) {
  add(1, {1, 0});
  VectorSearchState state(db_);
  state.sync();
  std::filesystem::create_directory(snapshot_path());  // rename onto a directory fails
  try {
    state.save_snapshot();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBackend);
    EXPECT_NE(std::string(e.what()).find(snapshot_path().string()), std::string::npos);
  }
  // No temporary file is left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 4u);  // the database, its -wal and -shm, the directory in the way
}

TEST_F(VectorSyncTest, InMemoryDatabaseHasNoSnapshot) {
  Database memory = Database::open(":memory:", {.create = false});
  test_support::apply_schema(memory);
  VectorSearchState state(memory);
  EXPECT_FALSE(state.snapshot_path().has_value());
}

}  // namespace
}  // namespace vestige::sqlite
