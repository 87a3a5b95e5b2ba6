#include "store/sqlite/search.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "store/sqlite/fts_query.h"
#include "store/sqlite/search_sql.h"
#include "store/sqlite/search_test_support.h"
#include "vestige/fsrs.h"

namespace vestige::sqlite {
namespace {

using test_support::insert_row;
using test_support::Row;
using test_support::test_id;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::vector<std::int64_t> seqs(const std::vector<SearchHit>& hits) {
  std::vector<std::int64_t> out;
  for (const SearchHit& h : hits) out.push_back(h.seq);
  return out;
}

SearchQuery text_query(std::string text, std::size_t limit = 10) {
  SearchQuery q;
  q.text = std::move(text);
  q.limit = limit;
  return q;
}

SearchQuery vector_query(std::vector<float> embedding, std::size_t limit = 10) {
  SearchQuery q;
  q.embedding = std::move(embedding);
  q.limit = limit;
  return q;
}

// ---- Words ------------------------------------------------------------------

TEST(FtsQueryTest, SplitsOnAnythingButLettersAndDigits) {
  EXPECT_THAT(search_words("Don't run-away; \"quoted\" *star* NEAR(a b) x:y"),
              ElementsAre("Don", "t", "run", "away", "quoted", "star", "NEAR", "a", "b", "x", "y"));
  EXPECT_THAT(search_words("café naïve"), ElementsAre("café", "naïve"));
  EXPECT_THAT(search_words("Cat cat CAT dog"), ElementsAre("Cat", "dog"));
  EXPECT_TRUE(search_words("  !?!- ''\"\" \\\\ ** ").empty());
}

TEST(FtsQueryTest, QuotesEveryWordAndOrsThem) {
  EXPECT_EQ(fts_match_expression("hello, world"), "\"hello\" OR \"world\"");
  EXPECT_EQ(fts_match_expression("AND"), "\"AND\"");
  EXPECT_EQ(fts_match_expression("***"), std::nullopt);
  // Stop words are dropped when other words remain, kept when they are all there is.
  EXPECT_EQ(fts_match_expression("What editor does the user like"),
            "\"editor\" OR \"user\" OR \"like\"");
  EXPECT_EQ(fts_match_expression("what is it"), "\"what\" OR \"is\" OR \"it\"");
}

// ---- Text branch ----------------------------------------------------------

class SearchTest : public test_support::SearchDatabaseTest {
 protected:
  std::int64_t add(Row row) { return insert_row(db_, row); }
  SqliteSearch search_{db_};
};

TEST_F(SearchTest, TextRanksDocumentsMatchingMoreWordsHigher) {
  const auto both = add({.id = test_id(1), .content = "the rust borrow checker rejects aliasing"});
  const auto one = add({.id = test_id(2), .content = "rust is a language"});
  add({.id = test_id(3), .content = "python has a garbage collector"});
  const auto hits = search_.text_search(text_query("borrow rust"));
  ASSERT_EQ(seqs(hits), (std::vector<std::int64_t>{both, one}));
  EXPECT_GT(*hits[0].text_score, *hits[1].text_score);
  EXPECT_GT(*hits[1].text_score, 0.0);
  EXPECT_EQ(hits[0].score, *hits[0].text_score);
  EXPECT_EQ(hits[0].text_rank, 1u);
  EXPECT_EQ(hits[1].text_rank, 2u);
  EXPECT_FALSE(hits[0].vector_rank.has_value());
}

TEST_F(SearchTest, TextMatchesStemsAndIgnoresCase) {
  const auto seq = add({.id = test_id(1), .content = "The service kept Running out of memory"});
  EXPECT_EQ(seqs(search_.text_search(text_query("runs"))), std::vector<std::int64_t>{seq});
  EXPECT_EQ(seqs(search_.text_search(text_query("RUN memories"))), std::vector<std::int64_t>{seq});
}

TEST_F(SearchTest, TextSearchesTypeAndTagsWithLowerWeight) {
  const auto in_content = add({.id = test_id(1), .content = "we made a decision about caching"});
  const auto in_type =
      add({.id = test_id(2), .content = "cache entries expire hourly", .node_type = "decision"});
  const auto in_tags = add({.id = test_id(3), .content = "cache sizes", .tags = {"decision"}});
  EXPECT_EQ(seqs(search_.text_search(text_query("decision"))),
            (std::vector<std::int64_t>{in_content, in_type, in_tags}));
}

TEST_F(SearchTest, HostileTextIsSearchedLiterally) {
  const auto near = add({.id = test_id(1), .content = "meet NEAR the station AND wait"});
  const auto quote = add({.id = test_id(2), .content = "he said \"don't\" twice"});
  const auto drop = add({.id = test_id(3), .content = "DROP TABLE students"});
  for (const std::string text : {"\"",
                                 "\"\"",
                                 "'",
                                 "'; DROP TABLE knowledge_nodes; --",
                                 "\\",
                                 "\\\"",
                                 "*",
                                 "a*",
                                 "NEAR",
                                 "NEAR(meet station)",
                                 "AND",
                                 "OR",
                                 "NOT",
                                 "(",
                                 ")",
                                 "content:meet",
                                 "^meet",
                                 "-meet",
                                 "{content}: meet",
                                 "\"unbalanced",
                                 "x\x01y",
                                 "🙂",
                                 "—",
                                 "%",
                                 "_"}) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(search_.text_search(text_query(text)));
    EXPECT_NO_THROW(search_.hybrid_search(text_query(text)));
  }
  EXPECT_EQ(seqs(search_.text_search(text_query("NEAR"))), std::vector<std::int64_t>{near});
  EXPECT_EQ(seqs(search_.text_search(text_query("AND"))), std::vector<std::int64_t>{near});
  EXPECT_EQ(seqs(search_.text_search(text_query("NEAR(meet station)"))),
            std::vector<std::int64_t>{near});
  EXPECT_EQ(seqs(search_.text_search(text_query("\"don't\""))), std::vector<std::int64_t>{quote});
  EXPECT_EQ(seqs(search_.text_search(text_query("'; DROP TABLE knowledge_nodes; --"))),
            std::vector<std::int64_t>{drop});
  // The table is still there, with everything in it.
  Statement count = db_.prepare("SELECT count(*) FROM knowledge_nodes");
  count.step();
  EXPECT_EQ(count.column_int64(0), 3);
}

TEST_F(SearchTest, TextWithoutWordsFindsNothing) {
  add({.id = test_id(1), .content = "anything at all"});
  EXPECT_TRUE(search_.text_search(text_query("?! -- ** \"\"")).empty());
  EXPECT_TRUE(search_.hybrid_search(text_query("...")).empty());
}

TEST_F(SearchTest, TextTiesAreBrokenById) {
  // Identical rows score identically; inserted in reverse id order.
  const auto third = add({.id = test_id(3), .content = "identical words here"});
  const auto second = add({.id = test_id(2), .content = "identical words here"});
  const auto first = add({.id = test_id(1), .content = "identical words here"});
  EXPECT_EQ(seqs(search_.text_search(text_query("identical"))),
            (std::vector<std::int64_t>{first, second, third}));
  EXPECT_EQ(seqs(search_.text_search(text_query("identical", 2))),
            (std::vector<std::int64_t>{first, second}));
}

// ---- Filters ----------------------------------------------------------------

TEST_F(SearchTest, FiltersApplyBeforeTheLimit) {
  // The best matches are filtered out; the limit still fills from the rest.
  add({.id = test_id(1), .content = "alpha alpha alpha", .node_type = "note"});
  add({.id = test_id(2), .content = "alpha alpha alpha", .node_type = "note"});
  const auto a = add({.id = test_id(3), .content = "alpha beta gamma delta", .node_type = "fact"});
  const auto b = add({.id = test_id(4), .content = "alpha beta gamma delta epsilon"});
  SearchQuery q = text_query("alpha", 2);
  q.filter.node_types = {"fact"};
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{a, b}));
}

