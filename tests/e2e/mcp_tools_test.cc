// End-to-end tests of the vestige-mcp tools: every tool's happy path and its
// error paths, through the real binary on a fresh store.

#include "e2e/mcp_test_support.h"

namespace vestige::testing {
namespace {

using McpToolsTest = McpTest;

TEST_F(McpToolsTest, SmartIngestCreatesReinforcesAndSupersedes) {
  auto server = start_initialized();
  const Json created = ok(*server, "smart_ingest",
                          Json{{"content", "We use MySQL as the database"},
                               {"node_type", "decision"},
                               {"tags", {"db"}},
                               {"context", {{"codebase", "shop"}, {"file", "db.py"}}}});
  EXPECT_EQ(created["decision"], "create");
  EXPECT_TRUE(created["similarity"].is_null());
  const std::string id = created["id"];

  const Json again =
      ok(*server, "smart_ingest",
         Json{{"content", "We use MySQL as the database"}, {"context", {{"codebase", "shop"}}}});
  EXPECT_EQ(again["decision"], "reinforce") << again.dump();
  EXPECT_EQ(again["id"], id);
  EXPECT_GE(again["similarity"].get<double>(), 0.92);

  const Json corrected =
      ok(*server, "smart_ingest",
         Json{{"content", "We no longer use MySQL; the database is now PostgreSQL"},
              {"context", {{"codebase", "shop"}}}});
  EXPECT_EQ(corrected["decision"], "supersede") << corrected.dump();
  EXPECT_EQ(corrected["superseded_id"], id);
  EXPECT_NE(corrected["id"], id);

  const Json old = ok(*server, "memory", Json{{"action", "get"}, {"id", id}})["memory"];
  EXPECT_EQ(old["superseded_by"], corrected["id"]);
  EXPECT_EQ(old["codebase"], "shop");
  EXPECT_EQ(old["node_type"], "decision");
  EXPECT_EQ(old["metadata"]["file"], "db.py");

  const Json forced = ok(*server, "smart_ingest",
                         Json{{"content", "We use MySQL as the database"},
                              {"context", {{"codebase", "shop"}}},
                              {"force_create", true}});
  EXPECT_EQ(forced["decision"], "create");
}

TEST_F(McpToolsTest, SmartIngestBatchAppliesSharedContextAndLinksTheSession) {
  auto server = start_initialized();
  const Json out = ok(
      *server, "smart_ingest",
      Json{{"items",
            {Json{{"content", "The deploy script lives in tools/deploy.sh"}},
             Json{{"content", "Deploys need the VPN to be up"}, {"context", {{"file", "vpn.md"}}}},
             Json{{"content", "The deploy script lives in tools/deploy.sh"}}}},
           {"context", {{"session_id", "s-42"}, {"client", "e2e"}}}});
  const Json results = out["results"];
  ASSERT_EQ(results.size(), 3u) << out.dump();
  EXPECT_EQ(results[0]["decision"], "create");
  EXPECT_EQ(results[1]["decision"], "create");
  EXPECT_EQ(results[2]["decision"], "reinforce");  // later items see earlier ones
  EXPECT_EQ(results[2]["id"], results[0]["id"]);

  const Json second =
      ok(*server, "memory", Json{{"action", "get"}, {"id", results[1]["id"]}})["memory"];
  EXPECT_EQ(second["metadata"]["session_id"], "s-42");
  EXPECT_EQ(second["metadata"]["mcp_client_id"], "e2e");
  EXPECT_EQ(second["metadata"]["file"], "vpn.md");
  const Json status = ok(*server, "memory_status", Json::object());
  EXPECT_GE(status["counts"]["edges"].get<int>(), 1) << "session memories are linked in order";
}

TEST_F(McpToolsTest, SmartIngestRejectsBadShapes) {
  auto server = start_initialized();
  Json error = tool_error(*server, "smart_ingest", Json::object());
  EXPECT_NE(error["message"].get<std::string>().find("neither"), std::string::npos);
  error = tool_error(*server, "smart_ingest",
                     Json{{"content", "a"}, {"items", {Json{{"content", "b"}}}}});
  EXPECT_NE(error["message"].get<std::string>().find("both"), std::string::npos);
  Json items = Json::array();
  for (int i = 0; i < 21; ++i) items.push_back(Json{{"content", "memory " + std::to_string(i)}});
  error = tool_error(*server, "smart_ingest", Json{{"items", items}});
  EXPECT_NE(error["message"].get<std::string>().find("at most 20"), std::string::npos)
      << error.dump();
  error = tool_error(*server, "smart_ingest", Json{{"content", ""}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "smart_ingest",
                     Json{{"content", "x"}, {"context", {{"branch", "main"}}}});
  EXPECT_NE(error["message"].get<std::string>().find("'context.branch' is not accepted"),
            std::string::npos)
      << error.dump();
  EXPECT_EQ(ok(*server, "memory_status", Json::object())["counts"]["memories"], 0);
}

TEST_F(McpToolsTest, MemoryGetBatchEditAndDelete) {
  auto server = start_initialized();
  const std::string a =
      ok(*server, "smart_ingest", Json{{"content", "Logs are kept for 30 days"}})["id"];
  const std::string b = ok(*server, "smart_ingest",
                           Json{{"content", "The office wifi password rotates monthly"}})["id"];

  const Json got = ok(*server, "memory", Json{{"action", "get"}, {"id", a}});
  EXPECT_EQ(got["memory"]["content"], "Logs are kept for 30 days");
  EXPECT_FALSE(got["memory"].contains("embedding"));
  EXPECT_EQ(got["memory"]["scheduling"]["state"], "new");
  EXPECT_EQ(got["memory"]["state"], "active");

  const std::string missing_id = "01900000-0000-7000-8000-000000000000";
  const Json batch =
      ok(*server, "memory", Json{{"action", "get_batch"}, {"ids", {b, missing_id, a}}});
  ASSERT_EQ(batch["memories"].size(), 2u);
  EXPECT_EQ(batch["memories"][0]["id"], b);
  EXPECT_EQ(batch["memories"][1]["id"], a);
  EXPECT_EQ(batch["missing"], Json({missing_id}));

  const Json edited = ok(*server, "memory",
                         Json{{"action", "edit"},
                              {"id", a},
                              {"content", "Logs are kept for 90 days"},
                              {"tags", {"ops", "retention"}}});
  EXPECT_EQ(edited["changed"], Json({"content", "tags"}));
  EXPECT_EQ(edited["memory"]["content"], "Logs are kept for 90 days");
  EXPECT_EQ(edited["memory"]["tags"], Json({"ops", "retention"}));
  // The new text was re-embedded: ingesting it again is recognised as the same.
  EXPECT_EQ(ok(*server, "smart_ingest", Json{{"content", "Logs are kept for 90 days"}})["id"], a);

  EXPECT_EQ(ok(*server, "memory", Json{{"action", "delete"}, {"id", b}})["deleted"], b);
  Json error = tool_error(*server, "memory", Json{{"action", "get"}, {"id", b}});
  EXPECT_EQ(error["code"], "not_found");
  error = tool_error(*server, "memory", Json{{"action", "delete"}, {"id", b}});
  EXPECT_EQ(error["code"], "not_found");
  error = tool_error(*server, "memory", Json{{"action", "edit"}, {"id", a}});
  EXPECT_NE(error["message"].get<std::string>().find("at least one of"), std::string::npos);
  error = tool_error(*server, "memory", Json{{"action", "get"}});
  EXPECT_NE(error["message"].get<std::string>().find("needs argument 'id'"), std::string::npos);
  error = tool_error(*server, "memory", Json{{"action", "remember"}, {"id", a}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "memory",
                     Json{{"action", "edit"}, {"id", a}, {"content", std::string(1048577, 'x')}});
  EXPECT_NE(error["message"].get<std::string>().find("1 MiB"), std::string::npos);
}

TEST_F(McpToolsTest, MemoryReviewPromoteDemoteAndState) {
  auto server = start_initialized();
  const std::string id = ok(*server, "smart_ingest",
                            Json{{"content", "Always run the linter before committing"}})["id"];

  const Json reviewed =
      ok(*server, "memory", Json{{"action", "review"}, {"id", id}, {"rating", 3}});
  EXPECT_EQ(reviewed["rating"], 3);
  EXPECT_EQ(reviewed["scheduling"]["reps"], 1);
  EXPECT_EQ(reviewed["scheduling"]["state"], "review");
  // S0(Good) = w2 = 2.3065 days.
  EXPECT_NEAR(reviewed["scheduling"]["stability"].get<double>(), 2.3065, 1e-9);
  EXPECT_GT(reviewed["review_event_id"].get<int>(), 0);
  const Json status = ok(*server, "memory_status", Json::object());
  EXPECT_EQ(status["counts"]["review_events"], 1);

  const Json again_review =
      ok(*server, "memory", Json{{"action", "review"}, {"id", id}, {"rating", 1}});
  EXPECT_EQ(again_review["scheduling"]["lapses"], 1);
  const double stability = again_review["scheduling"]["stability"].get<double>();

  const Json promoted = ok(*server, "memory", Json{{"action", "promote"}, {"id", id}});
  EXPECT_NEAR(promoted["scheduling"]["stability"].get<double>(), stability * 1.5, 1e-9);
  const Json demoted = ok(*server, "memory", Json{{"action", "demote"}, {"id", id}});
  EXPECT_NEAR(demoted["scheduling"]["stability"].get<double>(), stability * 0.75, 1e-9);
  EXPECT_LT(demoted["retention"].get<double>(), promoted["retention"].get<double>());

  const Json state = ok(*server, "memory", Json{{"action", "state"}, {"id", id}});
  EXPECT_EQ(state["id"], id);
  EXPECT_TRUE(state["state"].is_string());
  EXPECT_GT(state["storage_strength"].get<double>(), 1.0) << "reviews strengthen storage";
  EXPECT_EQ(state["scheduling"]["reps"], 2);

  Json error = tool_error(*server, "memory", Json{{"action", "review"}, {"id", id}});
  EXPECT_NE(error["message"].get<std::string>().find("'rating'"), std::string::npos);
  error = tool_error(*server, "memory", Json{{"action", "review"}, {"id", id}, {"rating", 0}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "memory",
                     Json{{"action", "promote"}, {"id", "01900000-0000-7000-8000-000000000000"}});
  EXPECT_EQ(error["code"], "not_found");
}

TEST_F(McpToolsTest, MemoryStatusAndItsStatsAlias) {
  auto server = start_initialized();
  Json status = ok(*server, "memory_status", Json::object());
  EXPECT_EQ(status["backend"], backend_name());
  EXPECT_EQ(status["health"]["status"], "ok");
  EXPECT_EQ(status["counts"]["memories"], 0);
  EXPECT_TRUE(status["model"].is_null());

  ok(*server, "smart_ingest", Json{{"content", "Tabs, not spaces"}, {"node_type", "preference"}});
  ok(*server, "smart_ingest", Json{{"content", "The API is versioned in the URL path"}});
  status = ok(*server, "stats", Json::object());
  EXPECT_EQ(status["counts"]["memories"], 2);
  EXPECT_EQ(status["counts"]["by_node_type"]["preference"], 1);
  EXPECT_EQ(status["model"]["name"], "builtin/hash-384");
  EXPECT_EQ(status["retention"]["by_state"]["active"], 2);
  EXPECT_GT(status["retention"]["mean"].get<double>(), 0.7);
  const Json error = tool_error(*server, "memory_status", Json{{"verbose", true}});
  EXPECT_EQ(error["code"], "invalid_input");
}

}  // namespace
}  // namespace vestige::testing
