// Contract: text_search, vector_search and hybrid_search (ranking, scores,
// fusion, limit, tie-break). Filters are in store_contract_search_filters.cc.

#include <algorithm>
#include <cmath>
#include <string>

#include "store_contract.h"
#include "vestige/fsrs.h"

namespace vestige::contract {
namespace {

// Cosine similarity of the floats as stored, computed in double.
double cosine(const Embedding& a, const Embedding& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * double{b[i]};
    na += double{a[i]} * double{a[i]};
    nb += double{b[i]} * double{b[i]};
  }
  return dot / std::sqrt(na * nb);
}

// Memories that match no query of this file. Full-text relevance (BM25 and
// kin) weighs a word by how rare it is; without these, a word found in most
// memories has a weight near zero and rankings become fragile.
void add_unrelated_memories(MemoryStore& store, int n = 15) {
  for (int i = 0; i < n; ++i) {
    store.insert(memory("unrelated memory number " + std::to_string(i) + " about teapots"));
  }
}

// The properties every result list shares: best first, ranks of the branch
// consecutive from 1, no embeddings.
void expect_well_formed(const std::vector<SearchResult>& results) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE("result " + std::to_string(i));
    EXPECT_FALSE(results[i].memory.embedding.has_value()) << "results carry no embedding";
    if (i > 0) {
      EXPECT_GE(results[i - 1].score, results[i].score) << "not best first";
    }
  }
}

TEST_P(SearchContract, TextSearchFindsByWordsWithStemming) {
  add_unrelated_memories(store());
  const Memory runs = store().insert(memory("The dog runs along the beach every morning"));
  const Memory running = store().insert(memory("Running shoes for the marathon"));
  store().insert(memory("Cats sleep most of the day"));

  const std::vector<SearchResult> results = store().text_search(text_query("running"));

  std::vector<Uuid> found = ids_of(results);
  std::sort(found.begin(), found.end());
  std::vector<Uuid> expected = {runs.id, running.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected) << "\"running\" must find \"runs\" (stemming) and nothing else";
  expect_well_formed(results);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].text_rank, i + 1);
    ASSERT_TRUE(results[i].text_score.has_value());
    EXPECT_DOUBLE_EQ(results[i].score, *results[i].text_score);
    EXPECT_FALSE(results[i].vector_rank.has_value());
    EXPECT_DOUBLE_EQ(results[i].retrievability, 1.0);
  }
  EXPECT_EQ(ids_of(store().text_search(text_query("CATS"))).size(), 1u);
  EXPECT_TRUE(store().text_search(text_query("giraffe")).empty());
}