TEST_F(SearchTest, TagFilterNeedsEveryTag) {
  const auto both = add({.id = test_id(1), .content = "topic", .tags = {"x", "y", "z"}});
  add({.id = test_id(2), .content = "topic", .tags = {"x"}});
  add({.id = test_id(3), .content = "topic"});
  const auto y_only = add({.id = test_id(4), .content = "topic", .tags = {"y"}});
  SearchQuery q = text_query("topic");
  q.filter.tags = {"y", "x"};
  EXPECT_EQ(seqs(search_.text_search(q)), std::vector<std::int64_t>{both});
  q.filter.tags = {"y"};
  EXPECT_THAT(seqs(search_.text_search(q)), UnorderedElementsAre(both, y_only));
  q.filter.tags = {"missing"};
  EXPECT_TRUE(search_.text_search(q).empty());
  // Tag text is compared whole, not as a pattern.
  q.filter.tags = {"%"};
  EXPECT_TRUE(search_.text_search(q).empty());
}

TEST_F(SearchTest, NodeTypeAndCodebaseFilters) {
  const auto fact_a = add({.id = test_id(1), .content = "topic", .codebase = "a"});
  const auto note_a =
      add({.id = test_id(2), .content = "topic", .node_type = "note", .codebase = "a"});
  const auto fact_b = add({.id = test_id(3), .content = "topic", .codebase = "b"});
  const auto pattern = add({.id = test_id(4), .content = "topic", .node_type = "pattern"});
  SearchQuery q = text_query("topic");
  q.filter.node_types = {"note", "pattern"};
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{note_a, pattern}));
  q.filter.node_types.clear();
  q.filter.codebase = "a";
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{fact_a, note_a}));
  q.filter.node_types = {"fact"};
  EXPECT_EQ(seqs(search_.text_search(q)), std::vector<std::int64_t>{fact_a});
  q.filter.codebase = "b";
  EXPECT_EQ(seqs(search_.text_search(q)), std::vector<std::int64_t>{fact_b});
}

