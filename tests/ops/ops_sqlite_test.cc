// migrate reembed on SQLite through the real binary (killed with SIGKILL
// mid-run and run again), copy's refusals before any I/O, and the copy
// engine's row errors and idempotence between two SQLite files.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "ops/copy.h"
#include "ops/ops_fixture.h"
#include "store/sqlite/sqlite_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "vestige/embedder.h"
#include "vestige/error.h"

namespace vestige::testing {
namespace {

constexpr int kKilled = 128 + 9;

ProcessResult vestige(const TempDir& dir, std::vector<std::string> args,
                      std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), {"--data-dir", dir.path().string()});
  return run_process(VESTIGE_CLI_PATH, args,
                     {.env = std::move(env),
                      .unset_env = {"VESTIGE_CONFIG", "VESTIGE_FAULT_POINT"},
                      .stdin_text = "",
                      .timeout = std::chrono::seconds(120)});
}

void write_config(const TempDir& dir, const std::string& model) {
  std::ofstream(dir.path() / "vestige.toml") << "[embeddings]\nmodel = \"" << model << "\"\n";
}

void fill(const std::filesystem::path& db, std::size_t n) {
  auto store = open_sqlite_store({.path = db});
  fill_store(*store, n);
}

// Every memory holds exactly the vector `model` gives its content.
void expect_all_encoded_with(const std::filesystem::path& db, const std::string& model) {
  auto embedder = resolve_embedder(model, {});
  auto store = open_sqlite_transfer(db, true);
  ASSERT_TRUE(store->registered_model());
  EXPECT_EQ(store->registered_model()->signature, embedder->signature());
  EXPECT_FALSE(store->reembed_state());
  std::optional<PageKey> after;
  std::size_t seen = 0;
  do {
    RowPage page = store->read_page(Table::kMemories, after, 500);
    for (const Row& row : page.rows) {
      const Memory& m = std::get<Memory>(row);
      ASSERT_TRUE(m.embedding) << m.id.to_string();
      ASSERT_EQ(*m.embedding, embedder->embed(m.content)) << m.id.to_string();
      ++seen;
    }
    after = page.next;
  } while (after);
  EXPECT_EQ(seen, static_cast<std::size_t>(store->count(Table::kMemories)));
}