TEST_P(SearchContract, TextSearchRanksTheStrongerMatchFirst) {
  add_unrelated_memories(store());
  const Memory weak = store().insert(
      memory("a long note that mentions the otter once among many other unrelated words"));
  const Memory strong = store().insert(memory("otter otter otter"));

  const std::vector<SearchResult> results = store().text_search(text_query("otter"));

  EXPECT_EQ(ids_of(results), (std::vector<Uuid>{strong.id, weak.id}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_GT(results[0].score, results[1].score);
}

TEST_P(SearchContract, TextSearchTakesHostileStringsLiterally) {
  const Memory target =
      store().insert(memory("alpha beta gamma content and or not near drop table"));

  // Every word of these is in the memory, so under either reading of several
  // words (all of them or any of them) the memory is found.
  const std::vector<std::string> matching = {"\"alpha\"",
                                             "alpha\"",
                                             "\"alpha beta",
                                             "alpha*",
                                             "alpha AND beta",
                                             "alpha OR beta",
                                             "NOT alpha",
                                             "alpha NOT beta",
                                             "NEAR(alpha beta)",
                                             "NEAR(alpha beta, gamma)",
                                             "content:alpha",
                                             "{content}: alpha",
                                             "^alpha",
                                             "-alpha",
                                             "+alpha",
                                             "alpha -beta",
                                             "(alpha)",
                                             "{alpha beta}",
                                             "[alpha]",
                                             "alpha:*",
                                             "alpha & beta | !gamma",
                                             "alpha <-> beta",
                                             "'; DROP TABLE alpha; --",
                                             "alpha\\",
                                             "alpha\\\"",
                                             "ALPHA",
                                             "alpha,beta"};
  for (const std::string& text : matching) {
    SCOPED_TRACE(text);
    std::vector<SearchResult> results;
    EXPECT_NO_THROW(results = store().text_search(text_query(text)));
    EXPECT_EQ(ids_of(results), std::vector<Uuid>{target.id});
  }

  // These have at most stop words or no word of the memory; they must run
  // without an error.
  const std::vector<std::string> others = {"\"",         "'",
                                           "*",          "\\",
                                           "(",          ")",
                                           "NEAR(",      "AND",
                                           "OR",         "NOT",
                                           ":",          "^",
                                           "%",          "_",
                                           "''",         "'; DROP TABLE knowledge_nodes; --",
                                           "日本語",     "🧠",
                                           "naïve café", "a'b",
                                           "x\"y\"z",    std::string(2000, 'a'),
                                           "zeta OR",    "AND zeta",
                                           "zeta NOT",   "zeta*:*"};
  for (const std::string& text : others) {
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(store().text_search(text_query(text)));
  }
  EXPECT_EQ(memory_count(store()), 1);
  EXPECT_TRUE(store().get(target.id).has_value());
}

TEST_P(SearchContract, TextSearchFindsUnicodeWords) {
  const Memory cafe = store().insert(memory("Rendez-vous au café naïve à Zürich"));
  store().insert(memory("nothing in common"));
  EXPECT_EQ(ids_of(store().text_search(text_query("Zürich"))), std::vector<Uuid>{cafe.id});
}

TEST_P(SearchContract, TextSearchOfEmptyTextIsInvalidInput) {
  store().insert(memory("something to find"));
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().text_search(text_query("")); }));
}

TEST_P(SearchContract, TextSearchOfTextWithoutWordsFindsNothing) {
  store().insert(memory("punctuation does not match this"));
  for (const std::string text : {"?!", "*", "\"\"", "()", "-- ;", "..."}) {
    SCOPED_TRACE(text);
    std::vector<SearchResult> results;
    EXPECT_NO_THROW(results = store().text_search(text_query(text)));
    EXPECT_TRUE(results.empty());
  }
}

// "what is it" holds only words that stemming search configurations drop as
// stop words; it still finds the memories that say those words.
TEST_P(SearchContract, AQueryOfOnlyCommonWordsFindsTheMemoriesThatSayThem) {
  const Memory asked = store().insert(memory("What is it that we deploy on Fridays?"));
  store().insert(memory("deploys run at noon"));
  EXPECT_EQ(ids_of(store().text_search(text_query("what is it"))), std::vector<Uuid>{asked.id});
  EXPECT_EQ(ids_of(store().hybrid_search(text_query("What IS it?"))), std::vector<Uuid>{asked.id});
}

TEST_P(SearchContract, VectorSearchRanksByCosineSimilarity) {
  MemoryStore& s = bound_store();
  // Ordered by cosine: far_but_aligned, near_but_skewed, orthogonal, opposite.
  // By Euclidean distance near_but_skewed would come first.
  const Embedding query = vec({1});
  const Memory far_but_aligned = s.insert(memory("far but aligned", vec({10, 2})));
  const Memory near_but_skewed = s.insert(memory("near but skewed", vec({0.6f, 0.6f})));
  const Memory orthogonal = s.insert(memory("orthogonal", vec({0, 0, 1})));
  const Memory opposite = s.insert(memory("opposite", vec({-1, 0.1f})));
  s.insert(memory("no vector at all"));

  const std::vector<SearchResult> results = s.vector_search(vector_query(query));

  EXPECT_EQ(ids_of(results), (std::vector<Uuid>{far_but_aligned.id, near_but_skewed.id,
                                                orthogonal.id, opposite.id}));
  expect_well_formed(results);
  const std::vector<Embedding> stored = {*far_but_aligned.embedding, *near_but_skewed.embedding,
                                         *orthogonal.embedding, *opposite.embedding};
  for (std::size_t i = 0; i < std::min(results.size(), stored.size()); ++i) {
    SCOPED_TRACE(results[i].memory.content);
    const double similarity = cosine(query, stored[i]);
    EXPECT_NEAR(results[i].score, similarity, 1e-5);
    ASSERT_TRUE(results[i].vector_distance.has_value());
    EXPECT_NEAR(*results[i].vector_distance, 1.0 - similarity, 1e-5);
    EXPECT_EQ(results[i].vector_rank, i + 1);
    EXPECT_FALSE(results[i].text_rank.has_value());
    EXPECT_DOUBLE_EQ(results[i].retrievability, 1.0);
  }
}

