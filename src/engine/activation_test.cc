#include "engine/activation.h"

#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// Spreading activation over a real SQLite store. Memories are named by a
// letter; every expected activation is worked out by hand in the comment
// next to it (decay 0.7 per hop unless a test says otherwise).

namespace vestige::engine {
namespace {

class ActivationTest : public ::testing::Test {
 protected:
  ActivationTest() : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})) {}

  const Uuid& node(const std::string& name) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    Memory m;
    m.content = "memory " + name;
    return ids_.emplace(name, store_->insert(m).id).first->second;
  }
  void link(const std::string& from, const std::string& to, double weight = 1.0,
            const std::string& type = "related") {
    Edge e;
    e.source_id = node(from);
    e.target_id = node(to);
    e.edge_type = type;
    e.weight = weight;
    store_->add_edge(e);
  }
  std::string name(const Uuid& id) const {
    for (const auto& [n, i] : ids_) {
      if (i == id) return n;
    }
    return "?";
  }
  // name -> activation of everything reached from `from`.
  std::map<std::string, double> spread(const std::string& from, ActivationOptions options = {}) {
    const ActivationSeed seed{node(from), 1.0};
    std::map<std::string, double> out;
    for (const Activation& a : spread_activation(*store_, std::span(&seed, 1), options)) {
      out[name(a.id)] = a.activation;
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  std::map<std::string, Uuid> ids_;
};

TEST_F(ActivationTest, DecaysPerHopAndStopsAfterThreeHops) {
  link("a", "b");
  link("b", "c");
  link("c", "d");
  link("d", "e");  // e is 4 hops away: 0.7^4 = 0.2401 would pass the threshold
  const auto reached = spread("a");
  ASSERT_EQ(reached.size(), 3u);
  EXPECT_DOUBLE_EQ(reached.at("b"), 0.7);
  EXPECT_DOUBLE_EQ(reached.at("c"), 0.49);
  EXPECT_NEAR(reached.at("d"), 0.343, 1e-12);
  EXPECT_FALSE(reached.contains("e"));
}

TEST_F(ActivationTest, EdgeWeightMultipliesAndWeakActivationStops) {
  link("a", "b", 0.5);  // 0.7 * 0.5 = 0.35
  link("b", "c", 0.5);  // 0.35 * 0.7 * 0.5 = 0.1225
  link("c", "d", 1.0);  // 0.1225 * 0.7 = 0.08575 < 0.1: not reached
  const auto reached = spread("a");
  ASSERT_EQ(reached.size(), 2u);
  EXPECT_DOUBLE_EQ(reached.at("b"), 0.35);
  EXPECT_NEAR(reached.at("c"), 0.1225, 1e-12);
}

TEST_F(ActivationTest, ThresholdCutsWeakActivation) {
  link("a", "b", 1.0);
  link("b", "c", 1.0);
  ActivationOptions options;
  options.threshold = 0.48;  // c gets 0.49
  EXPECT_EQ(spread("a", options).size(), 2u);
  options.threshold = 0.5;
  const auto reached = spread("a", options);
  EXPECT_EQ(reached.size(), 1u);
  EXPECT_TRUE(reached.contains("b"));
}

TEST_F(ActivationTest, EdgesCarryActivationAgainstTheirDirection) {
  link("b", "a");  // points at the seed
  link("c", "b");
  const auto reached = spread("a");
  EXPECT_DOUBLE_EQ(reached.at("b"), 0.7);
  EXPECT_DOUBLE_EQ(reached.at("c"), 0.49);
}

TEST_F(ActivationTest, BestPathWinsOverDirectWeakEdge) {
  link("a", "b", 1.0);
  link("b", "c", 1.0);
  link("a", "c", 0.3);  // direct: 0.21; through b: 0.49
  const ActivationSeed seed{node("a"), 1.0};
  const std::vector<Activation> reached = spread_activation(*store_, std::span(&seed, 1));
  ASSERT_EQ(reached.size(), 2u);
  EXPECT_EQ(name(reached[0].id), "b");
  EXPECT_EQ(name(reached[1].id), "c");
  EXPECT_DOUBLE_EQ(reached[1].activation, 0.49);
  EXPECT_EQ(reached[1].hops, 2);
  ASSERT_EQ(reached[1].path.size(), 2u);
  EXPECT_EQ(reached[1].path[0].target_id, node("b"));
  EXPECT_EQ(reached[1].path[1].target_id, node("c"));
  EXPECT_EQ(reached[1].seed, node("a"));
}

TEST_F(ActivationTest, EqualActivationKeepsTheShorterPath) {
  link("a", "b", 1.0);
  link("b", "c", 0.5);   // through b: 0.7 * 0.7 * 0.5 = 0.245
  link("a", "c", 0.35);  // direct: 0.7 * 0.35 = 0.245
  const ActivationSeed seed{node("a"), 1.0};
  for (const Activation& a : spread_activation(*store_, std::span(&seed, 1))) {
    if (name(a.id) == "c") {
      EXPECT_NEAR(a.activation, 0.245, 1e-12);
      EXPECT_EQ(a.hops, 1);
    }
  }
}

TEST_F(ActivationTest, CyclesAreNotWalked) {
  // a - b - c - d - b: a loop behind b, and an edge back to the seed.
  link("a", "b");
  link("b", "c");
  link("c", "d");
  link("d", "b");
  link("d", "a", 0.1);  // 0.07 directly: below the threshold
  const ActivationSeed seed{node("a"), 1.0};
  const std::vector<Activation> reached = spread_activation(*store_, std::span(&seed, 1));
  ASSERT_EQ(reached.size(), 3u);  // b, c, d: each once, the seed never
  for (const Activation& a : reached) {
    EXPECT_NE(a.id, node("a"));
    std::unordered_set<Uuid> visited{node("a")};
    Uuid at = node("a");
    for (const Edge& e : a.path) {
      at = e.source_id == at ? e.target_id : e.source_id;
      EXPECT_TRUE(visited.insert(at).second)
          << "path of " << name(a.id) << " revisits " << name(at);
    }
    EXPECT_EQ(at, a.id);
  }
  std::map<std::string, double> by_name;
  for (const Activation& a : reached) by_name[name(a.id)] = a.activation;
  EXPECT_DOUBLE_EQ(by_name.at("b"), 0.7);
  EXPECT_DOUBLE_EQ(by_name.at("c"), 0.49);
  EXPECT_DOUBLE_EQ(by_name.at("d"), 0.49);  // through b directly, not around the loop
}

TEST_F(ActivationTest, SeveralSeedsStartAtTheirOwnActivation) {
  link("a", "x");
  link("b", "y");
  link("a", "b");  // seeds are never reported, even when linked to each other
  const std::vector<ActivationSeed> seeds{{node("a"), 1.0}, {node("b"), 0.5}};
  std::map<std::string, Activation> reached;
  for (Activation& a : spread_activation(*store_, seeds)) reached[name(a.id)] = a;
  ASSERT_EQ(reached.size(), 2u);
  EXPECT_DOUBLE_EQ(reached.at("x").activation, 0.7);
  EXPECT_DOUBLE_EQ(reached.at("y").activation, 0.35);
  EXPECT_EQ(reached.at("y").seed, node("b"));
}

TEST_F(ActivationTest, EdgeTypesFilterAndMaxNodesBound) {
  link("a", "b", 1.0, "temporal");
  link("a", "c", 0.9, "related");
  link("a", "d", 0.8, "related");
  ActivationOptions options;
  options.edge_types = {"related"};
  const auto related = spread("a", options);
  EXPECT_EQ(related.size(), 2u);
  EXPECT_FALSE(related.contains("b"));

  options.edge_types.clear();
  options.max_nodes = 1;
  const auto one = spread("a", options);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one.contains("b"));  // the most activated
}