TEST_F(SearchTest, SuppressedOnlyWhenAskedFor) {
  const auto shown = add({.id = test_id(1), .content = "topic"});
  const auto hidden = add({.id = test_id(2), .content = "topic", .suppressed = true});
  SearchQuery q = text_query("topic");
  EXPECT_EQ(seqs(search_.text_search(q)), std::vector<std::int64_t>{shown});
  q.filter.include_suppressed = true;
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{shown, hidden}));
}

TEST_F(SearchTest, RetrievabilityIsComputedAtTheQueryTime) {
  const Timestamp now = *parse_timestamp("2026-06-01T00:00:00Z");
  const auto fresh = add({.id = test_id(1), .content = "topic"});       // no scheduling: 1.0
  const auto recent = add({.id = test_id(2), .content = "topic"});      // 1 day at S = 10
  const auto old = add({.id = test_id(3), .content = "topic"});         // 100 days at S = 1
  const auto unreviewed = add({.id = test_id(4), .content = "topic"});  // scheduled, never reviewed
  test_support::schedule(db_, test_id(2), 10.0, now - std::chrono::days(1));
  test_support::schedule(db_, test_id(3), 1.0, now - std::chrono::days(100));
  test_support::schedule(db_, test_id(4), 1.0, std::nullopt);
  const double r_recent = fsrs::retrievability(10.0, 1.0);
  const double r_old = fsrs::retrievability(1.0, 100.0);
  ASSERT_GT(r_recent, 0.9);
  ASSERT_LT(r_old, 0.5);

  SearchQuery q = text_query("topic");
  q.now = now;
  const auto all = search_.text_search(q);
  ASSERT_EQ(all.size(), 4u);
  for (const SearchHit& h : all) {
    const double expected = h.seq == recent ? r_recent : h.seq == old ? r_old : 1.0;
    EXPECT_NEAR(h.retrievability, expected, 1e-12) << h.seq;
  }
  q.filter.min_retrievability = 0.9;
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{fresh, recent, unreviewed}));
  // A year later the recent one has decayed below the bar too.
  q.now = now + std::chrono::days(365);
  EXPECT_EQ(seqs(search_.text_search(q)), (std::vector<std::int64_t>{fresh, unreviewed}));
  q.filter.min_retrievability = 0.0;
  EXPECT_EQ(search_.text_search(q).size(), 4u);
}

