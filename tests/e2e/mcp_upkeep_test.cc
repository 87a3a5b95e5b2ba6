// End-to-end tests of the vestige-mcp tools that look after the store and the
// agent's session: intention, maintain and session_start, and automatic
// consolidation between requests, through the real binary.

#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/mcp_test_support.h"

namespace vestige::testing {
namespace {

namespace fs = std::filesystem;

class McpUpkeepTest : public McpTest {
 protected:
  std::string ingest(McpProcess& server, Json arguments) {
    return ok(server, "smart_ingest", std::move(arguments)).value("id", std::string());
  }
};

TEST_F(McpUpkeepTest, IntentionSetCheckUpdateAndList) {
  auto server = start_initialized();
  const Json by_time = ok(*server, "intention",
                          Json{{"action", "set"},
                               {"content", "Rotate the staging credentials"},
                               {"at", "2020-01-01T00:00:00Z"},
                               {"priority", 3}});
  const std::string time_id = by_time["intention"]["id"];
  const Json by_context = ok(*server, "intention",
                             Json{{"action", "set"},
                                  {"content", "Mention the flaky payment test"},
                                  {"codebase", "shop"},
                                  {"keywords", {"payments"}}});
  const std::string context_id = by_context["intention"]["id"];

  Json fired = ok(*server, "intention", Json{{"action", "check"}, {"codebase", "blog"}});
  ASSERT_EQ(fired["fired"].size(), 1u) << fired.dump();
  EXPECT_EQ(fired["fired"][0]["id"], time_id);

  fired = ok(*server, "intention",
             Json{{"action", "check"}, {"codebase", "shop"}, {"text", "fixing payments retries"}});
  ASSERT_EQ(fired["fired"].size(), 2u) << fired.dump();

  const Json done =
      ok(*server, "intention", Json{{"action", "update"}, {"id", time_id}, {"change", "complete"}});
  EXPECT_EQ(done["intention"]["status"], "completed");
  const Json snoozed = ok(*server, "intention",
                          Json{{"action", "update"},
                               {"id", context_id},
                               {"change", "snooze"},
                               {"until", "2099-01-01T00:00:00Z"}});
  EXPECT_EQ(snoozed["intention"]["status"], "snoozed");

  const Json all = ok(*server, "intention", Json{{"action", "list"}});
  EXPECT_EQ(all["intentions"].size(), 2u);
  const Json completed =
      ok(*server, "intention", Json{{"action", "list"}, {"status", "completed"}});
  ASSERT_EQ(completed["intentions"].size(), 1u);
  EXPECT_EQ(completed["intentions"][0]["id"], time_id);
  // Intentions are not knowledge: recall does not return them.
  EXPECT_TRUE(
      ok(*server, "recall", Json{{"query", "rotate staging credentials"}})["matches"].empty());

  Json error = tool_error(*server, "intention",
                          Json{{"action", "set"}, {"content", "x"}, {"at", "next tuesday"}});
  EXPECT_NE(error["message"].get<std::string>().find("RFC 3339"), std::string::npos);
  error = tool_error(*server, "intention", Json{{"action", "set"}, {"content", "no trigger"}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "intention",
                     Json{{"action", "update"}, {"id", context_id}, {"change", "snooze"}});
  EXPECT_NE(error["message"].get<std::string>().find("'until'"), std::string::npos);
  error = tool_error(*server, "intention",
                     Json{{"action", "update"}, {"id", time_id}, {"change", "cancel"}});
  EXPECT_EQ(error["code"], "invalid_input") << "completed is final";
}

TEST_F(McpUpkeepTest, SessionStartGathersIntentionsRelevantRecentAndDueWithinTheBudget) {
  auto server = start_initialized();
  ok(*server, "intention",
     Json{{"action", "set"}, {"content", "Ask about the release date"}, {"codebase", "shop"}});
  const std::string relevant =
      ingest(*server, Json{{"content", "The checkout page uses Stripe Elements for card input"},
                           {"context", {{"codebase", "shop"}}}});
  for (int i = 0; i < 12; ++i) {
    ingest(*server, Json{{"content", "Shop note " + std::to_string(i) +
                                         " about inventory counts, warehouse codes and "
                                         "supplier lead times for the quarterly planning"},
                         {"force_create", true},
                         {"context", {{"codebase", "shop"}}}});
  }

  const Json s = ok(*server, "session_start",
                    Json{{"task", "change the checkout card form"}, {"codebase", "shop"}});
  ASSERT_EQ(s["intentions"].size(), 1u) << s.dump();
  EXPECT_EQ(s["intentions"][0]["content"], "Ask about the release date");
  ASSERT_FALSE(s["relevant"].empty()) << s.dump();
  EXPECT_EQ(s["relevant"][0]["id"], relevant);
  EXPECT_FALSE(s["recent"].empty());
  EXPECT_LE(s["tokens_used"].get<int>(), 2000);

  const Json small =
      ok(*server, "session_start", Json{{"codebase", "shop"}, {"token_budget", 100}});
  EXPECT_LE(small["tokens_used"].get<int>(), 100) << small.dump();
  EXPECT_FALSE(small["expandable"].empty()) << "what did not fit is listed by id";

  const Json error = tool_error(*server, "session_start", Json{{"token_budget", 5}});
  EXPECT_EQ(error["code"], "invalid_input");
}

TEST_F(McpUpkeepTest, MaintainConsolidateDreamGcExportAndUndo) {
  auto server = start_initialized();
  const std::string kept = ingest(
      *server, Json{{"content", "The nightly backup runs at 2am UTC"}, {"force_create", true}});
  const std::string twin = ingest(
      *server, Json{{"content", "The nightly backup runs at 2am UTC."}, {"force_create", true}});
  ingest(*server, Json{{"content", "Grafana dashboards live in the ops folder"}});

  const Json dry = ok(*server, "maintain", Json{{"action", "consolidate"}, {"dry_run", true}});
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  EXPECT_EQ(dry["merges"].size(), 1u) << dry.dump();
  EXPECT_EQ(ok(*server, "memory",
               Json{{"action", "get"}, {"id", twin}})["memory"]["engine"]["suppressed"],
            false)
      << "a dry run writes nothing";

  const Json run = ok(*server, "maintain", Json{{"action", "consolidate"}});
  ASSERT_EQ(run["merges"].size(), 1u) << run.dump();
  EXPECT_TRUE(run["pass_complete"].get<bool>());
  const std::string merge_id = run["merges"][0]["merge_id"];

  const Json undone =
      ok(*server, "maintain", Json{{"action", "undo_merge"}, {"merge_id", merge_id}});
  EXPECT_EQ(undone["restored_ids"].size(), 1u) << undone.dump();
  Json error =
      tool_error(*server, "maintain", Json{{"action", "undo_merge"}, {"merge_id", merge_id}});
  EXPECT_EQ(error["code"], "not_found");

  const Json dream = ok(*server, "maintain", Json{{"action", "dream"}, {"dry_run", true}});
  EXPECT_EQ(dream["examined"], 3);

  const Json gc = ok(*server, "maintain", Json{{"action", "gc"}, {"max_retention", 1.0}});
  EXPECT_TRUE(gc["dry_run"].get<bool>()) << "gc is a dry run unless asked";
  EXPECT_EQ(gc["deleted"], 0);
  EXPECT_FALSE(gc["candidates"].empty());
  EXPECT_EQ(ok(*server, "memory_status", Json::object())["counts"]["memories"].get<int>() >= 3,
            true);

  const fs::path out = root_ / "backup.jsonl";
  const Json exported = ok(*server, "maintain", Json{{"action", "export"}, {"path", out.string()}});
  EXPECT_EQ(exported["memories"].get<int>(), 3 + 0) << exported.dump();
  std::ifstream in(out);
  std::string line;
  int lines = 0;
  bool found_kept = false;
  while (std::getline(in, line)) {
    ++lines;
    found_kept = found_kept || Json::parse(line)["id"] == kept;
  }
  EXPECT_EQ(lines, 3);
  EXPECT_TRUE(found_kept);
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));