TEST_P(SearchContract, HybridRanksAMemoryFoundByBothBranchesFirst) {
  MemoryStore& s = bound_store();
  add_unrelated_memories(s);
  const Memory text_only = s.insert(memory("heron heron heron"));
  const Memory both =
      s.insert(memory("a heron among many other words that weaken its text score", vec({1})));
  const Memory vector_only = s.insert(memory("unrelated words entirely", at_angle(0.5)));

  const std::vector<SearchResult> results = s.hybrid_search(hybrid_query("heron", vec({1})));

  ASSERT_EQ(ids_of(results), (std::vector<Uuid>{both.id, text_only.id, vector_only.id}));
  expect_well_formed(results);
  EXPECT_EQ(results[0].text_rank, 2u);
  EXPECT_EQ(results[0].vector_rank, 1u);
  EXPECT_DOUBLE_EQ(results[0].score, 1.0 / (60 + 2) + 1.0 / (60 + 1));
  EXPECT_EQ(results[1].text_rank, 1u);
  EXPECT_FALSE(results[1].vector_rank.has_value());
  EXPECT_DOUBLE_EQ(results[1].score, 1.0 / (60 + 1));
  EXPECT_FALSE(results[2].text_rank.has_value());
  EXPECT_EQ(results[2].vector_rank, 2u);
  EXPECT_DOUBLE_EQ(results[2].score, 1.0 / (60 + 2));
  ASSERT_TRUE(results[0].text_score.has_value());
  ASSERT_TRUE(results[0].vector_distance.has_value());
  EXPECT_NEAR(*results[0].vector_distance, 0.0, 1e-5);
}

TEST_P(SearchContract, HybridAppliesBranchWeightsAndK) {
  MemoryStore& s = bound_store();
  add_unrelated_memories(s);
  const Memory text_only = s.insert(memory("heron heron heron"));
  const Memory both =
      s.insert(memory("a heron among many other words that weaken its text score", vec({1})));
  const Memory vector_only = s.insert(memory("unrelated words entirely", at_angle(0.5)));
  SearchQuery query = hybrid_query("heron", vec({1}));
  query.text_weight = 2.0;
  query.vector_weight = 0.5;
  query.rrf_k = 10;

  const std::vector<SearchResult> results = s.hybrid_search(query);

  // both: 2/12 + 0.5/11 = 0.212, text_only: 2/11 = 0.182, vector_only: 0.5/12 = 0.042.
  ASSERT_EQ(ids_of(results), (std::vector<Uuid>{both.id, text_only.id, vector_only.id}));
  EXPECT_DOUBLE_EQ(results[0].score, 2.0 / (10 + 2) + 0.5 / (10 + 1));
  EXPECT_DOUBLE_EQ(results[1].score, 2.0 / (10 + 1));
  EXPECT_DOUBLE_EQ(results[2].score, 0.5 / (10 + 2));
}

TEST_P(SearchContract, HybridBreaksEqualFusedScoresById) {
  MemoryStore& s = bound_store();
  add_unrelated_memories(s);
  const std::vector<Uuid> ids = ascending_ids(2);
  // text_first is first by text, second by vector; vector_first the other way
  // round: equal fused scores, so the smaller id (vector_first) comes first.
  Memory text_first = memory("osprey osprey osprey", at_angle(0.3));
  text_first.id = ids[1];
  Memory vector_first = memory("an osprey and several other words to dilute it", vec({1}));
  vector_first.id = ids[0];
  s.insert(text_first);
  s.insert(vector_first);

  const std::vector<SearchResult> results = s.hybrid_search(hybrid_query("osprey", vec({1})));

  ASSERT_EQ(ids_of(results), ids);
  EXPECT_EQ(results[0].score, results[1].score);
  EXPECT_EQ(results[0].text_rank, 2u);
  EXPECT_EQ(results[1].text_rank, 1u);
}

