// migrate copy SQLite -> PostgreSQL -> SQLite through the real binary, on the
// PostgreSQL test server: exact copies both ways, dry run, idempotent re-runs,
// bad rows, the model check, and export/import between the two backends.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "ops/ops_fixture.h"
#include "ops/ops_pg_support.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "vestige/embedder.h"
#include "vestige/error.h"

namespace vestige::testing {
namespace {

void fill_sqlite(const std::filesystem::path& path, std::size_t n) {
  auto store = open_sqlite_store({.path = path});
  fill_store(*store, n);
}

void sqlite_exec(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

Json parse_report(const ProcessResult& r) {
  try {
    return Json::parse(r.out);
  } catch (const std::exception&) {
    ADD_FAILURE() << "not JSON: " << r.out << r.err;
    return Json::object();
  }
}

TEST(MigrateCopyPostgres, CopiesEveryTableExactlyBothWaysAndRerunsWriteNothing) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 1200);

  auto first = env.copy("sqlite", "postgres", {"--batch-size", "300"});
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  EXPECT_NE(first.err.find("copy memories: 1200/1200 rows done"), std::string::npos) << first.err;
  {
    auto source = open_sqlite_transfer(env.sqlite_path(), true);
    auto destination = open_postgres_transfer(env.pg_config(), true);
    EXPECT_EQ(compare_stores(*source, *destination), "");
    EXPECT_EQ(destination->vector_index_count(), 1);
    EXPECT_EQ(destination->registered_model()->signature, source->registered_model()->signature);
  }

  auto again =
      env.vestige({"--json", "migrate", "copy", "--from", "sqlite", "--to", "postgres",
                   "--sqlite-path", env.sqlite_path().string(), "--postgres-url", env.url()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const Json report = parse_report(again);
  for (const auto& t : report["tables"]) {
    EXPECT_EQ(t["inserted"], 0) << t.dump();
    EXPECT_EQ(t["present"], t["source_rows"]) << t.dump();
  }

  // A review appended on Postgres after the copy gets a fresh id.
  {
    auto store = open_postgres_store({.config = env.pg_config()});
    auto pg = open_postgres_transfer(env.pg_config(), true);
    const auto page = pg->read_page(Table::kMemories, std::nullopt, 1);
    const Memory& m = std::get<Memory>(page.rows.front());
    const std::int64_t before = pg->count(Table::kReviewEvents);
    ReviewEvent review;
    review.memory_id = m.id;
    review.reviewed_at = now_utc();
    review.rating = 4;
    review.new_state.memory_id = m.id;
    review.new_state.next_review = now_utc();
    const ReviewEvent event = store->append_review_event(review);
    EXPECT_GT(event.id, before);
  }

  // And back into a new SQLite file.
  const auto back = env.dir().path() / "back.db";
  auto reverse = env.vestige({"migrate", "copy", "--from", "postgres", "--to", "sqlite",
                              "--sqlite-path", back.string(), "--postgres-url", env.url()});
  ASSERT_EQ(reverse.exit_code, 0) << reverse.err << reverse.out;
  auto pg = open_postgres_transfer(env.pg_config(), true);
  auto copied = open_sqlite_transfer(back, true);
  EXPECT_EQ(compare_stores(*pg, *copied), "");
}

TEST(MigrateCopyPostgres, DryRunCountsAndCreatesNothing) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 40);
  auto dry = env.copy("sqlite", "postgres", {"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("dry run: nothing was written"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("memories"), std::string::npos);
  // No schema was created: the transfer finds no tables.
  auto pg = open_postgres_transfer(env.pg_config(), true);
  EXPECT_THROW(pg->count(Table::kMemories), Error);
}

TEST(MigrateCopyPostgres, RowsPostgresRefusesAreReportedAndTheRestOfTheirBatchIsCopied) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 200);
  // A NUL character (PostgreSQL text cannot hold one) and a scheduling row of
  // a memory that does not exist (a foreign key violation on the server).
  sqlite_exec(env.sqlite_path(),
              "UPDATE knowledge_nodes SET content = 'bad' || char(0) || 'row' WHERE seq = 7;"
              "PRAGMA foreign_keys = OFF;"
              "INSERT INTO scheduling (memory_id, stability, difficulty, state, next_review) "
              "VALUES ('00000000-0000-7000-8000-000000000099', 1, 5, 'new', "
              "'2026-01-01T00:00:00.000000Z');");
  auto r = env.copy("sqlite", "postgres", {"--json"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const Json report = parse_report(r);
  // The memory, the orphan scheduling row, and the rows that belong to the
  // refused memory (its scheduling, edge and review event).
  const Json& errors = report["errors"];
  ASSERT_EQ(errors.size(), 5u) << report.dump();
  EXPECT_EQ(errors[0]["table"], "memories");
  EXPECT_NE(errors[0]["reason"].get<std::string>().find("NUL"), std::string::npos);
  const std::string bad_memory = errors[0]["key"];
  bool orphan_reported = false;
  for (std::size_t i = 1; i < errors.size(); ++i) {
    const std::string key = errors[i]["key"];
    const std::string reason = errors[i]["reason"];
    EXPECT_NE(reason.find("foreign key"), std::string::npos) << reason;
    if (key == "00000000-0000-7000-8000-000000000099") orphan_reported = true;
  }
  EXPECT_TRUE(orphan_reported) << report.dump();
  auto pg = open_postgres_transfer(env.pg_config(), true);
  EXPECT_EQ(pg->count(Table::kMemories), 199);
  auto source = open_sqlite_transfer(env.sqlite_path(), true);
  EXPECT_EQ(pg->count(Table::kScheduling), source->count(Table::kScheduling) - 2);
  EXPECT_EQ(pg->count(Table::kEdges), source->count(Table::kEdges) - 1);
}

TEST(MigrateCopyPostgres, ModelMismatchStopsBeforeAnyRowWithBothSignatures) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 20);
  {
    auto store = open_postgres_store({.config = env.pg_config()});
    store->register_model(resolve_embedder("builtin/hash-256", {})->signature());
  }
  auto r = env.copy("sqlite", "postgres");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("builtin/hash-384 (dimension 384"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("builtin/hash-256 (dimension 256"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vestige migrate reembed --model="), std::string::npos) << r.err;
  auto pg = open_postgres_transfer(env.pg_config(), true);
  EXPECT_EQ(pg->count(Table::kMemories), 0);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(MigrateCopyPostgres, TheSourceFileIsNotModified) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 100);
  sqlite_exec(env.sqlite_path(), "PRAGMA wal_checkpoint(TRUNCATE);");
  const std::string before = file_bytes(env.sqlite_path());
  auto r = env.copy("sqlite", "postgres");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(file_bytes(env.sqlite_path()) == before);
}

TEST(MigrateCopyPostgres, AllowSourceUpgradeBringsAnEmptySchemaUpToDate) {
  PgOpsEnv env;
  // A database file with no schema at all: version 0.
  sqlite_exec(env.sqlite_path(), "PRAGMA user_version = 0;");
  auto refused = env.copy("sqlite", "postgres");
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--allow-source-upgrade"), std::string::npos) << refused.err;
  auto upgraded = env.copy("sqlite", "postgres", {"--allow-source-upgrade"});
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  auto source = open_sqlite_transfer(env.sqlite_path(), true);
  auto pg = open_postgres_transfer(env.pg_config(), true);
  EXPECT_EQ(compare_stores(*source, *pg), "");
}

TEST(MigrateCopyPostgres, OlderSqliteSourceNeedsAllowSourceUpgrade) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 5);
  // A ledger that says the schema is older than this build's.
  sqlite_exec(env.sqlite_path(), "DELETE FROM schema_migrations WHERE version > 0;");
  auto refused = env.copy("sqlite", "postgres");
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--allow-source-upgrade"), std::string::npos) << refused.err;
}

