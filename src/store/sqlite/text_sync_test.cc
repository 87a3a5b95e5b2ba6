#include "store/sqlite/text_sync.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/schema.h"
#include "store/sqlite/search.h"
#include "store/sqlite/search_test_support.h"
#include "store/sqlite/snapshot_file.h"
#include "store/sqlite/sqlite_store.h"

namespace vestige::sqlite {
namespace {

using test_support::delete_row;
using test_support::insert_row;
using test_support::test_id;
using Origin = TextSearchState::Origin;

// A connection's text index: its own tokenizer and state.
struct TextState {
  explicit TextState(Database& db) : tokenizer(db), state(db, tokenizer) {}
  TextTokenizer tokenizer;
  TextSearchState state;

  // Every memory matching any of `words`, by seq, with its score.
  std::map<std::int64_t, double> scores(const std::vector<std::string>& words) {
    state.sync();
    std::vector<TextIndex::Phrase> phrases;
    for (const std::string& word : words) {
      for (std::string& token : tokenizer.query_tokens(word)) {
        phrases.push_back({.token = std::move(token), .rows = {}});
      }
    }
    std::map<std::int64_t, double> out;
    for (const TextIndex::Match& m : state.index().score(phrases)) {
      out[state.index().seq(m.slot)] = m.score;
    }
    return out;
  }
};

const std::vector<std::string> kQueries[] = {
    {"apple"}, {"common"}, {"decision", "banana"}, {"running", "tagged"}, {"nothing"}};

std::string content(int n) {
  static const char* const kWords[] = {"apple", "banana", "cherry", "running", "common"};
  std::string text = "memory number " + std::to_string(n);
  for (int i = 0; i <= n % 7; ++i) text += std::string(" ") + kWords[(n + i) % 5];
  return text;
}

class TextSyncTest : public test_support::SearchDatabaseTest {
 protected:
  std::int64_t add(int n) {
    return insert_row(db_, {.id = test_id(n),
                            .content = content(n),
                            .node_type = n % 3 == 0 ? "decision" : "fact",
                            .tags = n % 4 == 0 ? std::vector<std::string>{"tagged", "common"}
                                               : std::vector<std::string>{}});
  }
  void update(int n, const std::string& text) {
    Statement update = db_.prepare("UPDATE knowledge_nodes SET content = ? WHERE id = ?");
    update.bind(1, text).bind(2, test_id(n));
    update.run();
  }
  std::filesystem::path snapshot_file() const { return path().string() + ".text"; }

  // Saves a snapshot of the database as it is now.
  void save() {
    TextState text(db_);
    text.state.sync();
    ASSERT_EQ(text.state.origin(), Origin::kBuilt);
    text.state.save_snapshot();
    ASSERT_TRUE(std::filesystem::exists(snapshot_file()));
  }

