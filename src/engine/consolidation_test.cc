#include "engine/consolidation.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/maintenance.h"
#include "engine/node_types.h"
#include "engine/strength.h"
#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// Consolidation against a real SQLite store with the builtin hashing embedder;
// the similarities noted next to the texts are what that embedder measures.

namespace vestige::engine {
namespace {

using std::chrono::hours;
using testing::capture_error;

constexpr std::string_view kDeploy =
    "The deploy script lives in tools/deploy.sh. It needs the AWS profile prod.";
// 0.882 to kDeploy: a near duplicate with one sentence of its own.
constexpr std::string_view kDeployMore =
    "The deploy script lives in tools/deploy.sh. It needs the AWS profile prod. Run it from the "
    "repository root.";
constexpr std::string_view kPytest = "Unit tests run with pytest in the backend repository";
// 0.730 to kPytest: related, not a duplicate.
constexpr std::string_view kCoverage = "The backend repository uses pytest with coverage for tests";
constexpr std::string_view kRecipe = "The recipe needs two cups of flour and one egg";

Timestamp t0() {
  return *parse_timestamp("2026-03-01T09:00:00Z");
}

class ConsolidationTest : public ::testing::Test {
 protected:
  ConsolidationTest()
      : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})),
        embedder_(resolve_embedder("builtin/hash-384", {})) {
    store_->register_model(embedder_->signature());
  }

  Memory add(std::string_view content, double storage = 1.0,
             std::optional<std::string> codebase = std::nullopt, Timestamp created = t0()) {
    Memory m;
    m.content = std::string(content);
    m.embedding = embedder_->embed(content);
    m.codebase = std::move(codebase);
    m.created_at = created;
    m.engine.storage_strength = storage;
    return store_->insert(m);
  }
  Memory get(const Uuid& id) {
    std::optional<Memory> m = store_->get(id);
    EXPECT_TRUE(m.has_value());
    return m.value_or(Memory{});
  }
  Consolidator consolidator(ConsolidationOptions options = {}) {
    return Consolidator(*store_, *embedder_, options);
  }
  std::vector<Edge> edges(const Uuid& id) { return store_->edges(id, EdgeDirection::kBoth); }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  std::unique_ptr<Embedder> embedder_;
};

TEST(UniqueSentences, ComparesWordsNotCaseOrPunctuation) {
  EXPECT_EQ(split_sentences("One. Two!  Three?\nFour\n\n---\nv1.2 is out."),
            (std::vector<std::string>{"One.", "Two!", "Three?", "Four", "v1.2 is out."}));
  EXPECT_EQ(unique_sentences("It needs PROD! Run it from the root.", "It needs prod. Other."),
            std::vector<std::string>{"Run it from the root."});
  // A sentence contained in the kept text as a run of whole words is not new;
  // a sentence that only shares a prefix of a word is.
  EXPECT_TRUE(unique_sentences("needs the profile", "It needs the profile prod.").empty());
  EXPECT_EQ(unique_sentences("It needs the pro", "It needs the profile prod."),
            std::vector<std::string>{"It needs the pro"});
  // Repeats within the absorbed text count once.
  EXPECT_EQ(unique_sentences("New one. New one.", "Old."), std::vector<std::string>{"New one."});
}

TEST_F(ConsolidationTest, MergeKeepsTheStrongestAndAppendsTheOthersUniqueText) {
  const Memory weak = add(kDeployMore, 1.0);
  const Memory strong = add(kDeploy, 5.0);
  add(kRecipe);

  const ConsolidationReport r = consolidator().run_pass(t0());
  EXPECT_TRUE(r.pass_complete);
  EXPECT_EQ(r.examined, 3u);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_EQ(r.merges[0].kept_id, strong.id);
  EXPECT_EQ(r.merges[0].absorbed_ids, std::vector<Uuid>{weak.id});
  EXPECT_NEAR(r.merges[0].similarity, 0.882, 0.001);
  EXPECT_FALSE(r.merges[0].merge_id.is_nil());

  const Memory kept = get(strong.id);
  EXPECT_EQ(kept.content, std::string(kDeploy) + "\n\n---\n\nRun it from the repository root.");
  EXPECT_EQ(kept.embedding, embedder_->embed(kept.content));
  EXPECT_EQ(kept.metadata["merged_from"], Json::array({weak.id.to_string()}));
  EXPECT_EQ(kept.engine.storage_strength, 5.0);
  EXPECT_FALSE(kept.engine.suppressed);

  const Memory absorbed = get(weak.id);
  EXPECT_EQ(absorbed.engine.superseded_by, strong.id);
  EXPECT_TRUE(absorbed.engine.suppressed);
  EXPECT_EQ(absorbed.content, kDeployMore);  // kept for undo and history

  const std::vector<Edge> out = store_->edges(strong.id, EdgeDirection::kOutgoing);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].edge_type, kMergedEdge);
  EXPECT_EQ(out[0].target_id, weak.id);

  const Memory record = get(r.merges[0].merge_id);
  EXPECT_EQ(record.node_type, kMergeRecordType);
  EXPECT_TRUE(record.engine.suppressed);
  EXPECT_FALSE(record.embedding.has_value());

  // The absorbed memory no longer competes in search.
  SearchQuery q;
  q.text = "deploy script";
  EXPECT_EQ(store_->text_search(q).size(), 1u);

  // A second pass finds nothing more to merge.
  EXPECT_TRUE(consolidator().run_pass(t0()).merges.empty());
}

