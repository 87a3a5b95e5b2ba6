#include "engine/graph.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

namespace vestige::engine {
namespace {

Timestamp t0() {
  return *parse_timestamp("2026-06-01T09:00:00Z");
}

class GraphTest : public ::testing::Test {
 protected:
  GraphTest() : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})), graph_(*store_) {}

  const Uuid& node(const std::string& name, bool suppressed = false) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    Memory m;
    m.content = "memory " + name;
    m.engine.suppressed = suppressed;
    return ids_.emplace(name, store_->insert(m).id).first->second;
  }
  std::string name(const Uuid& id) const {
    for (const auto& [n, i] : ids_) {
      if (i == id) return n;
    }
    return "?";
  }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  Graph graph_;
  std::map<std::string, Uuid> ids_;
};

TEST_F(GraphTest, LinkStoresTheEdgeAndReweightsOnRepeat) {
  const Edge e = graph_.link(node("a"), node("b"), "related", 0.4, t0(), {{"why", "same topic"}});
  EXPECT_EQ(e.source_id, node("a"));
  EXPECT_EQ(e.target_id, node("b"));
  EXPECT_DOUBLE_EQ(e.weight, 0.4);
  EXPECT_EQ(e.metadata["why"], "same topic");
  graph_.link(node("a"), node("b"), "related", 0.9, t0());
  const std::vector<Edge> edges = store_->edges(node("a"), EdgeDirection::kOutgoing);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_DOUBLE_EQ(edges[0].weight, 0.9);
}

TEST_F(GraphTest, LinkRefusesBadInputWithAReason) {
  auto message = [&](auto call) { return std::string(testing::capture_error(call).what()); };
  EXPECT_NE(message([&] { graph_.link(node("a"), node("b"), "", 0.5, t0()); }).find("edge type"),
            std::string::npos);
  EXPECT_NE(message([&] {
              graph_.link(node("a"), node("b"), "Has Spaces", 0.5, t0());
            }).find("lowercase"),
            std::string::npos);
  EXPECT_NE(
      message([&] { graph_.link(node("a"), node("b"), "related", 0.0, t0()); }).find("weight"),
      std::string::npos);
  EXPECT_NE(
      message([&] { graph_.link(node("a"), node("b"), "related", 1.5, t0()); }).find("weight"),
      std::string::npos);
  EXPECT_NE(
      message([&] { graph_.link(node("a"), node("a"), "related", 0.5, t0()); }).find("itself"),
      std::string::npos);
  const Uuid missing = Uuid::generate_v7();
  const Error e =
      testing::capture_error([&] { graph_.link(node("a"), missing, "related", 1, t0()); });
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_NE(std::string(e.what()).find(missing.to_string()), std::string::npos);
  EXPECT_TRUE(store_->edges(node("a"), EdgeDirection::kBoth).empty());
}

TEST_F(GraphTest, NeighboursStrongestFirstWithDirectionAndTypeFilter) {
  graph_.link(node("a"), node("b"), "related", 0.3, t0());
  graph_.link(node("c"), node("a"), "temporal", 1.0, t0());
  graph_.link(node("a"), node("d", true), "related", 1.0, t0());  // suppressed: hidden
  const std::vector<GraphNeighbour> all = graph_.neighbours(node("a"), std::nullopt, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(name(all[0].memory.id), "c");
  EXPECT_FALSE(all[0].outgoing);
  EXPECT_EQ(name(all[1].memory.id), "b");
  EXPECT_TRUE(all[1].outgoing);
  EXPECT_FALSE(all[0].memory.embedding.has_value());

  const auto related = graph_.neighbours(node("a"), std::string("related"), 10);
  ASSERT_EQ(related.size(), 1u);
  EXPECT_EQ(name(related[0].memory.id), "b");
  EXPECT_EQ(graph_.neighbours(node("a"), std::nullopt, 1).size(), 1u);
  Json j = all[0];
  EXPECT_EQ(j["direction"], "incoming");
  EXPECT_EQ(j["edge"]["edge_type"], "temporal");

  EXPECT_EQ(testing::capture_error([&] {
              graph_.neighbours(Uuid::generate_v7(), std::nullopt, 10);
            }).code(),
            ErrorCode::kNotFound);
}

TEST_F(GraphTest, AssociationsSpreadFromAMemory) {
  graph_.link(node("a"), node("b"), "related", 1.0, t0());
  graph_.link(node("b"), node("c"), "related", 0.5, t0());
  graph_.link(node("b"), node("hidden", true), "related", 1.0, t0());
  const std::vector<GraphAssociation> found = graph_.associations(node("a"), {}, 10);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(name(found[0].memory.id), "b");
  EXPECT_DOUBLE_EQ(found[0].activation.activation, 0.7);
  EXPECT_EQ(name(found[1].memory.id), "c");
  EXPECT_NEAR(found[1].activation.activation, 0.245, 1e-12);
  Json j = found[1];
  EXPECT_EQ(j["hops"], 2);
  EXPECT_EQ(j["path"].size(), 2u);
  EXPECT_EQ(graph_.associations(node("a"), {}, 1).size(), 1u);
}

TEST_F(GraphTest, SubgraphIsBoundedByDepthAndNodes) {
  // a - b - c - d in a line, plus b - e and an edge c - e between two
  // memories of the outer layer.
  graph_.link(node("a"), node("b"), "related", 1.0, t0());
  graph_.link(node("b"), node("c"), "related", 1.0, t0());
  graph_.link(node("c"), node("d"), "related", 1.0, t0());
  graph_.link(node("b"), node("e"), "related", 1.0, t0());
  graph_.link(node("c"), node("e"), "related", 1.0, t0());

  const Subgraph one = graph_.subgraph(node("a"), 1, 50);
  ASSERT_EQ(one.nodes.size(), 2u);
  EXPECT_EQ(one.nodes[0].id, node("a"));
  EXPECT_EQ(one.edges.size(), 1u);

  const Subgraph two = graph_.subgraph(node("a"), 2, 50);
  std::vector<std::string> names;
  for (const Memory& m : two.nodes) names.push_back(name(m.id));
  std::sort(names.begin() + 1, names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "e"}));
  EXPECT_EQ(two.edges.size(), 4u);  // a-b, b-c, b-e and c-e; not c-d
  EXPECT_FALSE(two.truncated);

  const Subgraph capped = graph_.subgraph(node("a"), 3, 3);
  EXPECT_EQ(capped.nodes.size(), 3u);
  EXPECT_TRUE(capped.truncated);
  for (const Edge& e : capped.edges) {
    bool source_in = false, target_in = false;
    for (const Memory& m : capped.nodes) {
      source_in |= m.id == e.source_id;
      target_in |= m.id == e.target_id;
    }
    EXPECT_TRUE(source_in && target_in);
  }
  Json j = two;
  EXPECT_EQ(j["nodes"].size(), 4u);

  EXPECT_EQ(testing::capture_error([&] { graph_.subgraph(node("a"), 4, 10); }).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(testing::capture_error([&] { graph_.subgraph(node("a"), 1, 0); }).code(),
            ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace vestige::engine
