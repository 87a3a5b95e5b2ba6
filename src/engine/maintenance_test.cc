#include "engine/maintenance.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/consolidation.h"
#include "engine/node_types.h"
#include "engine/review.h"
#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// dream, gc and review against a real SQLite store with the builtin hashing
// embedder; the similarities noted are what that embedder measures.

namespace vestige::engine {
namespace {

using std::chrono::hours;
using testing::capture_error;

constexpr std::string_view kPytest = "Unit tests run with pytest in the backend repository";
// to kPytest 0.730
constexpr std::string_view kCoverage = "The backend repository uses pytest with coverage for tests";
// to kPytest 0.711, to kCoverage 0.593
constexpr std::string_view kPytestMore =
    "Unit tests run with pytest in the backend repository. Coverage must stay above 80 percent.";
// to kPytest 0.335, kCoverage 0.341, kPytestMore 0.253: clustered (>= 0.3), not linked (< 0.5)
constexpr std::string_view kFixtures = "Pytest fixtures for the backend live in conftest.py";
constexpr std::string_view kRecipe = "The recipe needs two cups of flour and one egg";

Timestamp t0() {
  return *parse_timestamp("2026-03-01T09:00:00Z");
}

class MaintenanceTest : public ::testing::Test {
 protected:
  MaintenanceTest()
      : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})),
        embedder_(resolve_embedder("builtin/hash-384", {})) {
    store_->register_model(embedder_->signature());
  }

  Memory add(std::string_view content, Timestamp created = t0(),
             std::optional<std::string> codebase = "backend", std::vector<std::string> tags = {}) {
    Memory m;
    m.content = std::string(content);
    m.embedding = embedder_->embed(content);
    m.created_at = created;
    m.codebase = std::move(codebase);
    m.tags = std::move(tags);
    return store_->insert(m);
  }
  std::vector<Edge> edges_of_type(const Uuid& id, std::string_view type) {
    std::vector<Edge> out;
    for (const Edge& e : store_->edges(id, EdgeDirection::kBoth)) {
      if (e.edge_type == type) out.push_back(e);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  std::unique_ptr<Embedder> embedder_;
};

TEST_F(MaintenanceTest, DreamLinksAndWritesAnExtractiveSummary) {
  const Memory old = add(kPytest, t0() - hours(48));  // outside the 24 h window
  const Memory a = add(kPytest, t0() - hours(3), "backend", {"tests", "python"});
  const Memory b = add(kCoverage, t0() - hours(2), "backend", {"tests"});
  const Memory c = add(kPytestMore, t0() - hours(2), "backend", {"tests", "ci"});
  const Memory d = add(kFixtures, t0() - hours(1), "backend", {"tests"});
  const Memory recipe = add(kRecipe, t0() - hours(1), "backend", {"tests"});

  const DreamReport r = dream(*store_, *embedder_, t0());
  EXPECT_EQ(r.examined, 5u);
  EXPECT_EQ(r.linked, 3u);  // a-b 0.730, a-c 0.711, b-c 0.593
  const std::vector<Edge> from_a = edges_of_type(a.id, kRelatedEdge);
  ASSERT_EQ(from_a.size(), 2u);
  EXPECT_TRUE(edges_of_type(d.id, kRelatedEdge).empty());
  EXPECT_TRUE(edges_of_type(old.id, kRelatedEdge).empty());

  ASSERT_EQ(r.summaries.size(), 1u);
  const DreamSummary& s = r.summaries[0];
  EXPECT_EQ(s.members, (std::vector<Uuid>{a.id, b.id, c.id, d.id}));
  // Most central first; c's first sentence repeats a's and is left out.
  EXPECT_EQ(s.content,
            "Summary of 4 related memories from 2026-03-01 to 2026-03-01: Unit tests run with "
            "pytest in the backend repository. The backend repository uses pytest with coverage "
            "for tests. Pytest fixtures for the backend live in conftest.py.");
  const std::optional<Memory> stored = store_->get(s.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->node_type, kSummaryType);
  EXPECT_FALSE(stored->engine.suppressed);  // knowledge an agent should find
  EXPECT_EQ(stored->codebase, "backend");
  EXPECT_EQ(stored->tags, std::vector<std::string>{"tests"});  // carried by every member
  EXPECT_EQ(stored->metadata["summary"]["method"], "extractive");
  EXPECT_TRUE(store_->get_scheduling(s.id));
  std::vector<Uuid> summarised;
  for (const Edge& e : store_->edges(s.id, EdgeDirection::kOutgoing)) {
    EXPECT_EQ(e.edge_type, kSummarisesEdge);
    summarised.push_back(e.target_id);
  }
  std::sort(summarised.begin(), summarised.end());
  EXPECT_EQ(summarised, (std::vector<Uuid>{a.id, b.id, c.id, d.id}));
  EXPECT_TRUE(edges_of_type(recipe.id, kSummarisesEdge).empty());

  // Dreaming again links nothing new and does not summarise the same cluster twice.
  const DreamReport again = dream(*store_, *embedder_, t0() + hours(1));
  EXPECT_EQ(again.linked, 0u);
  EXPECT_TRUE(again.summaries.empty());
}

TEST_F(MaintenanceTest, DreamDryRunWritesNothing) {
  add(kPytest, t0() - hours(3));
  add(kCoverage, t0() - hours(2));
  add(kPytestMore, t0() - hours(1));
  const auto before = store_->stats(t0());
  DreamOptions options;
  options.dry_run = true;
  const DreamReport r = dream(*store_, *embedder_, t0(), options);
  EXPECT_EQ(r.linked, 3u);
  ASSERT_EQ(r.summaries.size(), 1u);
  EXPECT_TRUE(r.summaries[0].id.is_nil());
  EXPECT_EQ(store_->stats(t0()).memories, before.memories);
  EXPECT_EQ(store_->stats(t0()).edges, 0);
}

TEST_F(MaintenanceTest, GcListsFadedAndSuppressedMemoriesAndDeletesOnlyWhenAsked) {
  const Memory fresh = add(kRecipe, t0());
  const Memory faded = add(kCoverage, t0() - hours(24 * 180));  // retention 0.387: silent
  Memory hidden = add(kPytest, t0());
  hidden.engine.suppressed = true;
  store_->update(hidden);
  Memory merged = add(kPytestMore, t0());
  merged.engine.suppressed = true;
  merged.engine.superseded_by = fresh.id;
  store_->update(merged);
  Memory intention;
  intention.content = "do something later";
  intention.node_type = std::string(kIntentionType);
  intention.engine.suppressed = true;
  store_->insert(intention);

  // Default threshold: "unavailable" only, which the FSRS-6 power curve takes
  // decades to reach, so only the suppressed memories are listed.
  GcReport r = gc(*store_, t0());
  EXPECT_TRUE(r.dry_run);
  EXPECT_EQ(r.scanned, 5u);
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].id, hidden.id);
  EXPECT_EQ(r.candidates[0].reason, "suppressed");
  EXPECT_EQ(r.candidates[1].id, merged.id);
  EXPECT_EQ(r.candidates[1].reason, "merged into or superseded by " + fresh.id.to_string());
  EXPECT_EQ(r.deleted, 0u);
  EXPECT_EQ(store_->stats(t0()).memories, 5);

  GcOptions silent;
  silent.max_retention = 0.4;
  silent.include_suppressed = false;
  r = gc(*store_, t0(), silent);
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].id, faded.id);
  EXPECT_NEAR(r.candidates[0].retention, 0.387, 0.005);
  EXPECT_EQ(r.candidates[0].reason.rfind("retention 0.38", 0), 0u) << r.candidates[0].reason;
  EXPECT_NE(r.candidates[0].reason.find("(silent)"), std::string::npos);

  GcOptions limited;
  limited.limit = 1;
  EXPECT_EQ(gc(*store_, t0(), limited).candidates.size(), 1u);

  GcOptions apply;
  apply.dry_run = false;
  r = gc(*store_, t0(), apply);
  EXPECT_EQ(r.deleted, 2u);
  EXPECT_FALSE(store_->get(hidden.id));
  EXPECT_FALSE(store_->get(merged.id));
  EXPECT_TRUE(store_->get(fresh.id));
  EXPECT_TRUE(store_->get(faded.id));
  EXPECT_EQ(store_->stats(t0()).memories, 3);  // the intention stays
}