TEST_F(SearchTest, VectorBranchAppliesTheSameFilters) {
  test_support::register_dimension(db_, 2);
  const auto near_note = add({.id = test_id(1),
                              .content = "a",
                              .node_type = "note",
                              .embedding = std::vector<float>{1, 0}});
  const auto near_tagged = add({.id = test_id(2),
                                .content = "b",
                                .tags = {"keep"},
                                .embedding = std::vector<float>{1, 0.1f}});
  const auto far_tagged = add(
      {.id = test_id(3), .content = "c", .tags = {"keep"}, .embedding = std::vector<float>{0, 1}});
  add({.id = test_id(4),
       .content = "d",
       .tags = {"keep"},
       .embedding = std::vector<float>{1, 0.05f},
       .suppressed = true});
  SearchQuery q = vector_query({1, 0}, 2);
  EXPECT_EQ(seqs(search_.vector_search(q)), (std::vector<std::int64_t>{near_note, near_tagged}));
  q.filter.tags = {"keep"};
  EXPECT_EQ(seqs(search_.vector_search(q)), (std::vector<std::int64_t>{near_tagged, far_tagged}));
  q.filter.tags.clear();
  q.filter.node_types = {"note"};
  EXPECT_EQ(seqs(search_.vector_search(q)), std::vector<std::int64_t>{near_note});
}

// ---- Vector branch ----------------------------------------------------------

TEST_F(SearchTest, VectorSearchReturnsCosineSimilarityAndDistance) {
  test_support::register_dimension(db_, 3);
  const auto same =
      add({.id = test_id(1), .content = "a", .embedding = std::vector<float>{2, 0, 0}});
  const auto diagonal =
      add({.id = test_id(2), .content = "b", .embedding = std::vector<float>{1, 1, 0}});
  const auto opposite =
      add({.id = test_id(3), .content = "c", .embedding = std::vector<float>{-1, 0, 0}});
  add({.id = test_id(4), .content = "no vector"});
  const auto hits = search_.vector_search(vector_query({1, 0, 0}));
  ASSERT_EQ(seqs(hits), (std::vector<std::int64_t>{same, diagonal, opposite}));
  EXPECT_NEAR(*hits[0].vector_distance, 0.0, 1e-7);
  EXPECT_NEAR(*hits[1].vector_distance, 1.0 - std::sqrt(0.5), 1e-7);
  EXPECT_NEAR(*hits[2].vector_distance, 2.0, 1e-7);
  EXPECT_NEAR(hits[1].score, std::sqrt(0.5), 1e-7);
  EXPECT_EQ(hits[2].vector_rank, 3u);
  EXPECT_FALSE(hits[0].text_rank.has_value());
}

TEST_F(SearchTest, VectorTiesAreBrokenByIdNotInsertionOrder) {
  test_support::register_dimension(db_, 2);
  std::vector<std::int64_t> by_id(6);
  for (int n = 6; n >= 1; --n) {  // seq order is the reverse of id order
    by_id[n - 1] = add({.id = test_id(n), .content = "x", .embedding = std::vector<float>{1, 1}});
  }
  EXPECT_EQ(seqs(search_.vector_search(vector_query({1, 1}, 3))),
            (std::vector<std::int64_t>{by_id[0], by_id[1], by_id[2]}));
}

