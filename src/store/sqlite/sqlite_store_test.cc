// SQLite-specific behaviour of the store: files, pragmas, the FTS index and the
// vector change log its triggers maintain, export pages, concurrent handles.
// The behaviour every backend shares is in tests/contract/.

#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/sqlite/database.h"
#include "store/sqlite/schema.h"
#include "support/capture_error.h"

namespace vestige::sqlite {
namespace {

using ::vestige::testing::capture_error;

using ::testing::HasSubstr;

const ModelSignature kModel{"test/model", 3, "hash-1"};

Memory note(std::string content, std::optional<Embedding> embedding = std::nullopt) {
  Memory m;
  m.content = std::move(content);
  m.embedding = std::move(embedding);
  return m;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vestige-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "vestige.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<MemoryStore> open(bool read_only = false) {
    return open_sqlite_store({.path = path_, .read_only = read_only});
  }

  // A second connection, as another process would have.
  Database raw() { return Database::open(path_); }

  std::vector<std::int64_t> fts_rows(const std::string& match) {
    auto db = raw();
    auto stmt = db.prepare(
        "SELECT rowid FROM knowledge_nodes_fts WHERE knowledge_nodes_fts MATCH ?1 ORDER BY rowid");
    stmt.bind(1, match);
    std::vector<std::int64_t> rows;
    while (stmt.step()) rows.push_back(stmt.column_int64(0));
    return rows;
  }

  std::int64_t seq_of(const Uuid& id) {
    auto db = raw();
    auto stmt = db.prepare("SELECT seq FROM knowledge_nodes WHERE id = ?1");
    stmt.bind(1, id.to_string());
    EXPECT_TRUE(stmt.step());
    return stmt.column_int64(0);
  }

