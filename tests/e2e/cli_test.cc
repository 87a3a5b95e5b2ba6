// End-to-end tests of the `vestige` binary on the embedded SQLite default:
// every test runs the real executable against a fresh data directory.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/subprocess.h"
#include "vestige/types.h"

namespace vestige {
namespace {

namespace fs = std::filesystem;
using testing::ProcessOptions;
using testing::ProcessResult;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vestige-cli-" + std::to_string(std::random_device{}()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
    data_dir_ = root_ / "data";
  }
  void TearDown() override { fs::remove_all(root_); }

  ProcessResult vestige(std::vector<std::string> args, ProcessOptions options = {}) {
    args.insert(args.begin(), {"--data-dir", data_dir_.string()});
    options.unset_env.insert(options.unset_env.end(),
                             {"VESTIGE_CONFIG", "VESTIGE_DATA_DIR", "VESTIGE_LOG"});
    return testing::run_process(VESTIGE_CLI_PATH, args, options);
  }

  std::string ingest(std::vector<std::string> args) {
    args.insert(args.begin(), "ingest");
    const ProcessResult r = vestige(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string id = r.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
  }

  void write_config(const std::string& toml) {
    fs::create_directories(data_dir_);
    std::ofstream(data_dir_ / "vestige.toml") << toml;
  }

  fs::path root_;
  fs::path data_dir_;
};

TEST_F(CliTest, IngestThenSearchFindsTheMemoryWithBranchRanks) {
  const std::string id = ingest({"--type", "decision", "--tags", "ops,backup", "--codebase",
                                 "vestige", "Back up the Postgres database nightly with pg_dump"});
  ingest({"The user prefers tabs over spaces"});
  ASSERT_TRUE(Uuid::parse(id)) << id;

  const ProcessResult r = vestige({"search", "how do we back up the database", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json results = Json::parse(r.out);
  ASSERT_GE(results.size(), 1u);
  const Json& top = results[0];
  EXPECT_EQ(top["id"], id);
  EXPECT_EQ(top["node_type"], "decision");
  EXPECT_EQ(top["tags"], Json({"ops", "backup"}));
  EXPECT_EQ(top["codebase"], "vestige");
  EXPECT_TRUE(top["metadata"].is_object());
  EXPECT_GT(top["score"].get<double>(), 0.0);
  EXPECT_EQ(top["text_rank"], 1);
  EXPECT_EQ(top["vector_rank"], 1);
  EXPECT_FALSE(top.contains("embedding"));

  const ProcessResult recall = vestige({"recall", "pg_dump"});
  EXPECT_EQ(recall.exit_code, 0) << recall.err;
  EXPECT_NE(recall.out.find(id), std::string::npos) << recall.out;
}

TEST_F(CliTest, SearchFiltersByTypeTagsAndCodebase) {
  const std::string a = ingest(
      {"--type", "decision", "--tags", "db", "--codebase", "alpha", "database choice: postgres"});
  const std::string b = ingest(
      {"--type", "fact", "--tags", "db,ops", "--codebase", "beta", "database backups run nightly"});
  auto ids = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"search", "database", "--json"});
    const ProcessResult r = vestige(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const auto& j : Json::parse(r.out)) out.push_back(j["id"]);
    return out;
  };
  EXPECT_EQ(ids({"--type", "decision"}), std::vector<std::string>{a});
  EXPECT_EQ(ids({"--tags", "db,ops"}), std::vector<std::string>{b});
  EXPECT_EQ(ids({"--codebase", "alpha"}), std::vector<std::string>{a});
  EXPECT_EQ(ids({"--mode", "text", "--codebase", "beta"}), std::vector<std::string>{b});
}