TEST_F(SearchTest, VectorSearchWithoutVectorsFindsNothing) {
  add({.id = test_id(1), .content = "text only"});
  EXPECT_TRUE(search_.vector_search(vector_query({1, 0})).empty());
}

TEST_F(SearchTest, FilteredVectorSearchOverALargeIndexIsExact) {
  // Large enough for the graph search; the filter passes one memory in 40,
  // so the search has to widen several times.
  constexpr int kCount = 2600;
  constexpr int kDimension = 16;
  test_support::register_dimension(db_, kDimension);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> vectors;
  std::vector<std::int64_t> seq_of;
  {
    WriteTransaction txn(db_);
    for (int n = 1; n <= kCount; ++n) {
      std::vector<float> v(kDimension);
      for (float& x : v) x = normal(rng);
      vectors.push_back(v);
      std::vector<std::string> tags;
      if (n % 40 == 0) tags.push_back("rare");
      seq_of.push_back(add({.id = test_id(n), .content = "m", .tags = tags, .embedding = v}));
    }
    txn.commit();
  }
  std::vector<float> query(kDimension);
  for (float& x : query) x = normal(rng);
  std::vector<std::pair<double, std::int64_t>> expected;
  for (int n = 40; n <= kCount; n += 40) {
    const auto& v = vectors[n - 1];
    double dot = 0, nv = 0, nq = 0;
    for (int i = 0; i < kDimension; ++i) {
      dot += double(v[i]) * query[i];
      nv += double(v[i]) * v[i];
      nq += double(query[i]) * query[i];
    }
    expected.emplace_back(1.0 - dot / std::sqrt(nv * nq), seq_of[n - 1]);
  }
  std::sort(expected.begin(), expected.end());
  SearchQuery q = vector_query(query, 5);
  q.filter.tags = {"rare"};
  const auto hits = search_.vector_search(q);
  ASSERT_EQ(hits.size(), 5u);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    EXPECT_EQ(hits[i].seq, expected[i].second);
    EXPECT_NEAR(*hits[i].vector_distance, expected[i].first, 1e-6);
  }
}

// ---- Hybrid -----------------------------------------------------------------

TEST_F(SearchTest, HybridFusesRanksWithWeightedRrf) {
  test_support::register_dimension(db_, 2);
  // Text ranks: A 1 (two words), B 2, C absent. Vector ranks: C 1, B 2, A 3.
  const auto a =
      add({.id = test_id(1), .content = "apple banana", .embedding = std::vector<float>{0, 1}});
  const auto b = add({.id = test_id(2), .content = "apple", .embedding = std::vector<float>{1, 1}});
  const auto c =
      add({.id = test_id(3), .content = "cherry", .embedding = std::vector<float>{1, 0}});
  SearchQuery q;
  q.text = "apple banana";
  q.embedding = std::vector<float>{1, 0};
  q.rrf_k = 10;
  q.text_weight = 2.0;
  q.vector_weight = 1.0;
  const auto hits = search_.hybrid_search(q);
  // A: 2/11 + 1/13 = 0.25874; B: 2/12 + 1/12 = 0.25; C: 1/11 = 0.0909.
  ASSERT_EQ(seqs(hits), (std::vector<std::int64_t>{a, b, c}));
  EXPECT_DOUBLE_EQ(hits[0].score, 2.0 / 11 + 1.0 / 13);
  EXPECT_DOUBLE_EQ(hits[1].score, 2.0 / 12 + 1.0 / 12);
  EXPECT_DOUBLE_EQ(hits[2].score, 1.0 / 11);
  EXPECT_EQ(hits[0].text_rank, 1u);
  EXPECT_EQ(hits[0].vector_rank, 3u);
  EXPECT_EQ(hits[1].text_rank, 2u);
  EXPECT_EQ(hits[1].vector_rank, 2u);
  EXPECT_FALSE(hits[2].text_rank.has_value());
  EXPECT_EQ(hits[2].vector_rank, 1u);
  EXPECT_TRUE(hits[0].text_score.has_value());
  EXPECT_TRUE(hits[0].vector_distance.has_value());

  // Weighting the vector branch up reorders: C: 4/11, B: 2/12 + 4/12, A: 2/11 + 4/13.
  q.vector_weight = 4.0;
  EXPECT_EQ(seqs(search_.hybrid_search(q)), (std::vector<std::int64_t>{b, a, c}));
  q.limit = 1;
  EXPECT_EQ(seqs(search_.hybrid_search(q)), std::vector<std::int64_t>{b});
}