  // Scores every query from the snapshot, expecting it to be `origin`, and
  // from an index built from the table; expects the same scores.
  void expect_scores_as_a_fresh_build(Origin origin) {
    Database loaded_db = open_another();
    TextState loaded(loaded_db);
    loaded.state.sync();
    EXPECT_EQ(loaded.state.origin(), origin);
    const std::filesystem::path aside = snapshot_file().string() + ".aside";
    std::filesystem::rename(snapshot_file(), aside);
    Database fresh_db = open_another();
    TextState fresh(fresh_db);
    fresh.state.sync();
    ASSERT_EQ(fresh.state.origin(), Origin::kBuilt);
    std::filesystem::rename(aside, snapshot_file());
    EXPECT_EQ(loaded.state.index().documents(), fresh.state.index().documents());
    EXPECT_EQ(loaded.state.index().total_tokens(), fresh.state.index().total_tokens());
    EXPECT_EQ(loaded.state.applied_log_seq(), fresh.state.applied_log_seq());
    for (const auto& words : kQueries) {
      const std::map<std::int64_t, double> expected = fresh.scores(words);
      const std::map<std::int64_t, double> actual = loaded.scores(words);
      ASSERT_EQ(actual.size(), expected.size()) << words.front();
      for (const auto& [seq, score] : expected) {
        ASSERT_TRUE(actual.contains(seq)) << seq;
        EXPECT_EQ(actual.at(seq), score) << words.front() << " " << seq;
      }
    }
  }
};

TEST_F(TextSyncTest, SnapshotRoundTripScoresAsAFreshBuild) {
  for (int n = 1; n <= 200; ++n) add(n);
  // Replaced and deleted memories: dead postings in the saved index.
  for (int n = 1; n <= 200; n += 3) update(n, "rewritten apple " + std::to_string(n));
  for (int n = 5; n <= 200; n += 10) delete_row(db_, test_id(n));
  save();
  struct stat st {};
  ASSERT_EQ(::stat(snapshot_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::optional<Snapshot> snapshot = read_snapshot(snapshot_file(), kTextSnapshot);
  EXPECT_EQ(snapshot->header.entries, 180u);
  EXPECT_EQ(snapshot->header.log_seq, 287);  // 200 inserts, 67 updates, 20 deletes
  expect_scores_as_a_fresh_build(Origin::kSnapshot);
}

TEST_F(TextSyncTest, SnapshotIsCaughtUpWithWritesMadeAfterIt) {
  for (int n = 1; n <= 100; ++n) add(n);
  save();
  // Another connection writes after the snapshot: the next process replays
  // the log on top of it.
  Database writer = open_another();
  insert_row(writer, {.id = test_id(101), .content = "a late apple"});
  Statement rewrite = writer.prepare("UPDATE knowledge_nodes SET tags = ? WHERE id = ?");
  rewrite.bind(1, R"(["banana"])").bind(2, test_id(7));
  rewrite.run();
  delete_row(writer, test_id(8));

  Database next_db = open_another();
  TextState next(next_db);
  next.state.sync();
  EXPECT_EQ(next.state.origin(), Origin::kSnapshot);
  EXPECT_EQ(next.state.applied_log_seq(), 103);
  EXPECT_EQ(next.state.index().documents(), 100);
  EXPECT_FALSE(next.state.index().find(8).has_value());
  EXPECT_TRUE(next.scores({"late"}).contains(101));
  expect_scores_as_a_fresh_build(Origin::kSnapshot);

  // The caught-up index differs from the file: saved again on request.
  std::filesystem::remove(snapshot_file());
  next.state.save_snapshot();
  EXPECT_EQ(read_snapshot(snapshot_file(), kTextSnapshot)->header.log_seq, 103);
}

TEST_F(TextSyncTest, SnapshotIsWrittenOnlyWhenTheIndexChanged) {
  add(1);
  TextState text(db_);
  text.state.save_snapshot();  // never loaded: nothing to write
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
  text.state.sync();
  text.state.save_snapshot();
  ASSERT_TRUE(std::filesystem::exists(snapshot_file()));
  std::filesystem::remove(snapshot_file());
  text.state.save_snapshot();  // unchanged since the last save
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
  add(2);
  text.state.sync();
  text.state.save_snapshot();
  ASSERT_TRUE(std::filesystem::exists(snapshot_file()));

  Database next_db = open_another();
  TextState loaded(next_db);
  loaded.state.sync();
  ASSERT_EQ(loaded.state.origin(), Origin::kSnapshot);
  std::filesystem::remove(snapshot_file());
  loaded.state.save_snapshot();  // loaded and nothing replayed: same as the file
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

TEST_F(TextSyncTest, DamagedOrTruncatedSnapshotIsRebuilt) {
  for (int n = 1; n <= 50; ++n) add(n);
  save();
  {
    std::fstream file(snapshot_file(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(snapshot_file()) / 2));
    file.put('\x5a');
  }
  expect_scores_as_a_fresh_build(Origin::kBuilt);
  save();
  std::filesystem::resize_file(snapshot_file(), std::filesystem::file_size(snapshot_file()) - 1);
  expect_scores_as_a_fresh_build(Origin::kBuilt);
  std::filesystem::resize_file(snapshot_file(), 20);
  expect_scores_as_a_fresh_build(Origin::kBuilt);
  // The vector index's snapshot under the text index's name.
  save();
  write_snapshot(snapshot_file(), kVectorSnapshot, {}, std::string("payload"));
  expect_scores_as_a_fresh_build(Origin::kBuilt);
}

TEST_F(TextSyncTest, SnapshotOfAnotherDatabaseIsNotUsed) {
  // A database deleted and created again at the same path: same seqs, same
  // log positions, same number of memories, other words.
  for (int n = 1; n <= 40; ++n) add(n);
  save();
  const std::filesystem::path other_path = dir_.path() / "other.db";
  {
    Database other_db = Database::open(other_path);
    test_support::apply_schema(other_db);
    for (int n = 1; n <= 40; ++n) {
      insert_row(other_db, {.id = test_id(n), .content = "another database entirely"});
    }
  }
  std::filesystem::copy_file(snapshot_file(), other_path.string() + ".text");
  Database other_db = Database::open(other_path);
  TextState other(other_db);
  other.state.sync();
  EXPECT_EQ(other.state.origin(), Origin::kBuilt);
  EXPECT_EQ(other.scores({"entirely"}).size(), 40u);
  EXPECT_TRUE(other.scores({"apple"}).empty());
}

TEST_F(TextSyncTest, LogPrunedPastTheSnapshotForcesARebuild) {
  for (int n = 1; n <= 10; ++n) add(n);
  save();
  add(11);
  add(12);
  db_.exec("DELETE FROM text_log WHERE log_seq <= 11");  // the snapshot is at 10
  Database next_db = open_another();
  TextState next(next_db);
  next.state.sync();
  EXPECT_EQ(next.state.origin(), Origin::kBuilt);
  EXPECT_EQ(next.state.index().documents(), 12);
  EXPECT_EQ(next.state.applied_log_seq(), 12);
}

TEST_F(TextSyncTest, ReadOnlyHandleWritesNothing) {
  for (int n = 1; n <= 10; ++n) add(n);
  Database read_only = Database::open(path(), {.read_only = true});
  TextState text(read_only);
  text.state.sync();
  ASSERT_EQ(text.state.origin(), Origin::kBuilt);
  text.state.save_snapshot();
  EXPECT_FALSE(std::filesystem::exists(snapshot_file()));
}

TEST_F(TextSyncTest, InMemoryDatabaseHasNoSnapshot) {
  Database memory = Database::open(":memory:", {.create = false});
  test_support::apply_schema(memory);
  insert_row(memory, {.id = test_id(1), .content = "apple"});
  TextState text(memory);
  EXPECT_FALSE(text.state.snapshot_path().has_value());
  EXPECT_EQ(text.scores({"apple"}).size(), 1u);
  text.state.save_snapshot();
}

TEST_F(TextSyncTest, UnwritableSnapshotIsABackendErrorAndTheOtherIsStillSaved) {
  add(1);
  test_support::register_dimension(db_, 2);
  test_support::set_embedding(db_, test_id(1), std::vector<float>{1, 0});
  SqliteSearch search(db_);
  SearchQuery query;
  query.text = "apple";
  query.embedding = std::vector<float>{1, 0};
  query.limit = 5;
  ASSERT_EQ(search.hybrid_search(query).size(), 1u);
  std::filesystem::create_directory(snapshot_file());  // rename onto a directory fails
  try {
    search.save_snapshot();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBackend);
    EXPECT_NE(std::string(e.what()).find(snapshot_file().string()), std::string::npos);
  }
  EXPECT_TRUE(std::filesystem::exists(path().string() + ".hnsw"));
  // No temporary file is left behind: the database, its -wal and -shm, the
  // vector snapshot and the directory in the way.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), 5);
}

TEST(TextSyncStoreTest, StoreWritesTheSnapshotOnCloseUnlessReadOnly) {
  test_support::TempDir dir;
  const std::filesystem::path path = dir.path() / "vestige.db";
  const std::filesystem::path snapshot = path.string() + ".text";
  SearchQuery query;
  query.text = "apple";
  query.limit = 5;
  {
    std::unique_ptr<MemoryStore> store = open_sqlite_store({.path = path});
    Database writer = Database::open(path);
    insert_row(writer, {.id = test_id(1), .content = "an apple a day"});
    {
      std::unique_ptr<MemoryStore> read_only = open_sqlite_store({.path = path, .read_only = true});
      EXPECT_EQ(read_only->text_search(query).size(), 1u);
    }
    EXPECT_FALSE(std::filesystem::exists(snapshot));
    EXPECT_EQ(store->text_search(query).size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(snapshot));  // written on close
  }
  ASSERT_TRUE(std::filesystem::exists(snapshot));
  EXPECT_EQ(read_snapshot(snapshot, kTextSnapshot)->header.entries, 1u);
}

// `vestige db revert` of text_log's migration drops the log; migrating up
// again starts a new one from position 1 that missed every change made in
// between. A snapshot from before must not be caught up from it, however
// far the new log has come.
TEST(TextSyncRevertTest, SnapshotFromBeforeARevertedLogIsNotUsed) {
  test_support::TempDir dir;
  const std::filesystem::path path = dir.path() / "vestige.db";
  open_sqlite_schema_admin(path)->migrate(std::nullopt);
  Database db = Database::open(path);
  for (int n = 1; n <= 5; ++n) insert_row(db, {.id = test_id(n), .content = "before"});
  {
    TextState text(db);
    text.state.sync();
    text.state.save_snapshot();
    ASSERT_EQ(text.state.applied_log_seq(), 5);
  }
  const int log_version = sqlite_migrations().latest_version();
  ASSERT_EQ(open_sqlite_schema_admin(path)->revert(log_version - 1), std::vector<int>{log_version});
  // Written while no log records changes.
  Statement rewrite = db.prepare("UPDATE knowledge_nodes SET content = 'during' WHERE id = ?");
  rewrite.bind(1, test_id(1));
  rewrite.run();
  open_sqlite_schema_admin(path)->migrate(std::nullopt);
  // The new log passes the snapshot's position with rewrites of other
  // memories, leaving the number of memories and most of them as they were.
  for (int i = 0; i < 6; ++i) {
    Statement touch = db.prepare("UPDATE knowledge_nodes SET content = 'before' WHERE id = ?");
    touch.bind(1, test_id(2));
    touch.run();
  }
  Database next_db = Database::open(path);
  TextState next(next_db);
  next.state.sync();
  EXPECT_EQ(next.state.origin(), Origin::kBuilt);
  EXPECT_EQ(next.scores({"during"}).size(), 1u);
  EXPECT_EQ(next.scores({"before"}).size(), 4u);
}

}  // namespace
}  // namespace vestige::sqlite