TEST_F(ConsolidationTest, TiesOnStrengthKeepTheFirstStored) {
  const Memory first = add(kDeployMore);
  add(kDeploy);
  const ConsolidationReport r = consolidator().run_pass(t0());
  ASSERT_EQ(r.merges.size(), 1u);
  // Equal retention, storage and created_at: the lower id, which UUIDv7 gives
  // the memory stored first.
  EXPECT_EQ(r.merges[0].kept_id, first.id);
  // kDeploy has no sentence that kDeployMore lacks: the text is unchanged.
  EXPECT_EQ(get(first.id).content, kDeployMore);
}

TEST_F(ConsolidationTest, UndoRestoresTheStoreExactly) {
  const Memory weak = add(kDeployMore, 1.0);
  const Memory strong = add(kDeploy, 5.0);
  Edge prior{strong.id, weak.id, "temporal", 0.5, Json{{"note", "before"}}, t0()};
  store_->add_edge(prior);
  const Memory strong_before = get(strong.id);
  const Memory weak_before = get(weak.id);
  const std::vector<Edge> edges_before = edges(strong.id);
  const auto count_before = store_->stats(t0()).memories;

  Consolidator c = consolidator();
  const ConsolidationReport r = c.run_pass(t0());
  ASSERT_EQ(r.merges.size(), 1u);
  ASSERT_NE(get(strong.id).content, strong_before.content);

  const UndoReport u = c.undo(r.merges[0].merge_id);
  EXPECT_EQ(u.kept_id, strong.id);
  EXPECT_EQ(u.restored_ids, std::vector<Uuid>{weak.id});
  EXPECT_EQ(u.edges_removed, 1u);

  // Every field but updated_at, the embedding bit for bit.
  Memory strong_after = get(strong.id);
  Memory weak_after = get(weak.id);
  strong_after.updated_at = strong_before.updated_at;
  weak_after.updated_at = weak_before.updated_at;
  EXPECT_EQ(strong_after, strong_before);
  EXPECT_EQ(weak_after, weak_before);
  EXPECT_EQ(edges(strong.id), edges_before);
  EXPECT_EQ(store_->stats(t0()).memories, count_before);  // the merge record is gone

  const Error again = capture_error([&] { c.undo(r.merges[0].merge_id); });
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  EXPECT_NE(std::string(again.what()).find("already undone"), std::string::npos);
  EXPECT_EQ(capture_error([&] { c.undo(strong.id); }).code(), ErrorCode::kNotFound);
}

TEST_F(ConsolidationTest, GcCollectsMergeRecordsPastTheirLifetimeAndUndoSaysSo) {
  const Memory weak = add(kDeployMore, 1.0);
  add(kDeploy, 5.0);
  const Uuid merge_id = consolidator().run_pass(t0()).merges.at(0).merge_id;
  const auto listed = [&](Timestamp now, const GcOptions& options) {
    std::vector<GcCandidate> out;
    for (const GcCandidate& c : gc(*store_, now, options).candidates) {
      if (c.id == merge_id) out.push_back(c);
    }
    return out;
  };
  GcOptions options;
  options.include_suppressed = false;  // the absorbed memory is not the point here
  EXPECT_TRUE(listed(t0() + std::chrono::days(29), options).empty()) << "younger than 30 days";
  const std::vector<GcCandidate> due = listed(t0() + std::chrono::days(30), options);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].node_type, kMergeRecordType);
  EXPECT_NE(due[0].reason.find("merge record older than 30 days"), std::string::npos)
      << due[0].reason;
  EXPECT_TRUE(store_->get(merge_id).has_value()) << "gc is a dry run by default";

  GcOptions forever = options;
  forever.merge_record_lifetime.reset();
  EXPECT_TRUE(listed(t0() + std::chrono::days(10000), forever).empty());

  GcOptions remove = options;
  remove.dry_run = false;
  const GcReport removed = gc(*store_, t0() + std::chrono::days(31), remove);
  EXPECT_EQ(removed.deleted, 1u);
  EXPECT_FALSE(store_->get(merge_id).has_value());
  EXPECT_TRUE(store_->get(weak.id).has_value()) << "only the record was collected";

  // The merge was made moments ago by the wall clock: within the default
  // lifetime a missing record reads as never made or already undone.
  Error e = capture_error([&] { consolidator().undo(merge_id); });
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_NE(std::string(e.what()).find("already undone"), std::string::npos) << e.what();
  // Past the lifetime, undo says that gc collected the record, and which
  // setting decides.
  ConsolidationOptions expired;
  expired.merge_record_lifetime = std::chrono::days(0);
  e = capture_error([&] { consolidator(expired).undo(merge_id); });
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_NE(std::string(e.what()).find("its record was collected by gc"), std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("merge_record_days"), std::string::npos) << e.what();
}

