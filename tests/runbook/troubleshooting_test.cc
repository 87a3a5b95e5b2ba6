// The runbook's troubleshooting table (docs/runbook/postgres.md, section 9):
// every message quoted in a symptom that starts with "Vestige:" is one the
// binaries really print, reproduced here against the PostgreSQL test server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <csignal>
#include <fstream>
#include <memory>

#include "runbook/runbook_doc.h"
#include "support/pg_test_server.h"
#include "support/temp_dir.h"

namespace vestige::testing {
namespace {

namespace fs = std::filesystem;

void exec_sql(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get()) << sql;
}

class Reproductions {
 public:
  explicit Reproductions(std::string url) : url_(std::move(url)) {
    fs::create_directories(home_.path() / ".vestige");
    write_config("");
  }

  void write_config(const std::string& extra_postgres, const std::string& extra = "") {
    std::ofstream(home_.path() / ".vestige/vestige.toml")
        << "[storage]\nbackend = \"postgres\"\n\n[storage.postgres]\nurl = \"${DATABASE_URL}\"\n"
        << extra_postgres << "\n"
        << extra;
  }

  // Runs `line` with DATABASE_URL = the test server (unless `vars` says
  // otherwise), expecting `exit_code`, and keeps what it printed.
  std::string run(const std::string& line, int exit_code,
                  std::map<std::string, std::string> vars = {}) {
    vars.emplace("DATABASE_URL", url_);
    const ProcessResult result = run_runbook_command(line, home_.path(), vars);
    const std::string output = result.out + result.err;
    EXPECT_EQ(result.exit_code, exit_code) << line << "\n" << output;
    outputs_.push_back(output);
    return output;
  }

  // Without DATABASE_URL in the environment at all.
  std::string run_without_url(const std::string& line, int exit_code) {
    ProcessOptions options;
    options.env["HOME"] = home_.path().string();
    options.unset_env = {"DATABASE_URL", "VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"};
    const CommandLine command = parse_command_line(line, {});
    const ProcessResult result = run_process(VESTIGE_CLI_PATH, command.args, options);
    EXPECT_EQ(result.exit_code, exit_code) << result.out << result.err;
    outputs_.push_back(result.out + result.err);
    return outputs_.back();
  }

  const std::vector<std::string>& outputs() const { return outputs_; }

 private:
  std::string url_;
  TempDir home_{"vestige-troubleshooting"};
  std::vector<std::string> outputs_;
};

TEST(TroubleshootingTest, EveryVestigeMessageInTheTableIsReproduced) {
  const std::string url = test_pg_url();
  reset_test_database(url);
  Reproductions r(url);

  // Configuration.
  r.run_without_url("vestige config check", 2);
  r.run("DATABASE_URL= vestige stats", 2);
  r.write_config("max_connections = 0");
  r.run("vestige config check", 2);
  r.write_config("");

  // An unreachable server; the password never reaches the output.
  const std::string unreachable =
      r.run("DATABASE_URL=postgresql://vestige:secret@127.0.0.1:1/vestige vestige stats", 3);
  EXPECT_THAT(unreachable, ::testing::Not(::testing::HasSubstr("secret")));

  // A store made with one model, opened with another.
  r.run("vestige ingest \"the first memory\"", 0);
  r.write_config("", "[embeddings]\nmodel = \"builtin/hash-256\"\n");
  r.run("vestige ingest \"a memory from another model\"", 2);
  r.write_config("");

  // The ledger: a failed migration, an edited script, a newer Vestige.
  exec_sql(url, "UPDATE schema_migrations SET success = false WHERE version = 2");
  r.run("vestige stats", 3);
  exec_sql(url, "UPDATE schema_migrations SET success = true WHERE version = 2");
  exec_sql(url, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
  r.run("vestige stats", 3);
  reset_test_database(url);
  r.run("vestige ingest \"the first memory\"", 0);
  exec_sql(url,
           "INSERT INTO schema_migrations (version, name, checksum, applied_at, success) "
           "VALUES (99, 'from_the_future', 'x', now(), true)");
  r.run("vestige stats", 3);
  reset_test_database(url);

  // A re-embed killed after its first batch (the fault point kills the
  // process), then finished as the runbook says.
  r.run("vestige ingest \"the first memory\"", 0);
  r.run("vestige ingest \"the second memory\"", 0);
  r.run(
      "VESTIGE_FAULT_POINT=reembed-batch:1 vestige migrate reembed --model builtin/hash-256 "
      "--batch-size 1 --yes",
      128 + SIGKILL);
  r.run("vestige search memory", 2);
  r.run("vestige migrate reembed --model builtin/hash-256 --resume --yes", 0);
  reset_test_database(url);

  // A revert that nobody confirmed.
  r.run("vestige db revert --to 1 < /dev/null", 2);

  // The pool timeout needs a connection held busy for the whole timeout; the
  // PostgreSQL store test reproduces it (a cited test, checked to exist).
  const std::string store_test =
      read_text_file(fs::path(VESTIGE_SOURCE_DIR) / "tests/postgres/postgres_store_test.cc");
  ASSERT_THAT(store_test, ::testing::HasSubstr("TEST_F(PostgresStoreTest, "
                                               "AnAcquireTimeoutIsAPoolTimeoutError)"));
  const std::string cited = "pool timed out while waiting for an open connection";
  ASSERT_THAT(store_test, ::testing::HasSubstr("HasSubstr(\"" + cited + "\")"));

  const std::string markdown =
      read_text_file(fs::path(VESTIGE_SOURCE_DIR) / "docs/runbook/postgres.md");
  const auto rows = table_under(markdown, "9. Troubleshooting");
  ASSERT_GE(rows.size(), 10u);
  int checked = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 3u) << "symptom | cause | fix";
    if (row[0].rfind("Vestige:", 0) != 0) continue;
    for (const std::string& quote : backquoted(row[0])) {
      ++checked;
      if (quote == cited) continue;
      bool found = false;
      for (const std::string& output : r.outputs())
        found = found || matches_expected(output, quote);
      EXPECT_TRUE(found) << "no reproduction prints \"" << quote << "\"";
    }
  }
  EXPECT_GE(checked, 10);
}

}  // namespace
}  // namespace vestige::testing
