// Runs docs/runbook/postgres.md: every `vestige` / `vestige-mcp` command in
// it, in order, with the real binaries against the PostgreSQL test server,
// and every SQL block through libpq (the conventions are in the runbook's
// header comment).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "runbook/runbook_doc.h"
#include "support/pg_test_server.h"
#include "support/temp_dir.h"

namespace vestige::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRunbook = fs::path(VESTIGE_SOURCE_DIR) / "docs/runbook/postgres.md";

// The result of one SQL block: the last statement's rows, cells joined by
// " | ", or the error.
struct SqlOutcome {
  bool ok = false;
  std::string error;
  std::vector<std::string> rows;
};

class Database {
 public:
  explicit Database(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(conn_.get()));
    }
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
  }

  SqlOutcome run(const std::string& sql) {
    SqlOutcome outcome;
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      outcome.error = PQerrorMessage(conn_.get());
      return outcome;
    }
    outcome.ok = true;
    for (int row = 0; row < PQntuples(r.get()); ++row) {
      std::string text;
      for (int col = 0; col < PQnfields(r.get()); ++col) {
        if (col > 0) text += " | ";
        text += PQgetvalue(r.get(), row, col);
      }
      outcome.rows.push_back(text);
    }
    return outcome;
  }

  bool has_extension(const std::string& name) {
    const SqlOutcome r =
        run("SELECT 1 FROM pg_extension WHERE extname = '" + name + "'");  // a name from the doc
    return r.ok && !r.rows.empty();
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// Runs the commands in `dir` (where relative paths such as the export land)
// and goes back when the test ends, also when it fails.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) {
    fs::current_path(dir);
  }
  ~WorkingDirectory() { fs::current_path(previous_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

std::string joined(const std::vector<std::string>& rows) {
  std::string out;
  for (const auto& row : rows) out += "  " + row + "\n";
  return out;
}

void check_sql(Database& db, const RunbookStep& step) {
  SCOPED_TRACE("SQL block at docs/runbook/postgres.md:" + std::to_string(step.line));
  if (!step.needs.empty() && !db.has_extension(step.needs)) {
    std::cout << "[ skipped ] SQL block at line " << step.line << ": the test server has no "
              << step.needs << " extension\n";
    return;
  }
  const SqlOutcome outcome = db.run(step.text);
  ASSERT_TRUE(outcome.ok) << outcome.error << "\n" << step.text;
  for (const std::string& expect : step.expected) {
    if (expect == "rows") {
      EXPECT_FALSE(outcome.rows.empty()) << step.text;
    } else if (expect == "no rows") {
      EXPECT_TRUE(outcome.rows.empty()) << joined(outcome.rows);
    } else {
      bool found = false;
      for (const auto& row : outcome.rows) found = found || row.find(expect) != std::string::npos;
      EXPECT_TRUE(found) << "no row contains \"" << expect << "\"; rows:\n" << joined(outcome.rows);
    }
  }
}

void check_command(const RunbookStep& step, const fs::path& home,
                   const std::map<std::string, std::string>& vars) {
  SCOPED_TRACE("docs/runbook/postgres.md:" + std::to_string(step.line) + ": $ " + step.text);
  const ProcessResult result = run_runbook_command(step.text, home, vars);
  const std::string output = result.out + result.err;
  EXPECT_EQ(result.exit_code, step.exit_code) << output;
  for (const std::string& expected : step.expected) {
    EXPECT_TRUE(matches_expected(output, expected))
        << "expected a line matching \"" << expected << "\" in:\n"
        << output;
  }
}

TEST(RunbookTest, EveryCommandAndQueryWorksAsWritten) {
  const std::string url = test_pg_url();
  reset_test_database(url);
  const std::string markdown = read_text_file(kRunbook);
  const std::vector<RunbookStep> steps = parse_runbook(markdown);

  const auto commands = std::count_if(steps.begin(), steps.end(), [](const RunbookStep& s) {
    return s.kind == RunbookStep::Kind::kCommand;
  });
  ASSERT_GE(commands, 15);

  TempDir scratch("vestige-runbook");
  const fs::path home = scratch.path() / "home";
  fs::create_directories(home);
  const WorkingDirectory in_scratch(scratch.path());
  const std::map<std::string, std::string> vars = {{"DATABASE_URL", url},
                                                   {"DRILL_DATABASE_URL", url}};
  Database db(url);
  int sql_blocks = 0;
  for (const RunbookStep& step : steps) {
    switch (step.kind) {
      case RunbookStep::Kind::kToml: {
        const fs::path file = home / step.path;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << step.text;
        break;
      }
      case RunbookStep::Kind::kStageSql: {
        const SqlOutcome staged = db.run(step.text);
        ASSERT_TRUE(staged.ok) << "line " << step.line << ": " << staged.error;
        break;
      }
      case RunbookStep::Kind::kSql:
        ++sql_blocks;
        check_sql(db, step);
        break;
      case RunbookStep::Kind::kCommand:
        check_command(step, home, vars);
        break;
    }
    if (::testing::Test::HasFatalFailure()) break;
  }
  EXPECT_GE(sql_blocks, 8);
  std::cout << "ran " << commands << " commands and " << sql_blocks << " SQL blocks\n";
}

// The MCP client configuration is copied into clients as it is.
TEST(RunbookTest, EveryJsonBlockParses) {
  const std::string markdown = read_text_file(kRunbook);
  int blocks = 0;
  for (auto at = markdown.find("```json\n"); at != std::string::npos;
       at = markdown.find("```json\n", at + 1)) {
    const auto end = markdown.find("\n```", at + 8);
    ASSERT_NE(end, std::string::npos);
    const std::string text = markdown.substr(at + 8, end - at - 8);
    EXPECT_TRUE(nlohmann::json::accept(text)) << text;
    ++blocks;
  }
  EXPECT_GE(blocks, 1);
}

TEST(RunbookTest, ConventionsAreEnforced) {
  const auto steps = parse_runbook(
      "```sh\n$ psql -c 'SELECT 1'\nnot expected\n$ FOO=\"$X\" vestige stats --json\n"
      "memories: <n>\n(exit status 3)\n```\n<!-- test-sql: SELECT 1; -->\n"
      "```sql\n-- needs: pg_stat_statements\nSELECT 1;\n-- expect: no rows\n```\n");
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].text, "FOO=\"$X\" vestige stats --json");
  EXPECT_THAT(steps[0].expected, ::testing::ElementsAre("memories: <n>"));
  EXPECT_EQ(steps[0].exit_code, 3);
  EXPECT_EQ(steps[1].kind, RunbookStep::Kind::kStageSql);
  EXPECT_EQ(steps[2].needs, "pg_stat_statements");
  EXPECT_THAT(steps[2].expected, ::testing::ElementsAre("no rows"));

  const CommandLine line =
      parse_command_line("FOO=\"$X\" vestige search 'a $b' \"${X}c\" < /dev/null", {{"X", "x"}});
  EXPECT_EQ(line.env.at("FOO"), "x");
  EXPECT_EQ(line.program, "vestige");
  EXPECT_THAT(line.args, ::testing::ElementsAre("search", "a $b", "xc"));
  EXPECT_EQ(line.stdin_file, "/dev/null");

  EXPECT_TRUE(matches_expected("status: ok (a.b) x", "status: <...> (a.b)"));
  EXPECT_FALSE(matches_expected("status: ok (aXb)", "status: <...> (a.b)"));
  EXPECT_THROW(parse_runbook("```sh\n$ vestige stats\n"), std::runtime_error);
  EXPECT_THROW(parse_runbook("```text\n$ vestige stats\n```\n"), std::runtime_error);
  EXPECT_EQ(parse_runbook("```sh pending\n$ vestige stats\n```\n").size(), 0u);
}

}  // namespace
}  // namespace vestige::testing