TEST_F(ConsolidationTest, UndoRefusesWhenItWouldLoseLaterChanges) {
  const Memory weak = add(kDeployMore, 1.0);
  const Memory strong = add(kDeploy, 5.0);
  Consolidator c = consolidator();
  const Uuid merge_id = c.run_pass(t0()).merges.at(0).merge_id;

  Memory edited = get(strong.id);
  const Memory merged = edited;
  edited.content += " Edited later.";
  store_->update(edited);
  Error e = capture_error([&] { c.undo(merge_id); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("edited after the merge"), std::string::npos);
  EXPECT_EQ(get(weak.id).engine.suppressed, true);  // nothing was written

  store_->update(merged);
  store_->remove(weak.id);
  e = capture_error([&] { c.undo(merge_id); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("was deleted since"), std::string::npos);
  EXPECT_EQ(get(strong.id).content, merged.content);
}

TEST_F(ConsolidationTest, DifferentCodebasesNeverMerge) {
  add(kDeploy, 1.0, "alpha");
  add(kDeployMore, 1.0, "beta");
  add(kDeployMore, 1.0);
  const ConsolidationReport r = consolidator().run_pass(t0());
  EXPECT_TRUE(r.merges.empty());
  EXPECT_EQ(r.linked, 0u);  // nor link across codebases
}

TEST_F(ConsolidationTest, LinksRelatedPairsOnceFromLowerToHigherId) {
  const Memory a = add(kPytest);
  const Memory b = add(kCoverage);
  add(kRecipe);
  ConsolidationReport r = consolidator().run_pass(t0());
  EXPECT_EQ(r.linked, 1u);
  const std::vector<Edge> e = edges(a.id);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].edge_type, kRelatedEdge);
  EXPECT_EQ(e[0].source_id, std::min(a.id, b.id));
  EXPECT_EQ(e[0].target_id, std::max(a.id, b.id));
  EXPECT_NEAR(e[0].weight, 0.730, 0.001);

  r = consolidator().run_pass(t0());
  EXPECT_EQ(r.linked, 0u);
  EXPECT_EQ(edges(a.id).size(), 1u);

  // Above the threshold only.
  ConsolidationOptions strict;
  strict.link_threshold = 0.75;
  store_->remove_edge(e[0].source_id, e[0].target_id, e[0].edge_type);
  EXPECT_EQ(consolidator(strict).run_pass(t0()).linked, 0u);
}

TEST_F(ConsolidationTest, PrunesEdgesBelowTheThreshold) {
  const Memory a = add("alpha memory");
  const Memory b = add("bravo memory");
  const Memory c = add("charlie memory");
  store_->add_edge({a.id, b.id, "temporal", 0.049, Json::object(), t0()});
  store_->add_edge({a.id, c.id, "temporal", 0.05, Json::object(), t0()});
  store_->add_edge({c.id, b.id, "related", 0.01, Json::object(), t0()});
  ConsolidationOptions no_links;
  no_links.link_threshold = 1.0;
  const ConsolidationReport r = consolidator(no_links).run_pass(t0());
  EXPECT_EQ(r.pruned, 2u);
  const std::vector<Edge> left = store_->edges(a.id, EdgeDirection::kBoth);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].target_id, c.id);
  EXPECT_EQ(left[0].weight, 0.05);
  EXPECT_TRUE(store_->edges(b.id, EdgeDirection::kBoth).empty());
}