TEST_P(SearchContract, EqualScoresAreOrderedById) {
  MemoryStore& s = bound_store();
  const std::vector<Uuid> ids = ascending_ids(6);
  // Inserted in descending id order so that insertion order is the wrong answer.
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    Memory m = memory("identical twin text", vec({0.5f, 0.5f}));
    m.id = *it;
    s.insert(m);
  }

  EXPECT_EQ(ids_of(s.text_search(text_query("twin"))), ids);
  EXPECT_EQ(ids_of(s.vector_search(vector_query(vec({1})))), ids);
  EXPECT_EQ(ids_of(s.hybrid_search(hybrid_query("twin", vec({1})))), ids);
  const std::vector<Uuid> first_three(ids.begin(), ids.begin() + 3);
  EXPECT_EQ(ids_of(s.text_search(text_query("twin", 3))), first_three);
  EXPECT_EQ(ids_of(s.vector_search(vector_query(vec({1}), 3))), first_three);
  EXPECT_EQ(ids_of(s.hybrid_search(hybrid_query("twin", vec({1}), 3))), first_three);
}

TEST_P(SearchContract, LimitIsHonouredAndGivesThePrefixOfALongerList) {
  MemoryStore& s = bound_store();
  add_unrelated_memories(s);
  for (int i = 0; i < 12; ++i) {
    // Word count and angle grow with i, so each branch has a strict order.
    std::string content = "puffin";
    for (int j = 0; j < i; ++j) content += " filler" + std::to_string(j);
    s.insert(memory(content, at_angle(0.1 * i)));
  }

  for (std::size_t limit : {1u, 5u, 12u}) {
    SCOPED_TRACE(limit);
    const auto all_text = ids_of(s.text_search(text_query("puffin", 20)));
    const auto all_vector = ids_of(s.vector_search(vector_query(vec({1}), 20)));
    const auto all_hybrid = ids_of(s.hybrid_search(hybrid_query("puffin", vec({1}), 20)));
    ASSERT_EQ(all_text.size(), 12u);
    ASSERT_EQ(all_vector.size(), 12u);
    ASSERT_EQ(all_hybrid.size(), 12u);
    const auto prefix = [&](const std::vector<Uuid>& v) {
      return std::vector<Uuid>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(limit));
    };
    EXPECT_EQ(ids_of(s.text_search(text_query("puffin", limit))), prefix(all_text));
    EXPECT_EQ(ids_of(s.vector_search(vector_query(vec({1}), limit))), prefix(all_vector));
    EXPECT_EQ(ids_of(s.hybrid_search(hybrid_query("puffin", vec({1}), limit))), prefix(all_hybrid));
  }
}

TEST_P(SearchContract, HybridWithoutEmbeddingIsTheTextBranch) {
  MemoryStore& s = bound_store();
  s.insert(memory("kestrel kestrel", vec({1})));
  s.insert(memory("a kestrel hovering over the field", vec({0, 1})));
  s.insert(memory("a kestrel without a vector"));
  s.insert(memory("no matching word", vec({1})));

  SearchQuery query = text_query("kestrel");
  const std::vector<SearchResult> hybrid = s.hybrid_search(query);

  EXPECT_EQ(ids_of(hybrid), ids_of(s.text_search(query)));
  EXPECT_EQ(hybrid.size(), 3u);
  for (const SearchResult& r : hybrid) {
    EXPECT_TRUE(r.text_rank.has_value());
    EXPECT_FALSE(r.vector_rank.has_value());
  }
  expect_well_formed(hybrid);
}

