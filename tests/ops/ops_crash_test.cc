// kill -9 tests: the real `vestige` binary SIGKILLs itself at a named point
// ($VESTIGE_FAULT_POINT, see ops/copy_progress.h), immediately or a few
// milliseconds later while a statement is under way; the same command run
// again must leave exactly the result of an uninterrupted run.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "ops/ops_fixture.h"
#include "ops/ops_pg_support.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "vestige/embedder.h"

namespace vestige::testing {
namespace {

void fill_sqlite(const std::filesystem::path& path, std::size_t n) {
  auto store = open_sqlite_store({.path = path});
  fill_store(*store, n);
}

class CopyKilled : public ::testing::TestWithParam<std::string> {};

TEST_P(CopyKilled, ToPostgresThenRerunHoldsExactlyTheSource) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 1500);
  auto killed = env.copy("sqlite", "postgres", {"--batch-size", "200"},
                         {{"VESTIGE_FAULT_POINT", GetParam()}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
  auto rerun = env.copy("sqlite", "postgres", {"--batch-size", "200"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  auto source = open_sqlite_transfer(env.sqlite_path(), true);
  auto destination = open_postgres_transfer(env.pg_config(), true);
  EXPECT_EQ(compare_stores(*source, *destination), "");
  EXPECT_EQ(destination->vector_index_count(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Points, CopyKilled,
    ::testing::Values("copy-batch-memories:4",     // between two batches of memories
                      "copy-batch-memories:3:30",  // inside a batch's transaction
                      "copy-before-index:1",       // memories in, index not built yet
                      "copy-after-scheduling:1",   // between two tables
                      "copy-batch-edges:2:20",     // inside a batch of edges
                      "copy-batch-review_events:1"),
    [](const auto& info) {
      std::string name = info.param;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(CopyKilledToSqlite, FromPostgresThenRerunHoldsExactlyTheSource) {
  PgOpsEnv env;
  const auto seed = env.dir().path() / "seed.db";
  fill_sqlite(seed, 900);
  auto to_pg = env.vestige({"migrate", "copy", "--from", "sqlite", "--to", "postgres",
                            "--sqlite-path", seed.string(), "--postgres-url", env.url()});
  ASSERT_EQ(to_pg.exit_code, 0) << to_pg.err;
  auto killed = env.copy("postgres", "sqlite", {"--batch-size", "100"},
                         {{"VESTIGE_FAULT_POINT", "copy-batch-memories:5"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
  auto killed_again = env.copy("postgres", "sqlite", {"--batch-size", "100"},
                               {{"VESTIGE_FAULT_POINT", "copy-batch-edges:2"}});
  ASSERT_EQ(killed_again.exit_code, kKilled) << killed_again.err;
  auto rerun = env.copy("postgres", "sqlite", {"--batch-size", "100"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  auto pg = open_postgres_transfer(env.pg_config(), true);
  auto copied = open_sqlite_transfer(env.sqlite_path(), true);
  EXPECT_EQ(compare_stores(*pg, *copied), "");
}

// Every memory holds the vector `model` gives its content, the registry
// names it, one valid HNSW index exists and vector search finds memories.
void expect_reembedded(const PgOpsEnv& env, const std::string& model) {
  auto embedder = resolve_embedder(model, {});
  auto pg = open_postgres_transfer(env.pg_config(), true);
  ASSERT_TRUE(pg->registered_model());
  EXPECT_EQ(pg->registered_model()->signature, embedder->signature());
  EXPECT_FALSE(pg->reembed_state());
  EXPECT_EQ(pg->vector_index_count(), 1);
  std::optional<PageKey> after;
  std::int64_t seen = 0;
  std::string some_content;
  do {
    RowPage page = pg->read_page(Table::kMemories, after, 500);
    for (const Row& row : page.rows) {
      const Memory& m = std::get<Memory>(row);
      ASSERT_TRUE(m.embedding) << m.id.to_string();
      ASSERT_EQ(*m.embedding, embedder->embed(m.content)) << m.id.to_string();
      if (seen == 17) some_content = m.content;
      ++seen;
    }
    after = page.next;
  } while (after);
  EXPECT_EQ(seen, pg->count(Table::kMemories));

  auto store = open_postgres_store({.config = env.pg_config()});
  store->register_model(embedder->signature());
  SearchQuery query;
  query.embedding = embedder->embed(some_content);
  query.limit = 5;
  const auto results = store->vector_search(query);
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results.front().memory.content, some_content);
}

TEST(ReembedKilledPostgres, MidEncodingThenResumeFinishes) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 800);
  ASSERT_EQ(env.copy("sqlite", "postgres").exit_code, 0);
  env.write_config("postgres", "builtin/hash-384");
  const std::vector<std::string> reembed = {
      "migrate", "reembed", "--model", "builtin/hash-256", "--yes", "--batch-size", "100"};
  auto killed = env.vestige(reembed, {{"VESTIGE_FAULT_POINT", "reembed-batch:3:5"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;

  auto search = env.vestige({"search", "postgres port"});
  EXPECT_EQ(search.exit_code, 2) << search.err;
  EXPECT_NE(search.err.find("re-embed to builtin/hash-256"), std::string::npos) << search.err;

  std::vector<std::string> resume = reembed;
  resume.push_back("--resume");
  auto finished = env.vestige(resume);
  ASSERT_EQ(finished.exit_code, 0) << finished.err << finished.out;
  expect_reembedded(env, "builtin/hash-256");

  env.write_config("postgres", "builtin/hash-256");
  auto found = env.vestige({"search", "postgres port 8017"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  // Hybrid results that came through the vector branch too.
  EXPECT_NE(found.out.find("vector #"), std::string::npos) << found.out;
}

TEST(ReembedKilledPostgres, DuringTheIndexBuildThenRerunFinishes) {
  PgOpsEnv env;
  fill_sqlite(env.sqlite_path(), 3000);
  ASSERT_EQ(env.copy("sqlite", "postgres").exit_code, 0);
  env.write_config("postgres", "builtin/hash-384");
  const std::vector<std::string> reembed = {"migrate",          "reembed", "--model",
                                            "builtin/hash-512", "--yes",   "--concurrent-index"};
  // The kill lands 50 ms into CREATE INDEX CONCURRENTLY (3,000 vectors of
  // 512 dimensions take far longer than that to index).
  auto killed = env.vestige(reembed, {{"VESTIGE_FAULT_POINT", "reembed-index:1:50"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
  auto rerun = env.vestige(reembed);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  expect_reembedded(env, "builtin/hash-512");
}

}  // namespace
}  // namespace vestige::testing

namespace vestige::testing {
namespace {

// The destination server goes away in the middle of a copy: the copy stops
// with an error that names the server, and once the server is back the same
// command completes. Needs a server it may stop: a PGlite server of its own,
// its data in a directory so that it survives the restart.
TEST(CopyDestinationLost, ClearErrorThenTheRerunCompletes) {
  if (const char* url = std::getenv("VESTIGE_TEST_PG_URL"); url && *url) {
    GTEST_SKIP() << "stops and restarts a server of its own; not with VESTIGE_TEST_PG_URL";
  }
  TempDir dir;
  ProcessOptions slow;
  slow.timeout = std::chrono::seconds(300);
  const std::string script = VESTIGE_SOURCE_DIR "/tests/postgres/pg_test_server.sh";
  const std::string state = (dir.path() / "server").string();
  const std::string db = "--db=" + (dir.path() / "pgdata").string();
  const auto start = [&] {
    auto r = run_process(script, {"start", state, db}, slow);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(state + "/url");
    std::string url;
    std::getline(in, url);
    return url;
  };
  struct Stop {
    std::string script, state;
    ~Stop() { run_process(script, {"stop", state}); }
  } stop{script, state};  // also when the test fails

  std::string url = start();
  ASSERT_FALSE(url.empty());
  const auto sqlite_path = dir.path() / "vestige.db";
  {
    auto store = open_sqlite_store({.path = sqlite_path});
    fill_store(*store, 4000);
  }
  const auto copy_args = [&](const std::string& to_url) {
    return std::vector<std::string>{"--data-dir",     dir.path().string(),
                                    "migrate",        "copy",
                                    "--from",         "sqlite",
                                    "--to",           "postgres",
                                    "--sqlite-path",  sqlite_path.string(),
                                    "--postgres-url", to_url,
                                    "--batch-size",   "200"};
  };
  // The copy runs in the background while the server is stopped under it.
  std::string command = std::string("'") + VESTIGE_CLI_PATH + "'";
  for (const auto& a : copy_args(url)) command += " '" + a + "'";
  // The copy pauses 10 s before its third batch of memories; the server is
  // stopped once the copy has reached the memories, so that batch meets a
  // server that is gone.
  const std::string log = (dir.path() / "copy.err").string();
  command = "VESTIGE_FAULT_POINT=copy-batch-memories:3:pause10000 " + command + " 2>'" + log +
            "' & pid=$!; for i in $(seq 1 600); do grep -q 'copy group_memberships' '" + log +
            "' && break; sleep 0.1; done; '" + script + "' stop '" + state +
            "'; wait $pid; rc=$?; cat '" + log + "' >&2; exit $rc";
  auto lost = run_process("/bin/sh", {"-c", command}, slow);
  EXPECT_NE(lost.exit_code, 0) << lost.out;
  EXPECT_NE(lost.err.find("vestige: "), std::string::npos) << lost.err;
  EXPECT_EQ(lost.err.find("unexpected error"), std::string::npos) << lost.err;
  EXPECT_NE(lost.err.find("run the same command again to finish the copy"), std::string::npos)
      << lost.err;

  url = start();
  ASSERT_FALSE(url.empty());
  auto rerun = run_process(VESTIGE_CLI_PATH, copy_args(url), slow);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  auto source = open_sqlite_transfer(sqlite_path, true);
  PostgresConfig config;
  config.url = url;
  auto destination = open_postgres_transfer(config, true);
  EXPECT_EQ(compare_stores(*source, *destination), "");
}

}  // namespace
}  // namespace vestige::testing