TEST_F(MaintenanceTest, ReviewUpdatesSchedulingLogsAndStrengthens) {
  const Memory m = add(kRecipe, t0());
  const Scheduler scheduler;
  ReviewResult r = review_memory(*store_, scheduler, m.id, kGood, t0());
  EXPECT_DOUBLE_EQ(r.state.stability, 2.3065);  // S0(Good) = w2
  EXPECT_EQ(r.state.reps, 1);
  EXPECT_EQ(r.interval_days, 2);
  EXPECT_EQ(r.retrievability, 1.0);
  EXPECT_EQ(store_->get_scheduling(m.id), r.state);
  std::vector<ReviewEvent> events = store_->review_events(m.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], r.event);
  EXPECT_FALSE(events[0].prior_state);
  EXPECT_DOUBLE_EQ(store_->get(m.id)->engine.storage_strength, 1.5);

  // Ten days later: R(10, 2.3065) before the review, and the event keeps the prior state.
  r = review_memory(*store_, scheduler, m.id, kAgain, t0() + hours(240));
  EXPECT_NEAR(r.retrievability, scheduler.retrievability(2.3065, 10.0), 1e-12);
  EXPECT_EQ(r.state.lapses, 1);
  events = store_->review_events(m.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].prior_state->stability, 2.3065);
  EXPECT_DOUBLE_EQ(store_->get(m.id)->engine.storage_strength, 1.7);

  EXPECT_EQ(capture_error([&] { review_memory(*store_, scheduler, m.id, 5, t0()); }).code(),
            ErrorCode::kInvalidInput);
  const Uuid missing = Uuid::generate_v7();
  EXPECT_EQ(capture_error([&] { review_memory(*store_, scheduler, missing, 3, t0()); }).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->review_events(m.id).size(), 2u);
}

}  // namespace
}  // namespace vestige::engine
