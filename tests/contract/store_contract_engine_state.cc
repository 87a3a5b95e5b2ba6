// Contract: update_engine_state, the write that changes a memory's engine state
// and nothing else.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "store_contract.h"

namespace vestige::contract {
namespace {

// An engine state that differs from the defaults in every field.
EngineState changed_state(const Uuid& superseded_by) {
  EngineState e;
  e.importance = 0.875;
  e.access_count = 42;
  e.last_accessed_at = ts("2026-11-24T10:11:12.131415Z");
  e.retrieval_strength = 0.123456789012345;
  e.storage_strength = 3.75;
  e.superseded_by = superseded_by;
  e.suppressed = true;
  return e;
}

// What the search branches said, without the engine state the results carry.
struct Ranking {
  Uuid id;
  double score = 0.0;
  std::optional<double> text_score;
  std::optional<double> vector_distance;
  friend bool operator==(const Ranking&, const Ranking&) = default;
};

std::vector<Ranking> ranking(const std::vector<SearchResult>& results) {
  std::vector<Ranking> out;
  for (const SearchResult& r : results) {
    out.push_back({r.memory.id, r.score, r.text_score, r.vector_distance});
  }
  return out;
}

void PrintTo(const Ranking& r, std::ostream* os) {
  *os << r.id.to_string() << " score " << r.score;
}

TEST_P(MemoriesContract, EngineStateUpdateWritesTheEngineStateAndNothingElse) {
  const Memory newer = store().insert(memory("the memory that supersedes"));
  const Memory stored = bound_store().insert(full_memory());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const EngineStateUpdate update{stored.id, changed_state(newer.id)};
  const Timestamp before = now_utc();
  const EngineStateWrite written = store().update_engine_state(std::span(&update, 1));
  const Timestamp after = now_utc();

  EXPECT_EQ(written.written, 1u);
  EXPECT_TRUE(written.missing.empty());
  EXPECT_TRUE(is_between(written.updated_at, before, after));
  EXPECT_GT(written.updated_at, stored.updated_at);

  Memory expected = stored;
  expected.engine = update.engine;
  expected.updated_at = written.updated_at;
  const std::optional<Memory> got = open_handle().get(stored.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, expected);
  ASSERT_TRUE(got->embedding.has_value());
  EXPECT_TRUE(same_bits(*got->embedding, *stored.embedding)) << "embedding is not bit-exact";
  EXPECT_EQ(store().get(newer.id), newer);
}

TEST_P(MemoriesContract, EngineStateUpdateClearsOptionalFields) {
  const Memory newer = store().insert(memory("newer"));
  Memory input = memory("older");
  input.engine = changed_state(newer.id);
  const Memory stored = store().insert(input);

  const EngineStateUpdate update{stored.id, EngineState{}};
  store().update_engine_state(std::span(&update, 1));

  const std::optional<Memory> got = store().get(stored.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->engine, EngineState{});
  EXPECT_FALSE(got->engine.last_accessed_at.has_value());
  EXPECT_FALSE(got->engine.superseded_by.has_value());
}

TEST_P(MemoriesContract, EngineStateUpdateLeavesTextAndVectorSearchAsTheyWere) {
  std::vector<Memory> stored;
  stored.push_back(bound_store().insert(memory("otters hold hands while sleeping", vec({1, 0}))));
  stored.push_back(bound_store().insert(memory("sleeping otters drift apart", vec({0.8f, 0.6f}))));
  stored.push_back(bound_store().insert(memory("sea otters eat urchins", vec({0, 1}))));
  stored.push_back(bound_store().insert(memory("beavers build dams", vec({0.6f, 0.8f}))));
  MemoryStore& other = open_handle();
  other.register_model(test_model());

  const auto text = [&](MemoryStore& s) { return s.text_search(text_query("sleeping otters")); };
  const auto vector = [&](MemoryStore& s) { return s.vector_search(vector_query(vec({1, 0}))); };
  const auto hybrid = [&](MemoryStore& s) {
    return s.hybrid_search(hybrid_query("otters", vec({0, 1})));
  };
  const std::vector<Ranking> text_before = ranking(text(bound_store()));
  const std::vector<Ranking> vector_before = ranking(vector(bound_store()));
  const std::vector<Ranking> hybrid_before = ranking(hybrid(bound_store()));
  ASSERT_GE(text_before.size(), 2u);
  ASSERT_EQ(vector_before.size(), 4u);
  // Warms the other handle's vector index before the write.
  ASSERT_EQ(ranking(vector(other)), vector_before);

  std::vector<EngineStateUpdate> updates;
  for (const Memory& m : stored) {
    EngineState e = m.engine;
    e.access_count = 7;
    e.last_accessed_at = ts("2026-11-24T08:00:00Z");
    e.retrieval_strength = 0.25;
    updates.push_back({m.id, e});
  }
  EXPECT_EQ(store().update_engine_state(updates).written, stored.size());

  for (MemoryStore* s : {&bound_store(), &other}) {
    EXPECT_EQ(ranking(text(*s)), text_before);
    EXPECT_EQ(ranking(vector(*s)), vector_before);
    EXPECT_EQ(ranking(hybrid(*s)), hybrid_before);
    // The results carry the new state.
    for (const SearchResult& r : vector(*s)) {
      EXPECT_EQ(r.memory.engine.access_count, 7);
      EXPECT_EQ(r.memory.engine.retrieval_strength, 0.25);
    }
  }

  // Suppression is engine state too, and search honours it.
  EngineState hidden = updates[0].engine;
  hidden.suppressed = true;
  const EngineStateUpdate suppress{stored[0].id, hidden};
  store().update_engine_state(std::span(&suppress, 1));
  for (MemoryStore* s : {&bound_store(), &other}) {
    const std::vector<Uuid> ids = ids_of(vector(*s));
    EXPECT_EQ(ids.size(), 3u);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), stored[0].id), 0);
  }
}

