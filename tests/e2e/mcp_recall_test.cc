// End-to-end tests of the vestige-mcp tools that read across memories:
// recall (and its alias search), graph, codebase and the memory://recent
// resource, through the real binary on a fresh SQLite store.

#include "e2e/mcp_test_support.h"

namespace vestige::testing {
namespace {

class McpRecallTest : public McpTest {
 protected:
  std::string ingest(McpProcess& server, Json arguments) {
    const Json out = ok(server, "smart_ingest", std::move(arguments));
    return out.value("id", std::string());
  }
};

TEST_F(McpRecallTest, RecallRanksTheCorrectionFirstAndMarksTheSupersededFact) {
  auto server = start_initialized();
  const std::string old_id = ingest(*server, Json{{"content", "We use MySQL as the database"}});
  ingest(*server, Json{{"content", "The frontend is written in TypeScript with React"}});
  const std::string new_id =
      ingest(*server, Json{{"content", "We no longer use MySQL; the database is now PostgreSQL"}});
  ASSERT_NE(old_id, new_id);

  const Json result = server->call_tool("recall", Json{{"query", "which database do we use"}});
  ASSERT_FALSE(result["isError"].get<bool>()) << result.dump();
  const Json matches = result["structuredContent"]["matches"];
  ASSERT_GE(matches.size(), 2u) << result.dump();
  EXPECT_EQ(matches[0]["id"], new_id);
  bool old_marked = false;
  for (const Json& m : matches) {
    if (m["id"] == old_id) old_marked = m["superseded"] == true && m["superseded_by"] == new_id;
  }
  EXPECT_TRUE(old_marked) << matches.dump();
  EXPECT_NE(text_of(result).find("superseded by " + new_id), std::string::npos) << text_of(result);

  const Json alias = ok(*server, "search", Json{{"query", "which database do we use"}});
  EXPECT_EQ(alias["matches"][0]["id"], new_id);
}

TEST_F(McpRecallTest, RecallFiltersDetailLevelsAndTokenBudget) {
  auto server = start_initialized();
  ingest(*server, Json{{"content", "Deploys go out on Tuesdays after the release review"},
                       {"node_type", "decision"},
                       {"tags", {"ops"}},
                       {"context", {{"codebase", "shop"}}}});
  ingest(*server, Json{{"content", "Deploys of the blog happen whenever a post is ready"},
                       {"context", {{"codebase", "blog"}}}});
  for (int i = 0; i < 8; ++i) {
    ingest(*server, Json{{"content", "Deploy note " + std::to_string(i) +
                                         ": the deploy checklist has a step about caches and "
                                         "another about feature flags and database migrations"},
                         {"force_create", true},
                         {"context", {{"codebase", "shop"}}}});
  }

  Json r = ok(*server, "recall", Json{{"query", "when do deploys happen"}, {"codebase", "blog"}});
  ASSERT_EQ(r["matches"].size(), 1u) << r.dump();
  EXPECT_EQ(r["matches"][0]["content"], "Deploys of the blog happen whenever a post is ready");

  r = ok(*server, "recall",
         Json{{"query", "deploys"}, {"node_types", {"decision"}}, {"tags", {"ops"}}});
  ASSERT_EQ(r["matches"].size(), 1u) << r.dump();

  r = ok(*server, "recall", Json{{"query", "deploy checklist"}, {"detail_level", "full"}});
  EXPECT_TRUE(r["matches"][0].contains("metadata")) << r["matches"][0].dump();
  EXPECT_EQ(r["detail_level"], "full");

  r = ok(*server, "recall",
         Json{{"query", "deploy checklist"}, {"limit", 10}, {"token_budget", 60}});
  EXPECT_LE(r["tokens_used"].get<int>(), 60);
  EXPECT_FALSE(r["expandable"].empty()) << r.dump();

  r = ok(*server, "recall", Json{{"query", "deploy checklist"}, {"limit", 3}});
  EXPECT_EQ(r["matches"].size(), 3u);

  Json error = tool_error(*server, "recall", Json{{"query", "x"}, {"detail_level", "huge"}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "recall", Json{{"limit", 3}});
  EXPECT_NE(error["message"].get<std::string>().find("'query' is required"), std::string::npos);
  error = tool_error(*server, "recall", Json{{"query", "x"}, {"limit", 0}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "recall", Json{{"query", "x"}, {"min_retention", 2}});
  EXPECT_EQ(error["code"], "invalid_input");
}

TEST_F(McpRecallTest, RecallOnAnEmptyStoreFindsNothing) {
  auto server = start_initialized();
  const Json r = ok(*server, "recall", Json{{"query", "anything at all"}});
  EXPECT_TRUE(r["matches"].empty());
}

TEST_F(McpRecallTest, GraphLinkNeighborsAssociationsAndSubgraph) {
  auto server = start_initialized();
  const std::string a = ingest(*server, Json{{"content", "The payment service retries twice"}});
  const std::string b = ingest(*server, Json{{"content", "Retries use exponential backoff"}});
  const std::string c = ingest(*server, Json{{"content", "Backoff starts at 200 milliseconds"}});
  // Better matches for the query below than b and c, so that b and c are
  // reached only through the edges.
  for (const std::string text :
       {"The payment service logs to stdout", "The payment service owns the invoices table",
        "The payment service is written in Go"}) {
    ingest(*server, Json{{"content", text}, {"force_create", true}});
  }

  Json linked = ok(*server, "graph", Json{{"action", "link"}, {"source", a}, {"target", b}});
  EXPECT_EQ(linked["edge"]["edge_type"], "related");
  linked = ok(*server, "graph",
              Json{{"action", "link"},
                   {"source", b},
                   {"target", c},
                   {"edge_type", "explains"},
                   {"weight", 0.9}});
  EXPECT_EQ(linked["edge"]["weight"], 0.9);

  const Json neighbours = ok(*server, "graph", Json{{"action", "neighbors"}, {"id", b}});
  ASSERT_EQ(neighbours["neighbors"].size(), 2u) << neighbours.dump();

  const Json from_a = ok(*server, "graph", Json{{"action", "associations"}, {"id", a}});
  ASSERT_EQ(from_a["associations"].size(), 2u) << from_a.dump();
  EXPECT_EQ(from_a["associations"][0]["id"], b);
  EXPECT_EQ(from_a["associations"][1]["id"], c);
  EXPECT_EQ(from_a["associations"][1]["hops"], 2);

  const Json from_query =
      ok(*server, "graph", Json{{"action", "associations"}, {"query", "payment service"}});
  std::vector<std::string> associated;
  for (const Json& m : from_query["associations"]) associated.push_back(m["id"]);
  EXPECT_NE(std::find(associated.begin(), associated.end(), b), associated.end())
      << from_query.dump();

  const Json sub = ok(*server, "graph", Json{{"action", "subgraph"}, {"id", a}, {"depth", 2}});
  EXPECT_EQ(sub["center"], a);
  EXPECT_EQ(sub["nodes"].size(), 3u);
  EXPECT_EQ(sub["edges"].size(), 2u);

  Json error = tool_error(*server, "graph", Json{{"action", "link"}, {"source", a}, {"target", a}});
  EXPECT_EQ(error["code"], "invalid_input");
  error = tool_error(*server, "graph", Json{{"action", "neighbors"}});
  EXPECT_NE(error["message"].get<std::string>().find("'id'"), std::string::npos);
  error = tool_error(*server, "graph",
                     Json{{"action", "neighbors"}, {"id", "01900000-0000-7000-8000-000000000000"}});
  EXPECT_EQ(error["code"], "not_found");
  error = tool_error(*server, "graph", Json{{"action", "associations"}});
  EXPECT_NE(error["message"].get<std::string>().find("either 'id'"), std::string::npos);
  error = tool_error(*server, "graph", Json{{"action", "subgraph"}, {"id", a}, {"depth", 9}});
  EXPECT_EQ(error["code"], "invalid_input");
}

TEST_F(McpRecallTest, CodebasePatternsAndDecisionsStayInTheirCodebase) {
  auto server = start_initialized();
  const Json pattern = ok(*server, "codebase",
                          Json{{"action", "remember_pattern"},
                               {"codebase", "shop"},
                               {"content", "Handlers validate input with pydantic models"}});
  EXPECT_EQ(pattern["decision"], "create");
  const Json decision = ok(*server, "codebase",
                           Json{{"action", "remember_decision"},
                                {"codebase", "shop"},
                                {"content", "Orders are stored in PostgreSQL"},
                                {"rationale", "transactions across tables"},
                                {"file", "orders/db.py"}});
  ok(*server, "codebase",
     Json{{"action", "remember_pattern"},
          {"codebase", "blog"},
          {"content", "Posts are Markdown files with front matter"}});

  const Json got = ok(*server, "memory", Json{{"action", "get"}, {"id", decision["id"]}});
  EXPECT_EQ(got["memory"]["node_type"], "decision");
  EXPECT_EQ(got["memory"]["codebase"], "shop");
  EXPECT_NE(got["memory"]["content"].get<std::string>().find("Rationale: transactions"),
            std::string::npos);

  const Json context =
      ok(*server, "codebase", Json{{"action", "get_context"}, {"codebase", "shop"}});
  EXPECT_EQ(context["codebase"], "shop");
  ASSERT_EQ(context["matches"].size(), 2u) << context.dump();
  const Json ranked = ok(
      *server, "codebase",
      Json{{"action", "get_context"}, {"codebase", "shop"}, {"query", "where are orders stored"}});
  EXPECT_EQ(ranked["matches"][0]["id"], decision["id"]);

  Json error = tool_error(*server, "codebase",
                          Json{{"action", "remember_pattern"}, {"content", "no codebase"}});
  EXPECT_NE(error["message"].get<std::string>().find("'codebase' is required"), std::string::npos);
  error = tool_error(*server, "codebase", Json{{"action", "remember_decision"}, {"codebase", "x"}});
  EXPECT_NE(error["message"].get<std::string>().find("'content'"), std::string::npos);
}

TEST_F(McpRecallTest, RecentResourceListsTheNewestFirst) {
  auto server = start_initialized();
  for (int i = 0; i < 3; ++i) {
    ingest(*server,
           Json{{"content", "Recent memory number " + std::to_string(i)}, {"force_create", true}});
  }
  const Json read = server->request("resources/read", Json{{"uri", "memory://recent"}});
  const Json recent =
      Json::parse(read["result"]["contents"][0]["text"].get<std::string>())["recent"];
  ASSERT_EQ(recent.size(), 3u) << read.dump();
  EXPECT_EQ(recent[0]["content"], "Recent memory number 2");
  EXPECT_EQ(recent[2]["content"], "Recent memory number 0");
}

}  // namespace
}  // namespace vestige::testing
