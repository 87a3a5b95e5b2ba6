// Schema migrations of a real SQLite file: up, down, up again, and the ledger
// problems that must stop a store from opening.

#include "store/sqlite/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/sqlite/sqlite_store.h"

namespace vestige::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Memory note(std::string content) {
  Memory m;
  m.content = std::move(content);
  return m;
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vestige-schema-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "vestige.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  bool has_table(const std::string& name) {
    auto db = Database::open(path_);
    auto stmt = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    stmt.bind(1, name);
    return stmt.step();
  }

  void sql(std::string_view statement) { Database::open(path_).exec(statement); }

  // The Error that opening a store throws.
  Error open_error(const SqliteStoreOptions& options) {
    try {
      open_sqlite_store(options);
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "the store opened";
    return Error(ErrorCode::kUsage, "");
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(SchemaTest, ShipsContiguousMigrationsWithDownScripts) {
  const auto& set = sqlite_migrations();
  ASSERT_GE(set.latest_version(), 1);
  EXPECT_EQ(set.find(1)->name, "initial");
  for (const auto& m : set.migrations()) {
    EXPECT_FALSE(m.up.empty()) << m.label();
    EXPECT_FALSE(m.down.empty()) << m.label();
  }
}

TEST_F(SchemaTest, MigratesDownAndUpAgain) {
  auto admin = open_sqlite_schema_admin(path_);
  const int latest = sqlite_migrations().latest_version();
  auto status = admin->status();
  ASSERT_EQ(status.size(), static_cast<std::size_t>(latest));
  EXPECT_FALSE(status[0].applied);

  const auto applied = admin->migrate(std::nullopt);
  ASSERT_EQ(applied.size(), static_cast<std::size_t>(latest));
  EXPECT_EQ(applied.front(), 1);
  status = admin->status();
  EXPECT_TRUE(status[0].applied);
  EXPECT_TRUE(status[0].success);
  EXPECT_TRUE(status[0].checksum_ok);
  EXPECT_TRUE(status[0].applied_at.has_value());
  EXPECT_TRUE(has_table("knowledge_nodes"));
  EXPECT_TRUE(has_table("knowledge_nodes_fts"));
  EXPECT_THAT(admin->migrate(std::nullopt), IsEmpty());

  const auto reverted = admin->revert(0);
  ASSERT_EQ(reverted.size(), static_cast<std::size_t>(latest));
  EXPECT_EQ(reverted.back(), 1);
  for (const char* table : {"knowledge_nodes", "knowledge_nodes_fts", "vector_log", "scheduling",
                            "review_events", "edges", "domains", "embedding_model", "users"}) {
    EXPECT_FALSE(has_table(table)) << table;
  }
  EXPECT_TRUE(has_table("schema_migrations"));
  EXPECT_FALSE(admin->status()[0].applied);

  EXPECT_EQ(admin->migrate(1), std::vector<int>{1});
  auto store = open_sqlite_store({.path = path_});
  EXPECT_EQ(store->stats(now_utc()).schema_version, latest);
  EXPECT_EQ(store->insert(note("after a round trip")).content, "after a round trip");
}

TEST_F(SchemaTest, LedgerRowsMatchTheShippedScripts) {
  open_sqlite_store({.path = path_});
  auto db = Database::open(path_);
  auto stmt = db.prepare("SELECT version, name, checksum, success FROM schema_migrations");
  ASSERT_TRUE(stmt.step());
  EXPECT_EQ(stmt.column_int64(0), 1);
  EXPECT_EQ(stmt.column_text(1), "initial");
  EXPECT_EQ(stmt.column_text(2), sha256_hex(sqlite_migrations().find(1)->up));
  EXPECT_EQ(stmt.column_int64(3), 1);
}

TEST_F(SchemaTest, AFailedLedgerRowStopsOpenWithWhatToDo) {
  open_sqlite_store({.path = path_});
  sql("UPDATE schema_migrations SET success = 0 WHERE version = 1");
  const Error e = open_error({.path = path_});
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("schema migration 0001_initial failed"));
  EXPECT_THAT(e.what(), HasSubstr("vestige db revert --to 0"));
  EXPECT_EQ(open_error({.path = path_, .migrate = false}).code(), ErrorCode::kInit);
  EXPECT_EQ(open_sqlite_schema_admin(path_)->status()[0].success, false);
}

TEST_F(SchemaTest, ATamperedChecksumStopsOpen) {
  open_sqlite_store({.path = path_});
  sql("UPDATE schema_migrations SET checksum = 'abc123' WHERE version = 1");
  const Error e = open_error({.path = path_});
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("migrated by a different build"));
  EXPECT_THAT(e.what(), HasSubstr("must never be edited"));
  EXPECT_FALSE(open_sqlite_schema_admin(path_)->status()[0].checksum_ok);
}

TEST_F(SchemaTest, ADatabaseFromANewerBuildStopsOpen) {
  open_sqlite_store({.path = path_});
  sql(R"sql(
    INSERT INTO schema_migrations (version, name, checksum, applied_at, success)
    VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00.000000Z', 1)
  )sql");
  const Error e = open_error({.path = path_});
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("created by a newer Vestige"));
}

TEST_F(SchemaTest, AFailingScriptLeavesAFailedRowAndNoHalfSchema) {
  // A table that migration 1 creates already exists, so its script fails
  // halfway; the transaction must undo the part that ran.
  sql("CREATE TABLE edges (x INTEGER)");
  const Error e = open_error({.path = path_});
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("schema migration 0001_initial failed and was rolled back"));
  EXPECT_THAT(e.what(), HasSubstr("table edges already exists"));
  EXPECT_FALSE(has_table("knowledge_nodes"));
  EXPECT_FALSE(has_table("users"));

  auto admin = open_sqlite_schema_admin(path_);
  EXPECT_TRUE(admin->status()[0].applied);
  EXPECT_FALSE(admin->status()[0].success);
  sql("DROP TABLE edges");
  EXPECT_EQ(admin->revert(0), std::vector<int>{1});
  EXPECT_NO_THROW(open_sqlite_store({.path = path_}));
}

TEST_F(SchemaTest, WithoutMigratingABehindSchemaNamesTheCommand) {
  const Error e = open_error({.path = path_, .migrate = false});
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_THAT(e.what(), HasSubstr("vestige db migrate"));
  EXPECT_THAT(e.what(), HasSubstr("schema version 0"));
}

TEST_F(SchemaTest, ConcurrentOpensMigrateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        open_sqlite_store({.path = path_});
      } catch (const Error& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  for (const auto& s : open_sqlite_schema_admin(path_)->status()) {
    EXPECT_TRUE(s.applied && s.success) << s.version;
  }
}

}  // namespace
}  // namespace vestige::sqlite