TEST_P(MemoriesContract, EngineStateUpdateSkipsAndReportsMissingIds) {
  const Memory a = store().insert(memory("a"));
  const Memory b = store().insert(memory("b"));
  const Uuid ghost = Uuid::generate_v7();
  EngineState e;
  e.access_count = 3;

  const std::vector<EngineStateUpdate> updates{{a.id, e}, {ghost, e}, {b.id, e}, {ghost, e}};
  const EngineStateWrite written = store().update_engine_state(updates);

  EXPECT_EQ(written.written, 2u);
  EXPECT_EQ(written.missing, std::vector<Uuid>{ghost});
  EXPECT_EQ(store().get(a.id)->engine.access_count, 3);
  EXPECT_EQ(store().get(b.id)->engine.access_count, 3);
  EXPECT_FALSE(store().get(ghost).has_value());
  EXPECT_EQ(memory_count(store()), 2);
}

TEST_P(MemoriesContract, EngineStateUpdateOfARepeatedIdKeepsTheLastEntry) {
  const Memory a = store().insert(memory("a"));
  EngineState first;
  first.access_count = 1;
  EngineState last;
  last.access_count = 2;

  const std::vector<EngineStateUpdate> updates{{a.id, first}, {a.id, last}};
  const EngineStateWrite written = store().update_engine_state(updates);

  EXPECT_EQ(written.written, 1u);
  EXPECT_TRUE(written.missing.empty());
  EXPECT_EQ(store().get(a.id)->engine.access_count, 2);
}

TEST_P(MemoriesContract, EngineStateUpdateOfNothingWritesNothing) {
  const Memory a = store().insert(memory("a"));
  const EngineStateWrite written = store().update_engine_state({});
  EXPECT_EQ(written.written, 0u);
  EXPECT_TRUE(written.missing.empty());
  EXPECT_EQ(store().get(a.id), a);
}

TEST_P(MemoriesContract, EngineStateUpdateWithABadEntryIsInvalidInputAndWritesNothing) {
  const Memory a = store().insert(memory("a"));
  EngineState good;
  good.access_count = 9;
  EngineState bad = good;
  bad.retrieval_strength = std::numeric_limits<double>::quiet_NaN();

  const std::vector<EngineStateUpdate> nan{{a.id, good}, {a.id, bad}};
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().update_engine_state(nan); }));
  const std::vector<EngineStateUpdate> nil{{a.id, good}, {Uuid{}, good}};
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().update_engine_state(nil); }));
  EXPECT_EQ(store().get(a.id), a);
}

TEST_P(MemoriesContract, EngineStateUpdateKeepsSchedulingAndEdges) {
  const Memory a = store().insert(memory("a"));
  const Memory b = store().insert(memory("b"));
  const SchedulingState state =
      scheduling(a.id, 4.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-05T00:00:00Z"));
  store().upsert_scheduling(state);
  store().add_edge(edge(a.id, b.id, "related", 0.5));

  const EngineStateUpdate update{a.id, changed_state(b.id)};
  store().update_engine_state(std::span(&update, 1));

  EXPECT_EQ(store().get_scheduling(a.id), state);
  ASSERT_EQ(store().edges(a.id, EdgeDirection::kOutgoing).size(), 1u);
  EXPECT_EQ(store().edges(a.id, EdgeDirection::kOutgoing)[0].weight, 0.5);
}

}  // namespace
}  // namespace vestige::contract