TEST_F(ConsolidationTest, DecaysRetrievalStrength) {
  const Memory old = add(kRecipe, 1.0, std::nullopt, t0() - hours(24 * 180));
  const Timestamp now = t0();
  const ConsolidationReport r = consolidator().run_pass(now);
  EXPECT_EQ(r.decayed, 1u);
  const double expected = retrieval_strength_at(old.engine, old.created_at, std::nullopt, now);
  EXPECT_NEAR(expected, 0.51, 0.01);  // strength.h: 0.51 after 180 days
  EXPECT_DOUBLE_EQ(get(old.id).engine.retrieval_strength, expected);
  // Nothing moved since: no write.
  EXPECT_EQ(consolidator().run_pass(now).decayed, 0u);
}

TEST_F(ConsolidationTest, DryRunReportsWithoutWriting) {
  const Memory weak = add(kDeployMore, 1.0);
  const Memory strong = add(kDeploy, 5.0);
  const Memory a = add(kPytest, 1.0, std::nullopt, t0() - hours(24 * 30));
  add(kCoverage);
  const auto before = store_->export_page(std::nullopt, 100).memories;
  ConsolidationOptions dry;
  dry.dry_run = true;
  const ConsolidationReport r = consolidator(dry).run_pass(t0());
  EXPECT_TRUE(r.dry_run);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_TRUE(r.merges[0].merge_id.is_nil());
  EXPECT_EQ(r.merges[0].kept_id, strong.id);
  EXPECT_EQ(r.linked, 1u);
  EXPECT_GE(r.decayed, 1u);
  EXPECT_EQ(store_->export_page(std::nullopt, 100).memories, before);
  EXPECT_TRUE(edges(a.id).empty());
  EXPECT_TRUE(edges(weak.id).empty());
}

TEST_F(ConsolidationTest, SlicesRespectTheMemoryBudgetAndResume) {
  for (int i = 0; i < 10; ++i) add(fmt::format("distinct note {} about topic {}", i, i * 7919));
  Consolidator c = consolidator();
  std::size_t total = 0;
  std::vector<std::size_t> slices;
  for (int call = 0; call < 10; ++call) {
    const ConsolidationReport r = c.run(t0(), SliceBudget{3, {}});
    EXPECT_LE(r.examined, 3u);
    total += r.examined;
    slices.push_back(r.examined);
    if (r.pass_complete) break;
    EXPECT_TRUE(r.budget_exhausted);
  }
  EXPECT_EQ(slices, (std::vector<std::size_t>{3, 3, 3, 1}));
  EXPECT_EQ(total, 10u);
  // The next call starts a new pass.
  EXPECT_EQ(c.run(t0(), SliceBudget{3, {}}).examined, 3u);
}

TEST_F(ConsolidationTest, SlicesRespectTheTimeBudget) {
  std::vector<Memory> batch;
  for (int i = 0; i < 300; ++i) {
    Memory m;
    m.content = fmt::format("note {} on subject {}", i, i * 104729);
    m.embedding = embedder_->embed(m.content);
    m.created_at = t0() - hours(24 * 30);
    batch.push_back(std::move(m));
  }
  store_->insert_batch(batch);
  Consolidator c = consolidator();
  const ConsolidationReport r = c.run(t0(), SliceBudget{0, std::chrono::milliseconds(1)});
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_FALSE(r.pass_complete);
  EXPECT_GE(r.examined, 1u);
  EXPECT_LT(r.examined, 300u);
}

TEST_F(ConsolidationTest, BookkeepingMemoriesAreLeftAlone) {
  Memory record;
  record.content = std::string(kDeploy);
  record.node_type = std::string(kIntentionType);
  record.engine.suppressed = true;
  record.embedding = embedder_->embed(kDeploy);
  record.created_at = t0();
  const Memory intention = store_->insert(record);
  const Memory fact = add(kDeployMore);
  const ConsolidationReport r = consolidator().run_pass(t0());
  EXPECT_TRUE(r.merges.empty());
  EXPECT_EQ(r.examined, 1u);
  EXPECT_FALSE(get(intention.id).engine.superseded_by);
  EXPECT_FALSE(get(fact.id).engine.superseded_by);
}

TEST_F(ConsolidationTest, ReportAsJson) {
  add(kDeployMore, 1.0);
  add(kDeploy, 5.0);
  const Json j = to_json(consolidator().run_pass(t0()));
  EXPECT_EQ(j["merged"], 1);
  EXPECT_EQ(j["merges"][0]["absorbed_ids"].size(), 1u);
  EXPECT_TRUE(j["merges"][0]["merge_id"].is_string());
  EXPECT_EQ(j["pass_complete"], true);
  EXPECT_EQ(j["dry_run"], false);
}