TEST(ExportImportPostgres, RoundTripsAWholeStoreWithEmbeddingsBetweenBackends) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 150);
  const auto file = env.dir().path() / "memories.jsonl";
  env.write_config("sqlite", "builtin/hash-384");
  auto exported = env.vestige({"export", file.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  env.write_config("postgres", "builtin/hash-384");
  auto imported = env.vestige({"import", "--no-embed", file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto source = open_sqlite_transfer(env.sqlite_path(), true);
  auto pg = open_postgres_transfer(env.pg_config(), true);
  // export/import carries memories only: compare that table.
  const auto a = all_rows(*source);
  const auto b = all_rows(*pg);
  const std::size_t memories = 3;  // index of Table::kMemories in kCopyOrder
  ASSERT_EQ(a[memories].size(), b[memories].size());
  for (std::size_t i = 0; i < a[memories].size(); ++i) {
    Memory x = std::get<Memory>(a[memories][i]);
    Memory y = std::get<Memory>(b[memories][i]);
    EXPECT_EQ(x.embedding, y.embedding) << x.id.to_string();
    EXPECT_EQ(x.content, y.content);
    EXPECT_EQ(x.metadata, y.metadata);
    EXPECT_EQ(x.created_at, y.created_at);
  }
}

// Every `vestige migrate` line of docs/migrate.md, run in order against a
// store with the SQLite backend configured and the test server as PostgreSQL.
TEST(MigrateDocs, EveryDocumentedMigrateCommandRuns) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 60);
  env.write_config("sqlite", "builtin/hash-384");
  std::ifstream doc(VESTIGE_DOCS_DIR "/migrate.md");
  ASSERT_TRUE(doc) << "docs/migrate.md not found";
  std::string line;
  bool in_block = false;
  int commands = 0;
  while (std::getline(doc, line)) {
    if (line.starts_with("```")) {
      in_block = !in_block;
      continue;
    }
    if (!in_block || !line.starts_with("vestige migrate ")) continue;
    std::istringstream words(line.substr(std::string("vestige ").size()));
    std::vector<std::string> args;
    for (std::string w; words >> w;) {
      args.push_back(w == "/srv/vestige/back.db" ? (env.dir().path() / "back.db").string() : w);
    }
    if (args[1] == "copy") {
      args.push_back("--postgres-url");
      args.push_back(env.url());
    }
    const auto r = env.vestige(args);
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err << r.out;
    ++commands;
  }
  EXPECT_EQ(commands, 6);
}

}  // namespace
}  // namespace vestige::testing