  std::vector<std::pair<std::int64_t, std::string>> vector_log() {
    auto db = raw();
    auto stmt = db.prepare("SELECT node_seq, op FROM vector_log ORDER BY log_seq");
    std::vector<std::pair<std::int64_t, std::string>> rows;
    while (stmt.step()) rows.emplace_back(stmt.column_int64(0), stmt.column_text(1));
    return rows;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(SqliteStoreTest, ConnectionsUseWalAndForeignKeys) {
  open();
  auto db = raw();
  auto journal = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(journal.step());
  EXPECT_EQ(journal.column_text(0), "wal");
  auto foreign_keys = db.prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(foreign_keys.step());
  EXPECT_EQ(foreign_keys.column_int64(0), 1);
}

TEST_F(SqliteStoreTest, DatabaseFilesAreReadableByTheOwnerOnly) {
  auto store = open();
  store->insert(note("private"));
  for (const auto& suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    const auto file = path_.string() + suffix;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
}

TEST_F(SqliteStoreTest, AMissingDirectoryIsNamed) {
  const auto missing = dir_ / "nope" / "vestige.db";
  const Error e = capture_error([&] { open_sqlite_store({.path = missing}); });
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr((dir_ / "nope").string() + " does not exist"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nope"));
}

TEST_F(SqliteStoreTest, AnUnwritableDirectoryIsNamed) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  std::filesystem::permissions(
      dir_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  const Error e = capture_error([&] { open(); });
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("is not writable"));
}

TEST_F(SqliteStoreTest, ReadOnlyOpensExistingFilesAndRefusesWrites) {
  EXPECT_EQ(capture_error([&] { open(true); }).code(), ErrorCode::kInit);
  EXPECT_FALSE(std::filesystem::exists(path_));

  const Memory stored = open()->insert(note("kept"));
  auto store = open(true);
  ASSERT_TRUE(store->get(stored.id).has_value());
  const Error e = capture_error([&] { store->insert(note("refused")); });
  EXPECT_THAT(e.what(), HasSubstr("read-only"));
  EXPECT_EQ(store->stats(now_utc()).memories, 1);
}

TEST_F(SqliteStoreTest, FullTextIndexFollowsInsertUpdateAndDelete) {
  auto store = open();
  Memory memory = note("the zebra grazes");
  memory.tags = {"savanna"};
  memory = store->insert(memory);
  const auto seq = seq_of(memory.id);
  EXPECT_EQ(fts_rows("zebra"), std::vector<std::int64_t>{seq});
  EXPECT_EQ(fts_rows("savanna"), std::vector<std::int64_t>{seq});
  EXPECT_EQ(fts_rows("grazing"), std::vector<std::int64_t>{seq});  // porter stemming

  memory.content = "the giraffe browses";
  memory.tags = {"acacia"};
  store->update(memory);
  EXPECT_TRUE(fts_rows("zebra").empty());
  EXPECT_TRUE(fts_rows("savanna").empty());
  EXPECT_EQ(fts_rows("giraffe"), std::vector<std::int64_t>{seq});
  EXPECT_EQ(fts_rows("acacia"), std::vector<std::int64_t>{seq});

  ASSERT_TRUE(store->remove(memory.id));
  EXPECT_TRUE(fts_rows("giraffe").empty());
}

TEST_F(SqliteStoreTest, EngineStateUpdatesFireNeitherTheTextNorTheVectorTrigger) {
  auto store = open();
  store->register_model(kModel);
  Memory a = store->insert(note("the zebra grazes", Embedding{1, 0, 0}));
  // A probe with the full-text trigger's condition: it records every update
  // that would make the FTS index delete and re-insert the row.
  raw().exec(R"sql(
    CREATE TABLE probe (seq INTEGER);
    CREATE TRIGGER probe_text AFTER UPDATE OF content, node_type, tags ON knowledge_nodes
    BEGIN INSERT INTO probe (seq) VALUES (new.seq); END;
  )sql");
  const auto probe_rows = [&] {
    auto db = raw();
    auto stmt = db.prepare("SELECT count(*) FROM probe");
    EXPECT_TRUE(stmt.step());
    return stmt.column_int64(0);
  };
  const auto log_before = vector_log();

  EngineState e = a.engine;
  e.access_count = 4;
  e.retrieval_strength = 0.5;
  const EngineStateUpdate update{a.id, e};
  EXPECT_EQ(store->update_engine_state(std::span(&update, 1)).written, 1u);
  EXPECT_EQ(probe_rows(), 0);
  EXPECT_EQ(vector_log(), log_before);
  EXPECT_EQ(fts_rows("zebra"), std::vector<std::int64_t>{seq_of(a.id)});

  // The probe does see a whole-row update, even one that changes no text.
  a = *store->get(a.id);
  store->update(a);
  EXPECT_EQ(probe_rows(), 1);
}

TEST_F(SqliteStoreTest, VectorLogRecordsEveryEmbeddingChangeAndNothingElse) {
  auto store = open();
  store->register_model(kModel);
  Memory a = store->insert(note("a", Embedding{1, 0, 0}));
  const Memory b = store->insert(note("b"));
  const auto sa = seq_of(a.id);
  using Log = std::vector<std::pair<std::int64_t, std::string>>;
  EXPECT_EQ(vector_log(), (Log{{sa, "upsert"}}));

  // Engine-state updates that keep the vector do not make every process
  // reload it.
  a.engine.access_count = 5;
  store->update(a);
  EXPECT_EQ(vector_log().size(), 1u);

  a.embedding = Embedding{0, 1, 0};
  store->update(a);
  a.embedding.reset();
  store->update(a);
  store->remove(b.id);
  EXPECT_EQ(vector_log(), (Log{{sa, "upsert"}, {sa, "upsert"}, {sa, "delete"}}));

  a.embedding = Embedding{0, 0, 1};
  store->update(a);
  store->remove(a.id);
  EXPECT_EQ(vector_log().back(), (std::pair<std::int64_t, std::string>{sa, "delete"}));
  EXPECT_EQ(vector_log().size(), 5u);
}

TEST_F(SqliteStoreTest, RegistryChangedByAnotherProcessIsRefusedBeforeWriting) {
  auto store = open();
  store->register_model(kModel);
  raw().exec("UPDATE embedding_model SET hash = 'hash-2'");
  const Error e = capture_error([&] { store->insert(note("x", Embedding{1, 2, 3})); });
  EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
  EXPECT_EQ(store->stats(now_utc()).memories, 0);
  EXPECT_TRUE(vector_log().empty());
  const auto health = store->health();
  EXPECT_EQ(health.status, HealthStatus::kDegraded);
  ASSERT_EQ(health.problems.size(), 1u);
  EXPECT_THAT(health.problems[0], HasSubstr("vestige migrate reembed"));
}

TEST_F(SqliteStoreTest, ExportPagesCoverEverythingOnceUnderInterleavedInserts) {
  auto store = open();
  std::set<Uuid> expected;
  for (int i = 0; i < 25; ++i) {
    expected.insert(store->insert(note(fmt::format("memory {}", i))).id);
  }
  auto writer = open();
  std::multiset<Uuid> seen;
  std::optional<ExportCursor> cursor;
  int pages = 0;
  do {
    const ExportPage page = store->export_page(cursor, 7);
    for (const auto& m : page.memories) seen.insert(m.id);
    cursor = page.next;
    if (++pages <= 3) {
      // Newer memories written by another handle between pages.
      expected.insert(writer->insert(note(fmt::format("late {}", pages))).id);
    }
  } while (cursor);
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(std::set<Uuid>(seen.begin(), seen.end()), expected);
}

TEST_F(SqliteStoreTest, ExportPageOfExactlyTheLimitHasNoNextCursor) {
  auto store = open();
  for (int i = 0; i < 4; ++i) store->insert(note("m"));
  const auto first = store->export_page(std::nullopt, 2);
  ASSERT_TRUE(first.next.has_value());
  const auto second = store->export_page(first.next, 2);
  EXPECT_EQ(second.memories.size(), 2u);
  EXPECT_FALSE(second.next.has_value());
  EXPECT_EQ(capture_error([&] { store->export_page(std::nullopt, 0); }).code(),
            ErrorCode::kInvalidInput);
}

TEST_F(SqliteStoreTest, ConcurrentWritersThroughSeveralHandlesNeverFail) {
  open();
  constexpr int kThreads = 4;
  constexpr int kInserts = 40;
  std::vector<std::unique_ptr<MemoryStore>> handles;
  for (int i = 0; i < 2; ++i) handles.push_back(open());
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      MemoryStore& store = *handles[static_cast<std::size_t>(t % 2)];
      for (int i = 0; i < kInserts; ++i) {
        try {
          const std::vector<Memory> pair = {note(fmt::format("t{} i{}", t, i)), note("peer")};
          const auto stored = store.insert_batch(pair);
          Edge edge;
          edge.source_id = stored[0].id;
          edge.target_id = stored[1].id;
          edge.edge_type = "related";
          store.add_edge(edge);
        } catch (const Error& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  const auto stats = handles[0]->stats(now_utc());
  EXPECT_EQ(stats.memories, 2 * kThreads * kInserts);
  EXPECT_EQ(stats.edges, kThreads * kInserts);
}

TEST_F(SqliteStoreTest, StatsReportFileSizeAndSchemaVersion) {
  auto store = open();
  store->insert(note("something"));
  const auto stats = store->stats(now_utc());
  EXPECT_EQ(stats.backend, "sqlite");
  EXPECT_EQ(stats.schema_version, sqlite_migrations().latest_version());
  ASSERT_TRUE(stats.storage_bytes.has_value());
  EXPECT_GT(*stats.storage_bytes, 0);
  const auto health = store->health();
  EXPECT_EQ(health.status, HealthStatus::kOk);
  EXPECT_TRUE(health.problems.empty());
  EXPECT_EQ(health.schema_version, stats.schema_version);
}

TEST_F(SqliteStoreTest, JsonColumnsRoundTripExactly) {
  auto store = open();
  Memory memory = note("quote \" backslash \\ émoji 🦓");
  memory.tags = {"", "naïve", "a\"b", "c\\d", "日本語"};
  memory.metadata = Json{{"nested", {{"list", Json::array()}, {"x", 0.1}}}, {"quote", "\"\\"}};
  memory.codebase = "repo/ü";
  memory.domain_scores = Json{{"d", 1e-300}};
  const Memory stored = store->insert(memory);
  const auto loaded = store->get(stored.id);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, stored);
  EXPECT_EQ(loaded->tags, memory.tags);
  EXPECT_EQ(loaded->metadata, memory.metadata);

  Memory invalid = note("x");
  invalid.tags = {std::string("\xff\xfe")};
  EXPECT_EQ(capture_error([&] { store->insert(invalid); }).code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace vestige::sqlite