TEST_F(ConsolidationTest, AutomaticSlicesFollowTheConfiguredTriggers) {
  for (int i = 0; i < 10; ++i) add(fmt::format("distinct note {} about topic {}", i, i * 7919));
  ConsolidationConfig config;
  config.every_ingests = 3;
  config.every_minutes = 10;
  config.max_memories_per_run = 4;
  AutoConsolidation automatic(*store_, *embedder_, config, t0());

  automatic.note_writes(2);
  EXPECT_FALSE(automatic.due(t0() + std::chrono::minutes(9)));
  EXPECT_FALSE(automatic.run_if_due(t0()));
  automatic.note_writes();
  ASSERT_TRUE(automatic.due(t0()));
  // A pass under way continues at every call until it completes.
  std::vector<std::size_t> slices;
  while (std::optional<ConsolidationReport> r = automatic.run_if_due(t0())) {
    slices.push_back(r->examined);
    ASSERT_LE(slices.size(), 5u);
  }
  EXPECT_EQ(slices, (std::vector<std::size_t>{4, 4, 2}));
  EXPECT_FALSE(automatic.due(t0() + std::chrono::minutes(9)));
  EXPECT_TRUE(automatic.due(t0() + std::chrono::minutes(10)));  // the clock trigger

  config.auto_run = false;
  AutoConsolidation off(*store_, *embedder_, config, t0());
  off.note_writes(100);
  EXPECT_FALSE(off.due(t0() + hours(100)));

  config.auto_run = true;
  config.every_ingests = 0;
  config.every_minutes = 0;
  AutoConsolidation never(*store_, *embedder_, config, t0());
  never.note_writes(100);
  EXPECT_FALSE(never.due(t0() + hours(100)));
}

TEST_F(ConsolidationTest, OptionsComeFromTheConfig) {
  ConsolidationConfig config;
  config.merge_threshold = 0.9;
  config.link_threshold = 0.4;
  config.prune_below = 0.1;
  config.max_memories_per_run = 7;
  config.max_millis_per_run = 20;
  const ConsolidationOptions o = consolidation_options(config);
  EXPECT_EQ(o.merge_threshold, 0.9);
  EXPECT_EQ(o.link_threshold, 0.4);
  EXPECT_EQ(o.prune_below, 0.1);
  EXPECT_FALSE(o.dry_run);
  EXPECT_EQ(o.merge_record_lifetime, std::chrono::days(30));
  config.merge_record_days = 7;
  EXPECT_EQ(consolidation_options(config).merge_record_lifetime, std::chrono::days(7));
  config.merge_record_days = 0;
  EXPECT_FALSE(consolidation_options(config).merge_record_lifetime.has_value());
  const SliceBudget b = slice_budget(config);
  EXPECT_EQ(b.max_memories, 7u);
  EXPECT_EQ(b.max_time, std::chrono::milliseconds(20));
}

TEST_F(ConsolidationTest, LaterPassesSearchOnlyWhatChanged) {
  // Old enough that the first pass writes their decay: that write is the
  // pass's own and does not count as a change.
  add(kPytest, 1.0, std::nullopt, t0() - hours(24 * 30));
  add(kCoverage, 1.0, std::nullopt, t0() - hours(24 * 30));
  add(kRecipe);
  Consolidator c = consolidator();
  ConsolidationReport r = c.run_pass(t0());
  EXPECT_EQ(r.unchanged, 0u);
  EXPECT_EQ(r.decayed, 2u);
  EXPECT_EQ(r.linked, 1u);

  r = c.run_pass(t0());
  EXPECT_EQ(r.examined, 3u);
  EXPECT_EQ(r.unchanged, 3u);
  // A month later every memory decays again; still nothing changed.
  r = c.run_pass(t0() + hours(24 * 30));
  EXPECT_EQ(r.decayed, 3u);
  EXPECT_EQ(r.unchanged, 3u);

  // A new near duplicate is searched on its own visit and found from there.
  const Memory weak = add(kDeployMore, 1.0);
  const Memory strong = add(kDeploy, 5.0);
  r = c.run_pass(t0() + hours(24 * 30));
  EXPECT_EQ(r.unchanged, 3u);
  ASSERT_EQ(r.merges.size(), 1u);
  EXPECT_EQ(r.merges[0].kept_id, strong.id);

  // A dry pass does not count as a pass that searched everything.
  ConsolidationOptions dry;
  dry.dry_run = true;
  Consolidator d = consolidator(dry);
  d.run_pass(t0());
  EXPECT_EQ(d.run_pass(t0()).unchanged, 0u);
}

}  // namespace
}  // namespace vestige::engine