TEST_F(ActivationTest, WeightsAboveOneAreClamped) {
  link("a", "b", 3.0);
  EXPECT_DOUBLE_EQ(spread("a").at("b"), 0.7);
}

TEST_F(ActivationTest, InvalidOptionsAreRefused) {
  const ActivationSeed seed{node("a"), 1.0};
  auto code_for = [&](auto change) {
    ActivationOptions options;
    change(options);
    return testing::capture_error([&] { spread_activation(*store_, std::span(&seed, 1), options); })
        .code();
  };
  EXPECT_EQ(code_for([](ActivationOptions& o) { o.decay = 0.0; }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_for([](ActivationOptions& o) { o.decay = 1.5; }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_for([](ActivationOptions& o) { o.threshold = -0.1; }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_for([](ActivationOptions& o) { o.max_hops = 0; }), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_for([](ActivationOptions& o) { o.max_nodes = 0; }), ErrorCode::kInvalidInput);
  const ActivationSeed bad{node("a"), 0.0};
  const Error e = testing::capture_error([&] { spread_activation(*store_, std::span(&bad, 1)); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("activation"), std::string::npos);
}

TEST_F(ActivationTest, IsolatedSeedReachesNothing) {
  node("lonely");
  EXPECT_TRUE(spread("lonely").empty());
}

}  // namespace
}  // namespace vestige::engine