TEST_F(SearchTest, HybridTiesAreBrokenById) {
  test_support::register_dimension(db_, 2);
  // X is first in text and second in vectors, Y the other way round: equal
  // fused scores.
  const auto y =
      add({.id = test_id(2), .content = "word word", .embedding = std::vector<float>{1, 0.5f}});
  const auto x = add({.id = test_id(1), .content = "word", .embedding = std::vector<float>{1, 0}});
  SearchQuery q;
  q.text = "word";
  q.embedding = std::vector<float>{1, 0};
  const auto hits = search_.hybrid_search(q);
  ASSERT_EQ(hits.size(), 2u);
  ASSERT_EQ(hits[0].score, hits[1].score);
  EXPECT_EQ(seqs(hits), (std::vector<std::int64_t>{x, y}));
}

TEST_F(SearchTest, HybridFallsBackToASingleBranch) {
  test_support::register_dimension(db_, 2);
  const auto a = add({.id = test_id(1), .content = "apple", .embedding = std::vector<float>{0, 1}});
  const auto b = add({.id = test_id(2), .content = "pear", .embedding = std::vector<float>{1, 0}});
  SearchQuery text_only = text_query("apple");
  const auto t = search_.hybrid_search(text_only);
  ASSERT_EQ(seqs(t), std::vector<std::int64_t>{a});
  EXPECT_DOUBLE_EQ(t[0].score, 1.0 / 61);
  SearchQuery vector_only = vector_query({1, 0});
  vector_only.text = "!!";
  const auto v = search_.hybrid_search(vector_only);
  ASSERT_EQ(seqs(v), (std::vector<std::int64_t>{b, a}));
  EXPECT_DOUBLE_EQ(v[0].score, 1.0 / 61);
  EXPECT_DOUBLE_EQ(v[1].score, 1.0 / 62);
}

TEST_F(SearchTest, HybridFiltersBothBranches) {
  test_support::register_dimension(db_, 2);
  add({.id = test_id(1),
       .content = "apple",
       .codebase = "x",
       .embedding = std::vector<float>{1, 0}});
  const auto keep = add({.id = test_id(2),
                         .content = "pear",
                         .codebase = "y",
                         .embedding = std::vector<float>{0, 1}});
  SearchQuery q = vector_query({1, 0});
  q.text = "apple pear";
  q.filter.codebase = "y";
  EXPECT_EQ(seqs(search_.hybrid_search(q)), std::vector<std::int64_t>{keep});
}

TEST_F(SearchTest, LimitZeroFindsNothing) {
  add({.id = test_id(1), .content = "apple"});
  EXPECT_TRUE(search_.text_search(text_query("apple", 0)).empty());
  EXPECT_TRUE(search_.hybrid_search(text_query("apple", 0)).empty());
}

// ---- Ranking in the in-memory text index ----------------------------------

// A corpus with a Zipf vocabulary: a few words in most memories, many in a
// handful.
class LargeTextSearchTest : public SearchTest {
 protected:
  static constexpr int kMemories = 6000;