  error = tool_error(*server, "maintain", Json{{"action", "export"}, {"path", out.string()}});
  EXPECT_NE(error["message"].get<std::string>().find("already exists"), std::string::npos);
  error = tool_error(*server, "maintain", Json{{"action", "export"}, {"path", "relative.jsonl"}});
  EXPECT_NE(error["message"].get<std::string>().find("absolute"), std::string::npos);
  error =
      tool_error(*server, "maintain",
                 Json{{"action", "export"}, {"path", (root_ / "no/such/dir/x.jsonl").string()}});
  EXPECT_NE(error["message"].get<std::string>().find("cannot write"), std::string::npos);
  error = tool_error(*server, "maintain", Json{{"action", "undo_merge"}});
  EXPECT_NE(error["message"].get<std::string>().find("'merge_id'"), std::string::npos);
}

TEST_F(McpUpkeepTest, ConsolidationRunsAutomaticallyBetweenRequests) {
  fs::create_directories(data_dir_);
  std::ofstream(data_dir_ / "vestige.toml") << "[consolidation]\nevery_ingests = 2\n";
  auto server = start_initialized();
  const std::string kept =
      ingest(*server, Json{{"content", "Staging runs on Fly.io in ams"}, {"force_create", true}});
  const std::string twin =
      ingest(*server, Json{{"content", "Staging runs on Fly.io in ams."}, {"force_create", true}});
  // The server consolidates once it is idle (it polls every second).
  bool merged = false;
  for (int attempt = 0; attempt < 50 && !merged; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const Json twin_state = ok(*server, "memory", Json{{"action", "get"}, {"id", twin}});
    const Json kept_state = ok(*server, "memory", Json{{"action", "get"}, {"id", kept}});
    merged = twin_state["memory"]["engine"]["suppressed"] == true ||
             kept_state["memory"]["engine"]["suppressed"] == true;
  }
  EXPECT_TRUE(merged) << server->err();
  EXPECT_NE(server->err().find("automatic consolidation"), std::string::npos) << server->err();
}

}  // namespace
}  // namespace vestige::testing
