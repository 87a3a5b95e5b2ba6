// Contract: stats, health and export paging.

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "store_contract.h"
#include "vestige/fsrs.h"

namespace vestige::contract {
namespace {

TEST_P(IntrospectionContract, BackendNameIsTheFactorysName) {
  EXPECT_EQ(store().backend_name(), factory().name());
}

TEST_P(IntrospectionContract, StatsOfAnEmptyStore) {
  const StoreStats stats = store().stats(now_utc());
  EXPECT_EQ(stats.backend, store().backend_name());
  EXPECT_EQ(stats.memories, 0);
  EXPECT_EQ(stats.memories_with_embedding, 0);
  EXPECT_EQ(stats.scheduled, 0);
  EXPECT_EQ(stats.due_now, 0);
  EXPECT_EQ(stats.review_events, 0);
  EXPECT_EQ(stats.edges, 0);
  EXPECT_EQ(stats.domains, 0);
  EXPECT_TRUE(stats.by_node_type.empty());
  EXPECT_FALSE(stats.model.has_value());
  EXPECT_GT(stats.schema_version, 0);
}

TEST_P(IntrospectionContract, StatsCountEverything) {
  MemoryStore& s = bound_store();
  const Timestamp now = fixed_now();
  const Memory a = s.insert(memory("fact with a vector", vec({1})));
  const Memory b = s.insert(memory("another fact with a vector", vec({0, 1})));
  s.insert(memory("a fact without"));
  Memory note = memory("a note");
  note.node_type = "note";
  const Memory c = s.insert(note);
  s.insert(note);
  s.upsert_scheduling(scheduling(a.id, 2.0, plus_days(now, -3), plus_days(now, -1)));
  s.upsert_scheduling(scheduling(b.id, 2.0, plus_days(now, -3), now));
  s.upsert_scheduling(scheduling(c.id, 2.0, plus_days(now, -1), plus_days(now, 1)));
  ReviewEvent review;
  review.memory_id = a.id;
  review.reviewed_at = plus_days(now, -3);
  review.rating = 3;
  review.new_state = scheduling(a.id, 2.0, plus_days(now, -3), plus_days(now, -1));
  s.append_review_event(review);
  s.append_review_event(review);
  s.add_edge(edge(a.id, b.id, "related"));
  Domain d;
  d.id = "physics";
  s.upsert_domain(d);

  const StoreStats stats = s.stats(now);

  EXPECT_EQ(stats.backend, s.backend_name());
  EXPECT_EQ(stats.memories, 5);
  EXPECT_EQ(stats.memories_with_embedding, 2);
  EXPECT_EQ(stats.by_node_type, (std::map<std::string, std::int64_t>{{"fact", 3}, {"note", 2}}));
  EXPECT_EQ(stats.scheduled, 3);
  EXPECT_EQ(stats.due_now, 2);
  EXPECT_EQ(stats.review_events, 2);
  EXPECT_EQ(stats.edges, 1);
  EXPECT_EQ(stats.domains, 1);
  EXPECT_EQ(stats.model, s.registered_model());
  ASSERT_TRUE(stats.model.has_value());
  EXPECT_EQ(stats.model->signature, test_model());
  EXPECT_EQ(s.stats(plus_days(now, 2)).due_now, 3);
  EXPECT_EQ(s.stats(plus_days(now, -2)).due_now, 0);
}

// The engine's dual-strength model (src/engine/strength.h), written out here
// so that the contract does not depend on the engine.
RetentionModel engine_like_model() {
  return RetentionModel{.retrieval_weight = 0.7,
                        .storage_weight = 0.3,
                        .storage_saturation = 10.0,
                        .unscheduled_stability_days = fsrs::kDefaultWeights[2],
                        .active_above = 0.7,
                        .dormant_above = 0.4,
                        .silent_above = 0.1};
}

double expected_retention(double storage, double stability, double days) {
  return 0.7 * fsrs::retrievability(stability, days) + 0.3 * std::clamp(storage / 10.0, 0.0, 1.0);
}

TEST_P(IntrospectionContract, RetentionSummaryOfAnEmptyStore) {
  const RetentionSummary summary = store().retention_summary(engine_like_model(), now_utc());
  EXPECT_EQ(summary.memories, 0);
  EXPECT_EQ(summary.mean, 0.0);
  EXPECT_EQ(summary.by_state, (std::array<std::int64_t, 4>{0, 0, 0, 0}));
}

TEST_P(IntrospectionContract, RetentionSummaryAppliesTheModelToEveryMemory) {
  MemoryStore& s = store();
  const Timestamp now = fixed_now();
  std::vector<double> expected;

  // Created now: R = 1, storage 1 -> 0.73, active.
  Memory fresh = memory("stored just now");
  fresh.created_at = now;
  s.insert(fresh);
  expected.push_back(expected_retention(1.0, fsrs::kDefaultWeights[2], 0.0));

  // Never reviewed, created 60 days ago: unscheduled stability, dormant.
  Memory old = memory("stored two months ago");
  old.created_at = plus_days(now, -60);
  s.insert(old);
  expected.push_back(expected_retention(1.0, fsrs::kDefaultWeights[2], 60.0));

  // Never reviewed, created 3,000 days ago but accessed 1 day ago: the
  // access is the reference time.
  Memory accessed = memory("old but recalled yesterday");
  accessed.created_at = plus_days(now, -3000);
  accessed.engine.last_accessed_at = plus_days(now, -1);
  s.insert(accessed);
  expected.push_back(expected_retention(1.0, fsrs::kDefaultWeights[2], 1.0));

  // Never reviewed, 20,000 days old, no storage strength: silent.
  Memory ancient = memory("forgotten long ago");
  ancient.created_at = plus_days(now, -20000);
  ancient.engine.storage_strength = 0.0;
  s.insert(ancient);
  expected.push_back(expected_retention(0.0, fsrs::kDefaultWeights[2], 20000.0));

  // Last reviewed 40,000 days ago at the minimum stability, no storage
  // strength: unavailable.
  Memory lost = memory("reviewed once, a century ago");
  lost.created_at = plus_days(now, -40001);
  lost.engine.storage_strength = 0.0;
  const Memory stored_lost = s.insert(lost);
  s.upsert_scheduling(scheduling(stored_lost.id, 0.1, plus_days(now, -40000), now));
  expected.push_back(expected_retention(0.0, 0.1, 40000.0));

  // Reviewed 10 days ago with stability 40, created long before, storage
  // above saturation: the review is the reference time and its stability
  // is used.
  Memory reviewed = memory("reviewed ten days ago");
  reviewed.created_at = plus_days(now, -400);
  reviewed.engine.storage_strength = 12.0;
  const Memory stored_reviewed = s.insert(reviewed);
  s.upsert_scheduling(
      scheduling(stored_reviewed.id, 40.0, plus_days(now, -10), plus_days(now, 30)));
  expected.push_back(expected_retention(12.0, 40.0, 10.0));

  // A scheduling row that was never reviewed counts as unscheduled.
  Memory unreviewed = memory("scheduled, never reviewed");
  unreviewed.created_at = plus_days(now, -5);
  const Memory stored_unreviewed = s.insert(unreviewed);
  SchedulingState fresh_state = scheduling(stored_unreviewed.id, 100.0, now, now);
  fresh_state.last_review.reset();
  fresh_state.state = "new";
  s.upsert_scheduling(fresh_state);
  expected.push_back(expected_retention(1.0, fsrs::kDefaultWeights[2], 5.0));

  // A reviewed stability outside [0.1, 36500] is clamped.
  Memory clamped = memory("stability below the minimum");
  clamped.created_at = plus_days(now, -30);
  const Memory stored_clamped = s.insert(clamped);
  s.upsert_scheduling(scheduling(stored_clamped.id, 0.001, plus_days(now, -2), now));
  expected.push_back(expected_retention(1.0, fsrs::kMinStability, 2.0));

  const RetentionSummary summary = s.retention_summary(engine_like_model(), now);

  std::array<std::int64_t, 4> by_state{};
  double sum = 0.0;
  for (const double r : expected) {
    sum += r;
    ++by_state[r > 0.7 ? 0 : r > 0.4 ? 1 : r > 0.1 ? 2 : 3];
  }
  EXPECT_EQ(summary.memories, static_cast<std::int64_t>(expected.size()));
  EXPECT_NEAR(summary.mean, sum / static_cast<double>(expected.size()), 1e-6);
  EXPECT_EQ(summary.by_state, by_state);
  // The set spans every state, so a wrong bound or reference time shows.
  EXPECT_EQ(by_state, (std::array<std::int64_t, 4>{2, 4, 1, 1}))
      << "the test data no longer covers every state";

  // A later `now` lowers retention; the model's bounds decide the states.
  const RetentionSummary later = s.retention_summary(engine_like_model(), plus_days(now, 365));
  EXPECT_LT(later.mean, summary.mean);
  RetentionModel all_active = engine_like_model();
  all_active.active_above = -1.0;
  EXPECT_EQ(s.retention_summary(all_active, now).by_state,
            (std::array<std::int64_t, 4>{8, 0, 0, 0}));
}

TEST_P(IntrospectionContract, HealthIsOkWithBackendAndSchemaVersion) {
  const HealthReport empty = store().health();
  EXPECT_EQ(empty.status, HealthStatus::kOk) << health_status_name(empty.status);
  EXPECT_EQ(empty.backend, store().backend_name());
  EXPECT_GT(empty.schema_version, 0);
  EXPECT_EQ(empty.schema_version, store().stats(now_utc()).schema_version);
  EXPECT_TRUE(empty.problems.empty());
  EXPECT_FALSE(empty.model.has_value());

  const RegisteredModel registered = store().register_model(test_model());
  EXPECT_EQ(store().health().model, registered);
  EXPECT_EQ(store().health().status, HealthStatus::kOk);
}

// Ten memories, half of them with vectors; four share one created_at (inserted
// in descending id order) and take export positions 3 to 6, so that a page of
// three ends inside the group and the cursor's id decides where the next page
// starts. Returns them as stored, in export order.
std::vector<Memory> insert_export_set(MemoryStore& store) {
  const std::vector<Uuid> ids = ascending_ids(10);
  const std::vector<std::string> times = {
      "2024-01-01T00:00:00.000003Z", "2024-01-01T00:00:00.000001Z", "2023-12-31T23:59:59Z",
      "2024-01-01T00:00:00.000001Z", "2024-01-01T00:00:00.000001Z", "2024-01-01T00:00:00.000001Z",
      "2024-01-01T00:00:00.000002Z", "2025-02-02T02:02:02Z",        "2020-01-01T00:00:00Z",
      "2024-03-03T03:03:03Z"};
  std::vector<Memory> stored;
  for (std::size_t i = ids.size(); i-- > 0;) {
    Memory m = memory("export item " + std::to_string(i));
    m.id = ids[i];
    m.created_at = ts(times[i]);
    if (i % 2 == 0) m.embedding = vec({1.0f / static_cast<float>(i + 1), -0.0f, 0.1f});
    stored.push_back(store.insert(m));
  }
  std::sort(stored.begin(), stored.end(), [](const Memory& a, const Memory& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return stored;
}

TEST_P(IntrospectionContract, ExportPagesCoverEveryMemoryOnceInOrder) {
  MemoryStore& s = bound_store();
  const std::vector<Memory> expected = insert_export_set(s);

  std::vector<Memory> exported;
  std::vector<std::size_t> page_sizes;
  std::optional<ExportCursor> cursor;
  for (int guard = 0; guard < 20; ++guard) {
    const ExportPage page = s.export_page(cursor, 3);
    page_sizes.push_back(page.memories.size());
    exported.insert(exported.end(), page.memories.begin(), page.memories.end());
    if (!page.next) break;
    ASSERT_FALSE(page.memories.empty()) << "a page that is not the last is not empty";
    EXPECT_EQ(*page.next, (ExportCursor{page.memories.back().created_at, page.memories.back().id}));
    cursor = page.next;
  }

  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 3, 1}));
  EXPECT_EQ(ids_of(exported), ids_of(expected));
  for (std::size_t i = 0; i < std::min(exported.size(), expected.size()); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(exported[i], expected[i]);
    ASSERT_EQ(exported[i].embedding.has_value(), expected[i].embedding.has_value());
    if (expected[i].embedding) {
      EXPECT_TRUE(same_bits(*exported[i].embedding, *expected[i].embedding));
    }
  }
}

TEST_P(IntrospectionContract, ExportOfEverythingInOnePage) {
  MemoryStore& s = bound_store();
  EXPECT_TRUE(s.export_page(std::nullopt, 3).memories.empty());
  EXPECT_FALSE(s.export_page(std::nullopt, 3).next.has_value());

  const std::vector<Memory> expected = insert_export_set(s);
  const ExportPage page = s.export_page(std::nullopt, 100);
  EXPECT_EQ(page.memories, expected);
  EXPECT_FALSE(page.next.has_value());
}

TEST_P(IntrospectionContract, ExportPagingSurvivesInsertsDuringPaging) {
  MemoryStore& s = bound_store();
  const std::vector<Memory> originals = insert_export_set(s);

  const ExportPage first = s.export_page(std::nullopt, 3);
  ASSERT_TRUE(first.next.has_value());
  // Inserted after paging started: one older than every original, one newer.
  Memory older = memory("older than the cursor");
  older.created_at = ts("2019-01-01T00:00:00Z");
  s.insert(older);
  s.insert(memory("newer than everything"));

  std::vector<Memory> exported = first.memories;
  std::optional<ExportCursor> cursor = first.next;
  for (int guard = 0; guard < 20 && cursor; ++guard) {
    const ExportPage page = s.export_page(cursor, 3);
    exported.insert(exported.end(), page.memories.begin(), page.memories.end());
    cursor = page.next;
  }

  std::vector<Uuid> exported_ids = ids_of(exported);
  std::set<Uuid> unique(exported_ids.begin(), exported_ids.end());
  EXPECT_EQ(unique.size(), exported_ids.size()) << "a memory was exported twice";
  std::vector<Uuid> originals_exported;
  const std::vector<Uuid> original_ids = ids_of(originals);
  for (const Uuid& id : exported_ids) {
    if (std::ranges::count(original_ids, id) > 0) originals_exported.push_back(id);
  }
  EXPECT_EQ(originals_exported, original_ids) << "every original, once, in order";
}

}  // namespace
}  // namespace vestige::contract