TEST_F(CliTest, GetAndDelete) {
  const std::string id = ingest({"--metadata", R"({"source":"test"})", "remember the milk"});
  ProcessResult r = vestige({"get", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json memory = Json::parse(r.out);
  EXPECT_EQ(memory["content"], "remember the milk");
  EXPECT_EQ(memory["metadata"]["source"], "test");
  EXPECT_EQ(memory["embedding"].size(), 384u);

  EXPECT_EQ(vestige({"delete", id}).exit_code, 0);
  r = vestige({"get", id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no memory with id"), std::string::npos) << r.err;
  EXPECT_EQ(vestige({"delete", id}).exit_code, 1);

  r = vestige({"get", "not-a-uuid"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a memory id"), std::string::npos) << r.err;
}

TEST_F(CliTest, ExportImportRoundTripIsExactAndIdempotent) {
  // --force-create: these similar texts would otherwise go through the ingest
  // gate into fewer memories.
  for (int i = 0; i < 25; ++i)
    ingest({"--force-create", "--tags", "n" + std::to_string(i),
            "memory number " + std::to_string(i)});
  const fs::path file = root_ / "export.jsonl";
  ProcessResult r = vestige({"export", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const fs::path other = root_ / "other";
  auto in_other = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--data-dir", other.string()});
    return testing::run_process(VESTIGE_CLI_PATH, args, {});
  };
  r = in_other({"import", file.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["inserted"], 25);
  r = in_other({"import", file.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["inserted"], 0);
  EXPECT_EQ(Json::parse(r.out)["existing"], 25);

  // Everything but updated_at (set by the importing store) is preserved,
  // embeddings bit-exact (their JSON text is identical).
  auto normalised = [](const std::string& jsonl) {
    std::vector<Json> lines;
    std::istringstream in(jsonl);
    for (std::string line; std::getline(in, line);) {
      Json j = Json::parse(line);
      j.erase("updated_at");
      lines.push_back(j);
    }
    return lines;
  };
  std::ifstream original(file);
  const std::string original_text((std::istreambuf_iterator<char>(original)), {});
  r = in_other({"export"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(normalised(r.out), normalised(original_text));
}

TEST_F(CliTest, ImportReportsBadLinesAndKeepsTheRest) {
  const fs::path file = root_ / "in.jsonl";
  std::ofstream(file)
      << R"({"content":"first good line","tags":["a"]})"
      << "\n"
      << "this is not json\n"
      << R"({"content":"wrong tags type","tags":"a,b"})"
      << "\n"
      << "\n"
      << R"({"id":"0192f1a4-7b3c-7d2e-8f00-0123456789ab","content":"second good line"})"
      << "\n"
      << R"({"content":"short vector","embedding":[0.5,0.5]})"
      << "\n";
  const ProcessResult r = vestige({"import", file.string(), "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["lines"], 5);
  EXPECT_EQ(report["inserted"], 2);
  ASSERT_EQ(report["errors"].size(), 3u);
  EXPECT_EQ(report["errors"][0]["line"], 2);
  EXPECT_EQ(report["errors"][1]["line"], 3);
  EXPECT_NE(report["errors"][1]["reason"].get<std::string>().find("tags"), std::string::npos);
  EXPECT_EQ(report["errors"][2]["line"], 6);
  EXPECT_EQ(vestige({"get", "0192f1a4-7b3c-7d2e-8f00-0123456789ab"}).exit_code, 0);
}

TEST_F(CliTest, ModelChangeIsRefusedNamingBothModelsAndTheFix) {
  ingest({"stored with the default model"});
  write_config("[embeddings]\nmodel = \"builtin/hash-256\"\n");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"search", "stored"}, {"ingest", "another"}}) {
    const ProcessResult r = vestige(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_NE(r.err.find("builtin/hash-384"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("builtin/hash-256"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("vestige migrate reembed --model=builtin/hash-256"), std::string::npos)
        << r.err;
  }
  // Nothing was written by the refused ingest.
  write_config("");
  EXPECT_EQ(Json::parse(vestige({"stats", "--json"}).out)["memories"], 1);
}

TEST_F(CliTest, ConfigPrintMasksSecretsAndCheckRejectsUnknownKeys) {
  write_config("[storage.postgres]\nurl = \"postgresql://vestige:hunter2@db.example/vestige\"\n");
  ProcessResult r = vestige({"config", "print"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("vestige:****@db.example"), std::string::npos) << r.out;
  EXPECT_EQ(vestige({"config", "check"}).exit_code, 0);

  write_config("[storage]\nbackend = \"sqlite\"\n\n[storage.sqlite]\npaht = \"x.db\"\n");
  r = vestige({"config", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("paht"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":5"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(data_dir_ / "vestige.db"));
}

TEST_F(CliTest, ConfigCheckConnectReportsTheStore) {
  ingest({"anything"});
  const ProcessResult r = vestige({"config", "check", "--connect", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["connection"]["backend"], "sqlite");
  EXPECT_EQ(report["connection"]["server_version"].get<std::string>().rfind("SQLite 3.", 0), 0u)
      << report;
  EXPECT_EQ(report["connection"]["registered_model"]["name"], "builtin/hash-384");
}

TEST_F(CliTest, DataIsPrivate) {
  ingest({"a private memory"});
  struct stat st {};
  ASSERT_EQ(stat(data_dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  ASSERT_EQ(stat((data_dir_ / "vestige.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(CliTest, StatsAndHealth) {
  ingest({"--type", "decision", "one"});
  ingest({"two"});
  ProcessResult r = vestige({"stats", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json stats = Json::parse(r.out);
  EXPECT_EQ(stats["memories"], 2);
  EXPECT_EQ(stats["memories_with_embedding"], 2);
  EXPECT_EQ(stats["by_node_type"]["decision"], 1);
  EXPECT_EQ(stats["model"]["name"], "builtin/hash-384");
  r = vestige({"health", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["status"], "ok");
}

TEST_F(CliTest, SchemaCommands) {
  ingest({"x"});
  ProcessResult r = vestige({"db", "status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json status = Json::parse(r.out);
  ASSERT_GE(status.size(), 1u);
  EXPECT_EQ(status[0]["version"], 1);
  EXPECT_EQ(status[0]["applied"], true);

  r = vestige({"db", "revert", "--to", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;

  r = vestige({"db", "revert", "--to", "0", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = vestige({"db", "status", "--json"});
  EXPECT_EQ(Json::parse(r.out)[0]["applied"], false);
  r = vestige({"db", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(vestige({"stats", "--json"}).out)["memories"], 0);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(vestige({}).exit_code, 2);
  EXPECT_EQ(vestige({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(vestige({"search"}).exit_code, 2);
  EXPECT_EQ(vestige({"search", "x", "--limit", "0"}).exit_code, 2);
  EXPECT_EQ(vestige({"ingest"}).exit_code, 2);
  EXPECT_EQ(vestige({"ingest", "--metadata", "[1]", "x"}).exit_code, 2);
  EXPECT_EQ(vestige({"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace vestige