TEST(MigrateReembedSqlite, KilledMidRunRefusesVectorSearchThenResumeFinishes) {
  TempDir dir;
  fill(dir.path() / "vestige.db", 700);
  write_config(dir, "builtin/hash-384");

  auto killed = vestige(
      dir, {"migrate", "reembed", "--model", "builtin/hash-256", "--yes", "--batch-size", "100"},
      {{"VESTIGE_FAULT_POINT", "reembed-batch:4"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;

  // Half re-encoded: search with either model is refused, with the way out.
  auto search = vestige(dir, {"search", "postgres port"});
  EXPECT_EQ(search.exit_code, 2);
  EXPECT_NE(search.err.find("re-embed to builtin/hash-256"), std::string::npos) << search.err;
  EXPECT_NE(search.err.find("vestige migrate reembed --model=builtin/hash-256"), std::string::npos);
  {
    auto store = open_sqlite_transfer(dir.path() / "vestige.db", true);
    const auto state = store->reembed_state();
    ASSERT_TRUE(state);
    EXPECT_EQ(state->rows_done, 300);
    EXPECT_EQ(state->previous.name, "builtin/hash-384");
  }

  auto resumed = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-256", "--yes",
                               "--resume", "--batch-size", "100"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("re-embedded 400 memories"), std::string::npos) << resumed.out;
  EXPECT_NE(resumed.out.find("300 done before"), std::string::npos) << resumed.out;
  expect_all_encoded_with(dir.path() / "vestige.db", "builtin/hash-256");

  write_config(dir, "builtin/hash-256");
  auto found = vestige(dir, {"--json", "search", "postgres port 8000"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("port 8000"), std::string::npos);

  auto again = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-256", "--yes"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already uses"), std::string::npos) << again.out;
}

TEST(MigrateReembedSqlite, KilledBeforeFinishingIsFinishedByTheSameCommand) {
  TempDir dir;
  fill(dir.path() / "vestige.db", 300);
  auto killed = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-512", "--yes"},
                        {{"VESTIGE_FAULT_POINT", "reembed-before-finish:1"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
  auto rerun = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-512", "--yes"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  expect_all_encoded_with(dir.path() / "vestige.db", "builtin/hash-512");
}

TEST(MigrateReembedSqlite, DryRunAndConfirmationWriteNothing) {
  TempDir dir;
  fill(dir.path() / "vestige.db", 50);
  auto dry = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-256", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("memories:   50 in 1 batches"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("dimension:  changes"), std::string::npos) << dry.out;

  auto no_yes = vestige(dir, {"migrate", "reembed", "--model", "builtin/hash-256"});
  EXPECT_EQ(no_yes.exit_code, 2);
  EXPECT_NE(no_yes.err.find("--yes"), std::string::npos) << no_yes.err;

  auto bad_model = vestige(dir, {"migrate", "reembed", "--model", "nosuch/model", "--yes"});
  EXPECT_EQ(bad_model.exit_code, 2) << bad_model.err;
  auto store = open_sqlite_transfer(dir.path() / "vestige.db", true);
  EXPECT_EQ(store->registered_model()->signature,
            resolve_embedder("builtin/hash-384", {})->signature());
  EXPECT_FALSE(store->reembed_state());
}

TEST(MigrateCopyFlags, UnsupportedDirectionsAreRefusedBeforeAnyIo) {
  TempDir dir;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"sqlite", "sqlite"}, {"postgres", "postgres"}, {"chroma", "postgres"}}) {
    auto r = vestige(dir, {"migrate", "copy", "--from", from, "--to", to, "--postgres-url",
                           "postgresql://nobody@127.0.0.1:1/none"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("supported are --from sqlite --to postgres and --from postgres --to "
                         "sqlite"),
              std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "vestige.db"));
}

TEST(MigrateCopyEngine, BadRowsAreReportedWithoutLosingTheirBatchAndRerunsMatch) {
  TempDir dir;
  const auto source_path = dir.path() / "source.db";
  fill(source_path, 120);
  // Two damaged rows, as a file edited outside Vestige would have.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(source_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE knowledge_nodes SET metadata = '{not json' WHERE seq = 5;"
                           "UPDATE knowledge_nodes SET tags = '7' WHERE seq = 9;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const auto destination_path = dir.path() / "destination.db";
  {
    auto store = open_sqlite_store({.path = destination_path});
    store->register_model(resolve_embedder("builtin/hash-384", {})->signature());
  }
  auto source = open_sqlite_transfer(source_path, true);
  auto destination = open_sqlite_transfer(destination_path, false);
  const ops::CopyReport first = ops::copy_store(*source, destination.get(), {.batch_size = 50});
  // The two memories, then rows that point at them (refused by their foreign keys).
  ASSERT_GE(first.errors.size(), 2u);
  EXPECT_EQ(first.errors[0].table, Table::kMemories);
  EXPECT_EQ(first.errors[1].table, Table::kMemories);
  EXPECT_NE(first.errors[0].reason.find("damaged"), std::string::npos) << first.errors[0].reason;
  for (std::size_t i = 2; i < first.errors.size(); ++i) {
    EXPECT_NE(first.errors[i].table, Table::kMemories);
    EXPECT_NE(first.errors[i].reason.find("FOREIGN KEY"), std::string::npos)
        << first.errors[i].reason;
  }
  EXPECT_EQ(destination->count(Table::kMemories), 118);
  EXPECT_EQ(destination->count(Table::kEdges), source->count(Table::kEdges) - 2);

  const ops::CopyReport second = ops::copy_store(*source, destination.get(), {.batch_size = 50});
  ASSERT_EQ(second.tables.size(), first.tables.size());
  for (std::size_t i = 0; i < first.tables.size(); ++i) {
    EXPECT_EQ(second.tables[i].source_rows, first.tables[i].source_rows);
    EXPECT_EQ(second.tables[i].inserted, 0u) << table_name(second.tables[i].table);
  }
  EXPECT_EQ(second.errors.size(), first.errors.size());
}

TEST(MigrateCopyEngine, ModelMismatchStopsBeforeAnyRow) {
  TempDir dir;
  fill(dir.path() / "source.db", 10);
  {
    auto store = open_sqlite_store({.path = dir.path() / "destination.db"});
    store->register_model(resolve_embedder("builtin/hash-256", {})->signature());
  }
  auto source = open_sqlite_transfer(dir.path() / "source.db", true);
  auto destination = open_sqlite_transfer(dir.path() / "destination.db", false);
  try {
    ops::copy_store(*source, destination.get(), {});
    FAIL() << "a copy between two models must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
    const std::string message = e.what();
    EXPECT_NE(message.find("builtin/hash-384 (dimension 384"), std::string::npos) << message;
    EXPECT_NE(message.find("builtin/hash-256 (dimension 256"), std::string::npos) << message;
    EXPECT_NE(message.find("vestige migrate reembed --model="), std::string::npos) << message;
  }
  EXPECT_EQ(destination->count(Table::kMemories), 0);
}

}  // namespace
}  // namespace vestige::testing