TEST_P(SearchContract, HybridWithEmptyTextIsTheVectorBranch) {
  MemoryStore& s = bound_store();
  s.insert(memory("first", vec({1})));
  s.insert(memory("second", at_angle(0.4)));
  s.insert(memory("third", at_angle(0.9)));
  s.insert(memory("no vector"));

  const SearchQuery query = vector_query(vec({1}));
  const std::vector<SearchResult> hybrid = s.hybrid_search(query);

  EXPECT_EQ(ids_of(hybrid), ids_of(s.vector_search(query)));
  EXPECT_EQ(hybrid.size(), 3u);
  for (const SearchResult& r : hybrid) {
    EXPECT_FALSE(r.text_rank.has_value());
    EXPECT_TRUE(r.vector_rank.has_value());
  }
  expect_well_formed(hybrid);
}

TEST_P(SearchContract, EveryWritePathFeedsBothIndexes) {
  MemoryStore& s = bound_store();
  const Memory single = s.insert(memory("ibis from insert", vec({1})));
  const std::vector<Memory> batch =
      s.insert_batch(std::vector{memory("ibis from insert_batch", at_angle(0.2))});
  Memory imported = memory("ibis from insert_missing", at_angle(0.4));
  imported.id = Uuid::generate_v7();
  ASSERT_EQ(s.insert_missing(std::vector{imported}), 1u);
  Memory edited = s.insert(memory("stork before the edit"));
  edited.content = "ibis from update";
  edited.embedding = at_angle(0.6);
  s.update(edited);

  const std::vector<Uuid> expected = {single.id, batch.at(0).id, imported.id, edited.id};
  EXPECT_EQ(ids_of(s.vector_search(vector_query(vec({1})))), expected);
  std::vector<Uuid> by_text = ids_of(s.text_search(text_query("ibis")));
  std::sort(by_text.begin(), by_text.end());
  std::vector<Uuid> sorted_expected = expected;
  std::sort(sorted_expected.begin(), sorted_expected.end());
  EXPECT_EQ(by_text, sorted_expected);
}

TEST_P(SearchContract, SupersededMemoriesAreIncluded) {
  MemoryStore& s = bound_store();
  const Memory newer = s.insert(memory("the bridge opens at nine", vec({0, 1})));
  Memory older = memory("the bridge opens at eight", vec({1}));
  older.engine.superseded_by = newer.id;
  older = s.insert(older);

  const auto contains_older = [&](const std::vector<SearchResult>& results) {
    const std::vector<Uuid> ids = ids_of(results);
    return std::ranges::find(ids, older.id) != ids.end();
  };
  EXPECT_TRUE(contains_older(s.text_search(text_query("bridge"))));
  EXPECT_TRUE(contains_older(s.vector_search(vector_query(vec({1})))));
  EXPECT_TRUE(contains_older(s.hybrid_search(hybrid_query("bridge", vec({1})))));
  const std::vector<SearchResult> results = s.vector_search(vector_query(vec({1}), 1));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].memory.engine.superseded_by, newer.id);
}

TEST_P(SearchContract, ResultsReportRetrievabilityAtTheQueryTime) {
  MemoryStore& s = bound_store();
  const Timestamp now = fixed_now();
  const Memory reviewed = s.insert(memory("lighthouse keeper", vec({1})));
  const Memory unscheduled = s.insert(memory("lighthouse lamp", at_angle(0.2)));
  s.upsert_scheduling(scheduling(reviewed.id, 10.0, plus_days(now, -25), plus_days(now, -15)));
  const double expected = fsrs::retrievability(10.0, 25.0);
  ASSERT_LT(expected, 0.9);

  SearchQuery query = hybrid_query("lighthouse", vec({1}));
  query.now = now;
  for (const auto& [name, results] :
       {std::pair{"text", s.text_search(query)}, std::pair{"vector", s.vector_search(query)},
        std::pair{"hybrid", s.hybrid_search(query)}}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(results.size(), 2u);
    for (const SearchResult& r : results) {
      if (r.memory.id == reviewed.id) {
        EXPECT_NEAR(r.retrievability, expected, 1e-9);
      } else {
        EXPECT_EQ(r.memory.id, unscheduled.id);
        EXPECT_DOUBLE_EQ(r.retrievability, 1.0);
      }
    }
  }
}

}  // namespace
}  // namespace vestige::contract