  LargeTextSearchTest() {
    std::mt19937 rng(7);
    for (int i = 0; i < 400; ++i) vocabulary_.push_back(fmt::format("w{}x", i));
    std::vector<double> weights;
    for (int i = 0; i < 400; ++i) weights.push_back(1.0 / (i + 1));
    std::discrete_distribution<int> zipf(weights.begin(), weights.end());
    std::uniform_int_distribution<int> length(3, 25);
    db_.exec("BEGIN");
    for (int i = 1; i <= kMemories; ++i) {
      std::string content;
      for (int n = length(rng); n > 0; --n) content += vocabulary_[zipf(rng)] + " ";
      add({.id = test_id(i),
           .content = content,
           .node_type = i % 5 == 0 ? "decision" : "fact",
           .tags = i % 3 == 0 ? std::vector<std::string>{"w2x"} : std::vector<std::string>{},
           .codebase = i % 2 == 0 ? std::optional<std::string>("a") : std::nullopt});
    }
    // Deleted and rewritten memories leave tombstones in the index, which
    // the vocabulary's counts must see through.
    for (int i = 10; i <= kMemories; i += 97) test_support::delete_row(db_, test_id(i));
    Statement rewrite = db_.prepare("UPDATE knowledge_nodes SET content = ?1 WHERE id = ?2");
    rewrite.bind(1, "w399x w398x w0x").bind(2, test_id(11)).run();
    db_.exec("COMMIT");
  }

  // What the plain statement (bm25 over every match) returns.
  std::vector<std::pair<std::int64_t, double>> plain(const SearchQuery& q) {
    std::vector<std::pair<std::int64_t, double>> out;
    const std::optional<std::string> match = fts_match_expression(q.text);
    if (!match) return out;
    Statement select = db_.prepare(text_search_sql());
    select.bind(select.parameter_index(":match"), *match);
    select.bind(select.parameter_index(":limit"), static_cast<std::int64_t>(q.limit));
    bind_filter(select, q.filter, *q.now);
    while (select.step()) out.emplace_back(select.column_int64(0), select.column_double(2));
    return out;
  }

  void expect_same_as_plain(SearchQuery q) { expect_same_as_plain(search_, std::move(q)); }

  void expect_same_as_plain(SqliteSearch& search, SearchQuery q) {
    q.now = parse_timestamp("2026-06-01T00:00:00.000000Z");
    const auto expected = plain(q);
    const auto hits = search.text_search(q);
    ASSERT_EQ(hits.size(), expected.size()) << q.text;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      EXPECT_EQ(hits[i].seq, expected[i].first) << q.text << " at " << i;
      // The same arithmetic in the same order: the same bits.
      EXPECT_EQ(*hits[i].text_score, expected[i].second) << q.text << " at " << i;
    }
  }

  std::vector<std::string> vocabulary_;
  SqliteSearch search_{db_};
};

TEST_F(LargeTextSearchTest, RanksAsFts5Bm25OverEveryMatch) {
  const std::vector<std::string> texts = {
      "w0x w1x w150x",                       // common words and a rare one
      "w0x w1x w2x w3x",                     // only common words
      "w0x w1x nosuchword",                  // the rare word matches nothing
      "w399x w398x w0x",                     // rare words, one memory rewritten to hold them all
      "w5x w40x w41x w42x w300x",            // a spread of frequencies
      "w1x w7x w7x w0x",                     // a repeated word
      "w0x w2x caf\xc3\xa9\xe2\x80\x94w3x",  // a word the tokenizer splits in two
      "w10x w11x",
      "w100x w0x w1x w2x w3x w4x",
  };
  for (const std::string& text : texts) {
    for (const std::size_t limit : {1, 10, 30, 500}) {
      SearchQuery q = text_query(text, limit);
      expect_same_as_plain(q);
      q.filter.codebase = "a";
      expect_same_as_plain(q);
      q.filter.tags = {"w2x"};
      q.filter.node_types = {"decision"};
      expect_same_as_plain(q);
    }
  }
}

