// End-to-end tests of the `vestige` commands that run the engine: ingest
// through the ingest gate, review and consolidate, on a real SQLite store in a
// fresh data directory.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "support/subprocess.h"
#include "vestige/types.h"

namespace vestige {
namespace {

namespace fs = std::filesystem;
using testing::ProcessOptions;
using testing::ProcessResult;

constexpr const char* kDeploy =
    "The deploy script lives in tools/deploy.sh. It needs the AWS profile prod.";
// 0.882 to kDeploy with the builtin embedder: merged by consolidation, but
// below the gate's reinforce threshold (0.92), so --force-create stores both.
constexpr const char* kDeployMore =
    "The deploy script lives in tools/deploy.sh. It needs the AWS profile prod. Run it from the "
    "repository root.";

class CliEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vestige-cli-engine-" + std::to_string(std::random_device{}()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
    data_dir_ = root_ / "data";
  }
  void TearDown() override { fs::remove_all(root_); }

  ProcessResult vestige(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data-dir", data_dir_.string()});
    ProcessOptions options;
    options.unset_env = {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"};
    return testing::run_process(VESTIGE_CLI_PATH, args, options);
  }

  Json json(std::vector<std::string> args) {
    args.push_back("--json");
    const ProcessResult r = vestige(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    try {
      return Json::parse(r.out);
    } catch (const Json::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out;
      return Json();
    }
  }

  void write_config(const std::string& toml) {
    fs::create_directories(data_dir_);
    std::ofstream(data_dir_ / "vestige.toml") << toml;
  }

  // Memories about other things, so that the searches have something to rank
  // the relevant ones above.
  void ingest_unrelated() {
    for (const char* text : {"The user prefers tabs over spaces", "Standup is at ten every weekday",
                             "The cat is called Miso"}) {
      ASSERT_EQ(vestige({"ingest", text}).exit_code, 0) << text;
    }
  }

  fs::path root_;
  fs::path data_dir_;
};

TEST_F(CliEngineTest, IngestGoesThroughTheGate) {
  ProcessResult r = vestige({"ingest", "The API server listens on port 8080 in development"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = r.out.substr(0, r.out.find('\n'));
  ASSERT_TRUE(Uuid::parse(id)) << r.out;  // the id alone on stdout, for scripts
  EXPECT_EQ(r.out, id + "\n");
  EXPECT_EQ(r.err.rfind("create: ", 0), 0u) << r.err;

  // A restatement reinforces the same memory.
  r = vestige({"ingest", "The API server listens on port 8080 in development mode"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + "\n");
  EXPECT_EQ(r.err.rfind("reinforce: ", 0), 0u) << r.err;

  // A correction supersedes, and --json says so.
  const Json first = json({"ingest", "--tags", "db", "We use MySQL as the database"});
  EXPECT_EQ(first["decision"], "create");
  EXPECT_EQ(first["memory"]["tags"], Json({"db"}));
  EXPECT_FALSE(first["memory"].contains("embedding"));
  const Json second = json({"ingest", "We no longer use MySQL; the database is now PostgreSQL"});
  EXPECT_EQ(second["decision"], "supersede");
  EXPECT_EQ(second["superseded_id"], first["id"]);
  EXPECT_GT(second["similarity"].get<double>(), 0.75);
  EXPECT_FALSE(second["reason"].get<std::string>().empty());

  // --force-create skips the gate; the existing flags still apply.
  const Json forced =
      json({"ingest", "--force-create", "--type", "decision", "--codebase", "api", "--metadata",
            R"({"source":"test"})", "The API server listens on port 8080 in development"});
  EXPECT_EQ(forced["decision"], "create");
  EXPECT_NE(forced["id"], id);
  EXPECT_NE(forced["reason"].get<std::string>().find("force_create"), std::string::npos);
  EXPECT_EQ(forced["memory"]["node_type"], "decision");
  EXPECT_EQ(forced["memory"]["codebase"], "api");
  EXPECT_EQ(forced["memory"]["metadata"]["source"], "test");
  EXPECT_EQ(json({"stats"})["memories"], 4);
}

// `vestige search` (alias recall) ranks as the MCP recall tool does: the
// engine's pipeline, where a correction ranks above what it superseded, and
// the returned memories are recorded as accessed. --mode hybrid|text|vector
// are the store's own searches, read-only.
TEST_F(CliEngineTest, SearchRanksWithTheRecallPipeline) {
  const std::string old_id = json({"ingest", "We use MySQL as the database"})["id"];
  const Json correction =
      json({"ingest", "We no longer use MySQL; the database is now PostgreSQL"});
  ASSERT_EQ(correction["decision"], "supersede");
  const std::string new_id = correction["id"];
  ingest_unrelated();
  const int accesses_before = json({"get", new_id})["engine"]["access_count"];

  const Json results = json({"search", "which database do we use"});
  ASSERT_GE(results.size(), 2u);
  EXPECT_EQ(results[0]["id"], new_id);
  EXPECT_EQ(results[0]["superseded_by"], nullptr);
  EXPECT_EQ(results[1]["id"], old_id);
  EXPECT_EQ(results[1]["superseded_by"], new_id);
  EXPECT_LT(results[1]["score"].get<double>(), results[0]["score"].get<double>());
  const Json& top = results[0];
  EXPECT_EQ(top["content"], "We no longer use MySQL; the database is now PostgreSQL");
  EXPECT_EQ(top["node_type"], "fact");
  EXPECT_TRUE(top["tags"].is_array());
  EXPECT_TRUE(top["metadata"].is_object());
  EXPECT_TRUE(top.contains("codebase"));
  EXPECT_EQ(top["rank"], 1);
  EXPECT_TRUE(top["text_rank"].is_number()) << top.dump();
  EXPECT_TRUE(top["vector_rank"].is_number()) << top.dump();
  EXPECT_GT(top["retention"].get<double>(), 0.0);
  EXPECT_NE(top["why"].get<std::string>().find("text rank"), std::string::npos) << top.dump();
  EXPECT_FALSE(top.contains("embedding"));
  EXPECT_EQ(json({"get", new_id})["engine"]["access_count"], accesses_before + 1);

  ProcessResult r = vestige({"recall", "which database do we use"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("1. " + new_id), 0u) << r.out;
  EXPECT_NE(r.out.find("[superseded by " + new_id + "]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("why: "), std::string::npos) << r.out;

  // The store's searches neither re-rank nor record access.
  for (const char* mode : {"hybrid", "text", "vector"}) {
    const Json raw = json({"search", "which database do we use", "--mode", mode});
    ASSERT_FALSE(raw.empty()) << mode;
    EXPECT_TRUE(raw[0].contains("retrievability")) << mode;
    EXPECT_FALSE(raw[0].contains("why")) << mode;
  }
  EXPECT_EQ(json({"get", new_id})["engine"]["access_count"], accesses_before + 2);
}

// The point of ranking with the pipeline: a person at the command line and
// an agent over MCP get the same answer to the same question.
TEST_F(CliEngineTest, SearchAnswersAsTheMcpRecallToolDoes) {
  json({"ingest", "We use MySQL as the database"});
  ASSERT_EQ(json({"ingest", "We no longer use MySQL; the database is now PostgreSQL"})["decision"],
            "supersede");
  ingest_unrelated();
  json({"ingest", "--tags", "db", "Database backups run nightly with pg_dump"});
  json({"ingest", "The database schema is migrated with sqitch"});
  const std::string query = "which database do we use";

  std::vector<std::string> cli;
  for (const Json& m : json({"search", query})) cli.push_back(m["id"]);

  const Json initialize = {{"jsonrpc", "2.0"},
                           {"id", 1},
                           {"method", "initialize"},
                           {"params",
                            {{"protocolVersion", "2025-06-18"},
                             {"capabilities", Json::object()},
                             {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}};
  const Json initialized = {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  const Json call = {{"jsonrpc", "2.0"},
                     {"id", 2},
                     {"method", "tools/call"},
                     {"params", {{"name", "recall"}, {"arguments", {{"query", query}}}}}};
  ProcessOptions options;
  options.unset_env = {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"};
  options.stdin_text = initialize.dump() + "\n" + initialized.dump() + "\n" + call.dump() + "\n";
  const ProcessResult r =
      testing::run_process(VESTIGE_MCP_PATH, {"--data-dir", data_dir_.string()}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> mcp;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const Json reply = Json::parse(line);
    if (reply.value("id", 0) != 2) continue;
    for (const Json& m : reply["result"]["structuredContent"]["matches"]) mcp.push_back(m["id"]);
  }
  ASSERT_GE(cli.size(), 3u);
  EXPECT_EQ(cli, mcp) << r.out;
}

TEST_F(CliEngineTest, SearchRefusesFlagsOfTheOtherMode) {
  ASSERT_EQ(vestige({"ingest", "We use MySQL as the database"}).exit_code, 0);
  ProcessResult r = vestige({"search", "database", "--min-retrievability", "0.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--min-retention"), std::string::npos) << r.err;
  r = vestige({"search", "database", "--mode", "text", "--min-retention", "0.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--min-retrievability"), std::string::npos) << r.err;
  r = vestige({"search", "database", "--limit", "101"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mode hybrid"), std::string::npos) << r.err;
  EXPECT_EQ(vestige({"search", "database", "--mode", "hybrid", "--limit", "101"}).exit_code, 0);
  EXPECT_EQ(json({"search", "database", "--min-retention", "0.5"}).size(), 1u);
  EXPECT_EQ(json({"search", "database", "--mode", "text", "--min-retrievability", "0.5"}).size(),
            1u);
}

TEST_F(CliEngineTest, ReviewUpdatesTheScheduleAndLogsTheReview) {
  const std::string id = json({"ingest", "Tabs, not spaces, in the Makefile"})["id"];
  Json r = json({"review", id, "--rating", "3"});
  // First review, Good: S0 = w2, D0(3) = w4 - e^(2*w5) + 1.
  EXPECT_NEAR(r["stability"].get<double>(), 2.3065, 1e-9);
  EXPECT_NEAR(r["difficulty"].get<double>(), 2.11810397, 1e-6);
  EXPECT_EQ(r["reps"], 1);
  EXPECT_EQ(r["state"], "review");
  EXPECT_EQ(r["interval_days"], 2);
  EXPECT_GE(r["review_event_id"].get<int>(), 1);

  r = json({"review", id, "--rating", "1"});
  EXPECT_EQ(r["reps"], 2);
  EXPECT_EQ(r["lapses"], 1);
  EXPECT_EQ(r["state"], "relearning");

  ProcessResult plain = vestige({"review", id, "--rating", "4"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("stability:"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("difficulty:"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("next review:"), std::string::npos) << plain.out;

  EXPECT_EQ(vestige({"review", id, "--rating", "5"}).exit_code, 2);
  EXPECT_EQ(vestige({"review", id}).exit_code, 2);
  EXPECT_EQ(vestige({"review", "not-a-uuid", "--rating", "3"}).exit_code, 2);
  const ProcessResult missing =
      vestige({"review", "0192f1a4-7b3c-7d2e-8f00-0123456789ab", "--rating", "3"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no memory with id"), std::string::npos) << missing.err;
}

TEST_F(CliEngineTest, ConsolidateMergesAndUndoRestores) {
  const std::string a = json({"ingest", "--force-create", kDeployMore})["id"];
  const std::string b = json({"ingest", "--force-create", kDeploy})["id"];
  json({"ingest", "The recipe needs two cups of flour and one egg"});
  const Json before_a = json({"get", a});
  const Json before_b = json({"get", b});

  const Json dry = json({"consolidate", "--dry-run"});
  EXPECT_EQ(dry["dry_run"], true);
  ASSERT_EQ(dry["merges"].size(), 1u);
  EXPECT_TRUE(dry["merges"][0]["merge_id"].is_null());
  EXPECT_EQ(json({"get", a}), before_a);  // nothing written
  EXPECT_EQ(json({"get", b}), before_b);

  const Json run = json({"consolidate"});
  ASSERT_EQ(run["merges"].size(), 1u);
  EXPECT_EQ(run["pass_complete"], true);
  const std::string merge_id = run["merges"][0]["merge_id"];
  const std::string kept = run["merges"][0]["kept_id"];
  const std::string absorbed = run["merges"][0]["absorbed_ids"][0];
  EXPECT_EQ(std::set<std::string>({kept, absorbed}), std::set<std::string>({a, b}));
  const Json kept_memory = json({"get", kept});
  const std::string content = kept_memory["content"];
  EXPECT_NE(content.find("It needs the AWS profile prod."), std::string::npos) << content;
  EXPECT_NE(content.find("Run it from the repository root."), std::string::npos) << content;
  const Json gone = json({"get", absorbed});
  EXPECT_EQ(gone["engine"]["suppressed"], true);
  EXPECT_EQ(gone["engine"]["superseded_by"], kept);
  EXPECT_EQ(json({"search", "deploy script", "--mode", "text"}).size(), 1u);

  ProcessResult r = vestige({"consolidate", "--undo", merge_id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("undid merge " + merge_id), std::string::npos) << r.out;
  for (const auto& [id, before] : {std::pair{a, before_a}, std::pair{b, before_b}}) {
    Json now = json({"get", id});
    Json expected = before;
    now.erase("updated_at");
    expected.erase("updated_at");
    EXPECT_EQ(now, expected) << id;
  }
  EXPECT_EQ(json({"search", "deploy script", "--mode", "text"}).size(), 2u);

  r = vestige({"consolidate", "--undo", merge_id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already undone"), std::string::npos) << r.err;
  EXPECT_EQ(vestige({"consolidate", "--undo", "nope"}).exit_code, 2);
  EXPECT_EQ(vestige({"consolidate", "--undo", merge_id, "--dry-run"}).exit_code, 2);

  // Plain output names the undo command.
  r = vestige({"consolidate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("undo with: vestige consolidate --undo "), std::string::npos) << r.out;
}

TEST_F(CliEngineTest, ConsolidateReadsItsThresholdsFromTheConfig) {
  write_config("[consolidation]\nmerge_threshold = 0.95\n");
  json({"ingest", "--force-create", kDeployMore});
  json({"ingest", "--force-create", kDeploy});
  Json r = json({"consolidate"});
  EXPECT_TRUE(r["merges"].empty());
  EXPECT_EQ(r["linked"], 1);  // 0.882: related, not a duplicate at 0.95

  write_config("[consolidation]\nmerge_treshold = 0.9\n");
  const ProcessResult bad = vestige({"consolidate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("consolidation.merge_treshold"), std::string::npos) << bad.err;
}

TEST_F(CliEngineTest, ConsolidateInSlices) {
  for (int i = 0; i < 5; ++i) {
    json({"ingest", "--force-create",
          "note " + std::to_string(i * 7919) + " on subject " + std::to_string(i * 104729)});
  }
  Json r = json({"consolidate", "--max-memories", "2"});
  EXPECT_EQ(r["examined"], 2);
  EXPECT_EQ(r["pass_complete"], false);
  EXPECT_EQ(r["budget_exhausted"], true);
  const ProcessResult plain = vestige({"consolidate", "--max-memories", "2"});
  EXPECT_NE(plain.out.find("stopped by the budget"), std::string::npos) << plain.out;
}

TEST_F(CliEngineTest, GcListsByDefaultAndDeletesOnlyWhenAsked) {
  json({"ingest", "--force-create", kDeployMore});
  json({"ingest", "--force-create", kDeploy});
  const Json merged = json({"consolidate"});
  ASSERT_EQ(merged["merges"].size(), 1u);
  const std::string absorbed = merged["merges"][0]["absorbed_ids"][0];
  const std::string kept = merged["merges"][0]["kept_id"];

  Json r = json({"gc"});
  EXPECT_EQ(r["dry_run"], true);
  ASSERT_EQ(r["candidates"].size(), 1u);  // the merge record is younger than its lifetime
  EXPECT_EQ(r["candidates"][0]["id"], absorbed);
  EXPECT_EQ(r["candidates"][0]["reason"], "merged into or superseded by " + kept);
  EXPECT_EQ(r["deleted"], 0);
  ProcessResult plain = vestige({"gc"});
  EXPECT_NE(plain.out.find("add --delete"), std::string::npos) << plain.out;
  EXPECT_EQ(json({"gc", "--keep-suppressed"})["candidates"].size(), 0u);

  r = json({"gc", "--delete"});
  EXPECT_EQ(r["deleted"], 1);
  EXPECT_EQ(vestige({"get", absorbed}).exit_code, 1);
  EXPECT_EQ(vestige({"get", kept}).exit_code, 0);
  // The merge can no longer be undone, and undo says why.
  const ProcessResult undo =
      vestige({"consolidate", "--undo", merged["merges"][0]["merge_id"].get<std::string>()});
  EXPECT_EQ(undo.exit_code, 2);
  EXPECT_NE(undo.err.find("was deleted since"), std::string::npos) << undo.err;
  EXPECT_EQ(vestige({"gc", "--max-retention", "2"}).exit_code, 2);
}

TEST_F(CliEngineTest, DreamSummarisesRecentRelatedMemoriesOnce) {
  for (const char* text : {"Unit tests run with pytest in the backend repository",
                           "The backend repository uses pytest with coverage for tests",
                           "Unit tests run with pytest in the backend repository. Coverage must "
                           "stay above 80 percent.",
                           "The recipe needs two cups of flour and one egg"}) {
    json({"ingest", "--force-create", text});
  }
  const Json dry = json({"dream", "--dry-run"});
  EXPECT_EQ(dry["linked"], 3);
  ASSERT_EQ(dry["summaries"].size(), 1u);
  EXPECT_TRUE(dry["summaries"][0]["id"].is_null());
  EXPECT_EQ(json({"stats"})["memories"], 4);

  const Json r = json({"dream"});
  EXPECT_EQ(r["examined"], 4);
  ASSERT_EQ(r["summaries"].size(), 1u);
  EXPECT_EQ(r["summaries"][0]["members"].size(), 3u);
  const Json summary = json({"get", r["summaries"][0]["id"]});
  EXPECT_EQ(summary["node_type"], "summary");
  EXPECT_EQ(summary["content"].get<std::string>().rfind("Summary of 3 related memories", 0), 0u);
  EXPECT_TRUE(json({"dream"})["summaries"].empty());
}

// A merge made 40 days ago: its store exported, the merge record's id and
// creation time moved back 40 days (a version 7 id carries its creation
// time), and imported into a fresh data directory.
TEST_F(CliEngineTest, GcCollectsMergeRecordsPastTheirLifetimeAndUndoSaysSo) {
  json({"ingest", "--force-create", kDeployMore});
  json({"ingest", "--force-create", kDeploy});
  const Json merged = json({"consolidate"});
  ASSERT_EQ(merged["merges"].size(), 1u);
  const std::string fresh_id = merged["merges"][0]["merge_id"];
  const fs::path exported = root_ / "export.jsonl";
  ASSERT_EQ(vestige({"export", exported.string()}).exit_code, 0);
  fs::remove_all(data_dir_);

  const Timestamp made = now_utc() - std::chrono::days(40);
  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(made.time_since_epoch()).count());
  const std::string old_id =
      fmt::format("{:08x}-{:04x}-7abc-8def-0123456789ab", millis >> 16, millis & 0xffff);
  std::ifstream in(exported);
  std::ofstream out(root_ / "aged.jsonl");
  int records = 0;
  for (std::string line; std::getline(in, line);) {
    Json m = Json::parse(line);
    if (m["id"] == fresh_id) {
      m["id"] = old_id;
      m["created_at"] = format_timestamp(made);
      ++records;
    }
    out << m.dump() << '\n';
  }
  out.close();
  ASSERT_EQ(records, 1);
  ASSERT_EQ(vestige({"import", (root_ / "aged.jsonl").string()}).exit_code, 0);

  // Listed (dry run) once older than merge_record_days (30 by default).
  Json r = json({"gc", "--keep-suppressed"});
  ASSERT_EQ(r["candidates"].size(), 1u) << r.dump();
  EXPECT_EQ(r["candidates"][0]["id"], old_id);
  EXPECT_EQ(r["candidates"][0]["node_type"], "merge_record");
  EXPECT_EQ(r["candidates"][0]["reason"],
            "merge record older than 30 days (its merge cannot be undone once it is deleted)");
  write_config("[consolidation]\nmerge_record_days = 60\n");
  EXPECT_TRUE(json({"gc", "--keep-suppressed"})["candidates"].empty());
  write_config("[consolidation]\nmerge_record_days = 0\n");
  EXPECT_TRUE(json({"gc", "--keep-suppressed"})["candidates"].empty()) << "0 keeps them";
  write_config("[consolidation]\nmerge_record_days = 40\n");

  r = json({"gc", "--keep-suppressed", "--delete"});
  EXPECT_EQ(r["deleted"], 1);
  EXPECT_EQ(vestige({"get", old_id}).exit_code, 1);
  const ProcessResult undo = vestige({"consolidate", "--undo", old_id});
  EXPECT_EQ(undo.exit_code, 1);
  EXPECT_NE(undo.err.find("can no longer be undone: its record was collected by gc"),
            std::string::npos)
      << undo.err;
  EXPECT_NE(undo.err.find("older than 40 days ([consolidation] merge_record_days)"),
            std::string::npos)
      << undo.err;
  EXPECT_NE(undo.err.find("made on " + format_timestamp(made).substr(0, 10)), std::string::npos)
      << undo.err;
}

}  // namespace
}  // namespace vestige
