// Contract: every search filter is applied before the limit, in all three
// search methods. Each test stores 50 decoys that match the query better than
// anything else but fail the filter, and one or two weak targets that pass
// it; with limit 5, only the targets may come back.

#include <algorithm>
#include <functional>
#include <string>

#include "store_contract.h"
#include "vestige/fsrs.h"

namespace vestige::contract {
namespace {

constexpr int kDecoys = 50;
constexpr std::size_t kLimit = 5;

// The best possible match for filter_query(): the query's word three times and
// the query's vector.
Memory decoy() {
  return memory("needle needle needle", vec({1}));
}

// A weak match: the word once among many, a vector far from the query's.
Memory target() {
  return memory("one needle hidden among plenty of other words that dilute the match",
                at_angle(1.2));
}

SearchQuery filter_query(const SearchFilter& filter) {
  SearchQuery query = hybrid_query("needle", vec({1}), kLimit);
  query.filter = filter;
  query.now = fixed_now();
  return query;
}

// Stores kDecoys decoys (each passed through `adjust_decoy` with its index)
// and the targets, and returns the targets' ids.
std::vector<Uuid> store_decoys_and_targets(MemoryStore& store,
                                           const std::function<void(Memory&, int)>& adjust_decoy,
                                           const std::vector<Memory>& targets) {
  std::vector<Memory> batch;
  for (int i = 0; i < kDecoys; ++i) {
    Memory m = decoy();
    adjust_decoy(m, i);
    batch.push_back(m);
  }
  store.insert_batch(batch);
  std::vector<Uuid> ids;
  for (const Memory& m : store.insert_batch(targets)) ids.push_back(m.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Runs the query through every search method and expects exactly `expected`
// (in any order: the targets' relative ranking is not what is tested here).
void expect_exactly(MemoryStore& store, const SearchQuery& query,
                    const std::vector<Uuid>& expected) {
  const std::vector<std::pair<std::string, std::function<std::vector<SearchResult>()>>> methods = {
      {"text_search", [&] { return store.text_search(query); }},
      {"vector_search", [&] { return store.vector_search(query); }},
      {"hybrid_search", [&] { return store.hybrid_search(query); }}};
  for (const auto& [name, search] : methods) {
    SCOPED_TRACE(name);
    std::vector<Uuid> found = ids_of(search());
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, expected);
  }
}

TEST_P(SearchFilterContract, TheUnfilteredQueryPrefersTheDecoys) {
  // The premise of every other test here: without the filter the targets are
  // crowded out by the decoys.
  MemoryStore& s = bound_store();
  const std::vector<Uuid> targets = store_decoys_and_targets(s, [](Memory&, int) {}, {target()});
  const SearchQuery query = filter_query({});
  for (const auto& results :
       {s.text_search(query), s.vector_search(query), s.hybrid_search(query)}) {
    EXPECT_EQ(results.size(), kLimit);
    EXPECT_EQ(std::ranges::count(ids_of(results), targets[0]), 0);
  }
}

TEST_P(SearchFilterContract, TagsMustAllBePresent) {
  MemoryStore& s = bound_store();
  Memory superset = target();
  superset.tags = {"green", "red", "blue"};
  Memory exact = target();
  exact.tags = {"blue", "red"};
  const std::vector<Uuid> targets = store_decoys_and_targets(s,
                                                             [](Memory& m, int i) {
                                                               // One of the two tags, or a tag that
                                                               // merely contains one of them.
                                                               switch (i % 3) {
                                                                 case 0:
                                                                   m.tags = {"red"};
                                                                   break;
                                                                 case 1:
                                                                   m.tags = {"blue", "green"};
                                                                   break;
                                                                 default:
                                                                   m.tags = {"reddish", "blue"};
                                                                   break;
                                                               }
                                                             },
                                                             {superset, exact});

  SearchFilter filter;
  filter.tags = {"red", "blue"};
  expect_exactly(s, filter_query(filter), targets);
}

TEST_P(SearchFilterContract, NodeTypeMustBeOneOfTheList) {
  MemoryStore& s = bound_store();
  Memory decision = target();
  decision.node_type = "decision";
  Memory pattern = target();
  pattern.node_type = "pattern";
  const std::vector<Uuid> targets = store_decoys_and_targets(
      s, [](Memory& m, int i) { m.node_type = i % 2 ? "note" : "decisions"; }, {decision, pattern});

  SearchFilter filter;
  filter.node_types = {"decision", "pattern"};
  expect_exactly(s, filter_query(filter), targets);
}

TEST_P(SearchFilterContract, CodebaseMustMatchExactly) {
  MemoryStore& s = bound_store();
  Memory in_scope = target();
  in_scope.codebase = "acme/vestige";
  const std::vector<Uuid> targets = store_decoys_and_targets(s,
                                                             [](Memory& m, int i) {
                                                               switch (i % 3) {
                                                                 case 0:
                                                                   m.codebase.reset();
                                                                   break;
                                                                 case 1:
                                                                   m.codebase = "acme/vestige-old";
                                                                   break;
                                                                 default:
                                                                   m.codebase = "ACME/VESTIGE";
                                                                   break;
                                                               }
                                                             },
                                                             {in_scope});

  SearchFilter filter;
  filter.codebase = "acme/vestige";
  expect_exactly(s, filter_query(filter), targets);
}

TEST_P(SearchFilterContract, MinRetrievabilityUsesTheQueryTime) {
  MemoryStore& s = bound_store();
  const Timestamp now = fixed_now();
  const double threshold = 0.9;
  // R(S = 10 days) is 0.9 after exactly 10 days: a day on either side of the
  // threshold.
  const double fresh_r = fsrs::retrievability(10.0, 9.0);
  const double stale_r = fsrs::retrievability(10.0, 11.0);
  ASSERT_GT(fresh_r, threshold);
  ASSERT_LT(stale_r, threshold);

  std::vector<Memory> decoys;
  for (int i = 0; i < kDecoys; ++i) decoys.push_back(s.insert(decoy()));
  for (const Memory& m : decoys) {
    s.upsert_scheduling(scheduling(m.id, 10.0, plus_days(now, -11), plus_days(now, -1)));
  }
  const Memory fresh = s.insert(target());
  s.upsert_scheduling(scheduling(fresh.id, 10.0, plus_days(now, -9), plus_days(now, 1)));
  const Memory unscheduled = s.insert(target());  // counts as 1.0
  std::vector<Uuid> targets = {fresh.id, unscheduled.id};
  std::sort(targets.begin(), targets.end());

  SearchFilter filter;
  filter.min_retrievability = threshold;
  const SearchQuery query = filter_query(filter);
  expect_exactly(s, query, targets);

  for (const SearchResult& r : s.hybrid_search(query)) {
    EXPECT_NEAR(r.retrievability, r.memory.id == fresh.id ? fresh_r : 1.0, 1e-9);
  }
  // The same memories a year earlier (every review in the future): all of
  // them count as fully retrievable, so the decoys win again.
  SearchQuery earlier = query;
  earlier.now = plus_days(now, -365);
  EXPECT_EQ(s.vector_search(earlier).size(), kLimit);
  EXPECT_EQ(std::ranges::count(ids_of(s.vector_search(earlier)), fresh.id), 0);
}

TEST_P(SearchFilterContract, SuppressedAreExcludedUnlessIncluded) {
  MemoryStore& s = bound_store();
  const std::vector<Uuid> targets =
      store_decoys_and_targets(s, [](Memory& m, int) { m.engine.suppressed = true; }, {target()});

  expect_exactly(s, filter_query({}), targets);

  SearchFilter include;
  include.include_suppressed = true;
  const SearchQuery query = filter_query(include);
  for (const auto& results :
       {s.text_search(query), s.vector_search(query), s.hybrid_search(query)}) {
    ASSERT_EQ(results.size(), kLimit);
    for (const SearchResult& r : results) EXPECT_TRUE(r.memory.engine.suppressed);
  }
}

TEST_P(SearchFilterContract, FiltersCombine) {
  MemoryStore& s = bound_store();
  Memory all = target();
  all.tags = {"red"};
  all.node_type = "decision";
  all.codebase = "acme/vestige";
  const std::vector<Uuid> targets = store_decoys_and_targets(s,
                                                             [](Memory& m, int i) {
                                                               // Each decoy passes all filters but
                                                               // one.
                                                               m.tags = {"red"};
                                                               m.node_type = "decision";
                                                               m.codebase = "acme/vestige";
                                                               switch (i % 4) {
                                                                 case 0:
                                                                   m.tags = {"blue"};
                                                                   break;
                                                                 case 1:
                                                                   m.node_type = "note";
                                                                   break;
                                                                 case 2:
                                                                   m.codebase = "acme/other";
                                                                   break;
                                                                 default:
                                                                   m.engine.suppressed = true;
                                                                   break;
                                                               }
                                                             },
                                                             {all});

  SearchFilter filter;
  filter.tags = {"red"};
  filter.node_types = {"decision"};
  filter.codebase = "acme/vestige";
  expect_exactly(s, filter_query(filter), targets);
}

}  // namespace
}  // namespace vestige::contract