TEST_F(LargeTextSearchTest, RandomQueriesAgreeWithScoringEveryMatch) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> word(0, 399), common(0, 9), count(2, 6);
  for (int n = 0; n < 60; ++n) {
    std::string text;
    for (int k = count(rng); k > 0; --k) {
      text += vocabulary_[static_cast<std::size_t>(k % 2 == 0 ? common(rng) : word(rng))] + " ";
    }
    SearchQuery q = text_query(text, n % 2 == 0 ? 10 : 30);
    if (n % 3 == 0) q.filter.codebase = "a";
    expect_same_as_plain(q);
  }
}

TEST_F(LargeTextSearchTest, SelectiveFiltersStayExact) {
  // Few of the best matches pass, so the search checks batch after batch.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> word(0, 399), count(2, 5);
  for (int n = 0; n < 30; ++n) {
    std::string text;
    for (int k = count(rng); k > 0; --k)
      text += vocabulary_[static_cast<std::size_t>(word(rng))] + " ";
    SearchQuery q = text_query(text, n % 2 == 0 ? 5 : 30);
    if (n % 3 != 0) q.filter.codebase = "a";
    if (n % 3 == 2) q.filter.tags = {"w2x"};
    if (n % 5 == 0) q.filter.node_types = {"decision"};
    expect_same_as_plain(q);
  }
}

TEST_F(LargeTextSearchTest, CommonWordsAreRankedOverEveryMatch) {
  // Words most memories hold: every one of their matches is scored.
  for (const std::string text : {"w0x w1x", "w0x w1x w2x w3x", "w1x"}) {
    for (const std::size_t limit : {1, 20, 4000}) {
      SearchQuery q = text_query(text, limit);
      expect_same_as_plain(q);
      q.filter.codebase = "a";
      q.filter.node_types = {"decision"};
      expect_same_as_plain(q);
    }
  }
}

TEST_F(LargeTextSearchTest, FollowsRewritesAndCompactsWithoutChangingScores) {
  const SearchQuery q = text_query("w0x w3x w17x w250x", 50);
  expect_same_as_plain(q);
  // Rewrite a third of the memories: enough dead postings to compact.
  db_.exec("BEGIN");
  Statement rewrite = db_.prepare("UPDATE knowledge_nodes SET content = ?1 WHERE id = ?2");
  for (int i = 1; i <= kMemories; i += 3) {
    rewrite.reset();
    rewrite.bind(1, fmt::format("w250x w{}x w0x", i % 400)).bind(2, test_id(i)).run();
  }
  db_.exec("COMMIT");
  expect_same_as_plain(q);
  expect_same_as_plain(text_query("w250x", 100));
}

TEST_F(LargeTextSearchTest, RebuildsWhenTheLogCannotTakeItForward) {
  const SearchQuery q = text_query("w0x freshword w1x", 10);
  expect_same_as_plain(q);
  Database other = open_another();
  insert_row(other, {.id = test_id(kMemories + 1), .content = "freshword w0x"});
  // A maintenance job pruned the log past this connection's position.
  other.exec("DELETE FROM text_log");
  insert_row(other, {.id = test_id(kMemories + 2), .content = "freshword w1x"});
  const auto hits = search_.text_search(q);
  ASSERT_GE(hits.size(), 2u);
  expect_same_as_plain(q);
}

TEST_F(LargeTextSearchTest, CachedStatementsSeeWritesFromAnotherConnection) {
  const SearchQuery q = text_query("w0x freshword w1x");
  search_.text_search(q);  // prepares, caches and resets the statements
  Database other = open_another();
  const std::int64_t fresh =
      insert_row(other, {.id = test_id(kMemories + 1), .content = "freshword w0x w1x"});
  const auto hits = search_.text_search(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().seq, fresh);
  // The index's counts and lengths follow the write too.
  expect_same_as_plain(q);
  test_support::delete_row(other, test_id(kMemories + 1));
  const auto after = search_.text_search(q);
  EXPECT_TRUE(
      std::none_of(after.begin(), after.end(), [&](const SearchHit& h) { return h.seq == fresh; }));
  expect_same_as_plain(q);
}

}  // namespace
}  // namespace vestige::sqlite
