#include "store/sqlite/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace vestige::sqlite {
namespace {

std::vector<std::vector<float>> random_vectors(std::size_t count, std::size_t dimension,
                                               unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<std::vector<float>> out(count, std::vector<float>(dimension));
  for (auto& v : out) {
    for (float& x : v) x = normal(rng);
  }
  return out;
}

double cosine_distance(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
  }
  return 1.0 - dot / std::sqrt(na * nb);
}

// Labels of the k nearest among `vectors` (label = position + 1) passing `keep`.
std::vector<std::int64_t> brute_force(const std::vector<std::vector<float>>& vectors,
                                      const std::vector<float>& query, std::size_t k,
                                      const std::function<bool(std::int64_t)>& keep = {}) {
  std::vector<std::pair<double, std::int64_t>> all;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto label = static_cast<std::int64_t>(i + 1);
    if (!keep || keep(label)) all.emplace_back(cosine_distance(vectors[i], query), label);
  }
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < std::min(k, all.size()); ++i) out.push_back(all[i].second);
  return out;
}

std::vector<std::int64_t> labels(const std::vector<VectorMatch>& matches) {
  std::vector<std::int64_t> out;
  for (const auto& m : matches) out.push_back(m.label);
  return out;
}

VectorIndex filled_index(const std::vector<std::vector<float>>& vectors,
                         const VectorIndexOptions& options = {}) {
  VectorIndex index(vectors.front().size(), options);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    index.upsert(static_cast<std::int64_t>(i + 1), vectors[i]);
  }
  return index;
}

double recall_at_10(VectorIndex& index, const std::vector<std::vector<float>>& vectors,
                    const std::vector<std::vector<float>>& queries) {
  std::size_t hits = 0;
  for (const auto& q : queries) {
    const auto expected = brute_force(vectors, q, 10);
    const auto got = labels(index.search(q, 10));
    const std::set<std::int64_t> got_set(got.begin(), got.end());
    for (const auto label : expected) hits += got_set.count(label);
  }
  return double(hits) / double(10 * queries.size());
}

// Options that send every search of 2000 or more vectors through the graph.
VectorIndexOptions graph_only() {
  VectorIndexOptions options;
  options.scan_budget = 0;
  return options;
}

TEST(VectorIndexTest, GraphSearchRecallAgainstBruteForce) {
  const auto vectors = random_vectors(5000, 64, 1);
  const auto queries = random_vectors(100, 64, 2);
  VectorIndex index = filled_index(vectors, graph_only());
  const double recall = recall_at_10(index, vectors, queries);
  EXPECT_GE(recall, 0.98);
  RecordProperty("recall_at_10", std::to_string(recall));
}

TEST(VectorIndexTest, SmallIndexIsSearchedExactly) {
  const auto vectors = random_vectors(500, 32, 3);
  const auto queries = random_vectors(20, 32, 4);
  VectorIndex index = filled_index(vectors);
  for (const auto& q : queries) {
    EXPECT_EQ(labels(index.search(q, 10)), brute_force(vectors, q, 10));
  }
}

TEST(VectorIndexTest, DistancesAreExactCosineDistances) {
  const auto vectors = random_vectors(3000, 48, 5);
  VectorIndex index = filled_index(vectors);
  const auto query = random_vectors(1, 48, 6).front();
  for (const auto& m : index.search(query, 20)) {
    EXPECT_NEAR(m.distance, cosine_distance(vectors[m.label - 1], query), 1e-6);
  }
  // A vector is at distance 0 from itself, whatever its length.
  std::vector<float> scaled = vectors[41];
  for (float& x : scaled) x *= 7.5f;
  const auto self = index.search(scaled, 1);
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(self[0].label, 42);
  EXPECT_NEAR(self[0].distance, 0.0, 1e-6);
}

TEST(VectorIndexTest, DeletedVectorsDisappear) {
  // Exact search, the int8 column scan and the graph.
  for (const auto& [count, options] :
       {std::pair{300u, VectorIndexOptions{}}, std::pair{4000u, VectorIndexOptions{}},
        std::pair{4000u, graph_only()}}) {
    const auto vectors = random_vectors(count, 32, 7);
    VectorIndex index = filled_index(vectors, options);
    const auto query = vectors[9];
    ASSERT_EQ(index.search(query, 1).front().label, 10);
    EXPECT_TRUE(index.remove(10));
    EXPECT_FALSE(index.remove(10));
    EXPECT_FALSE(index.contains(10));
    EXPECT_EQ(index.size(), count - 1);
    for (const auto label : labels(index.search(query, 50))) EXPECT_NE(label, 10);
    // Re-adding a deleted label brings it back.
    index.upsert(10, vectors[9]);
    EXPECT_EQ(index.search(query, 1).front().label, 10);
  }
}

TEST(VectorIndexTest, UpsertReplacesTheVector) {
  for (const auto& [count, options] :
       {std::pair{300u, VectorIndexOptions{}}, std::pair{4000u, VectorIndexOptions{}},
        std::pair{4000u, graph_only()}}) {
    const auto vectors = random_vectors(count, 32, 8);
    VectorIndex index = filled_index(vectors, options);
    index.upsert(5, vectors[99]);  // label 5 now has label 100's vector
    EXPECT_EQ(index.size(), count);
    const auto near_old = index.search(vectors[4], 5);
    for (const auto label : labels(near_old)) EXPECT_NE(label, 5);
    const auto near_new = index.search(vectors[99], 2);
    ASSERT_EQ(near_new.size(), 2u);
    EXPECT_EQ((std::set<std::int64_t>{near_new[0].label, near_new[1].label}),
              (std::set<std::int64_t>{5, 100}));
    EXPECT_NEAR(near_new[0].distance, 0.0, 1e-6);
    EXPECT_NEAR(near_new[1].distance, 0.0, 1e-6);
  }
}

TEST(VectorIndexTest, TiesAreOrderedByLabelAndIncludedWhole) {
  VectorIndex index(4);
  const std::vector<float> v{1, 0, 0, 0};
  for (const std::int64_t label : {7, 3, 9, 1}) index.upsert(label, v);
  index.upsert(2, std::vector<float>{0, 1, 0, 0});
  const auto got = index.search(v, 2);
  // Asked for 2; all four at distance 0 come back, by label.
  EXPECT_EQ(labels(got), (std::vector<std::int64_t>{1, 3, 7, 9}));
}

TEST(VectorIndexTest, FilterIsHonouredAndAskedInBatches) {
  for (const auto& [count, options] :
       {std::pair{800u, VectorIndexOptions{}}, std::pair{6000u, VectorIndexOptions{}},
        std::pair{6000u, graph_only()}}) {
    const auto vectors = random_vectors(count, 32, 9);
    VectorIndex index = filled_index(vectors, options);
    const auto query = random_vectors(1, 32, 10).front();
    // A selective filter: one label in 50 qualifies.
    const auto keep = [](std::int64_t label) { return label % 50 == 0; };
    std::set<std::int64_t> asked;
    int calls = 0;
    const CandidateFilter filter = [&](std::span<const std::int64_t> batch) {
      ++calls;
      std::vector<bool> flags;
      for (const auto label : batch) {
        EXPECT_TRUE(asked.insert(label).second) << "asked twice about " << label;
        flags.push_back(keep(label));
      }
      return flags;
    };
    const auto got = labels(index.search(query, 10, filter));
    EXPECT_EQ(got, brute_force(vectors, query, 10, keep));
    EXPECT_LE(calls, 12);
  }
}

TEST(VectorIndexTest, FilterRejectingEverythingGivesNothing) {
  const auto vectors = random_vectors(3000, 16, 11);
  VectorIndex index = filled_index(vectors);
  const CandidateFilter none = [](std::span<const std::int64_t> batch) {
    return std::vector<bool>(batch.size(), false);
  };
  EXPECT_TRUE(index.search(vectors[0], 10, none).empty());
}

TEST(VectorIndexTest, GrowsPastItsInitialCapacity) {
  const auto vectors = random_vectors(3000, 8, 12);
  VectorIndex index = filled_index(vectors);
  EXPECT_EQ(index.size(), 3000u);
  EXPECT_EQ(index.search(vectors[2999], 1).front().label, 3000);
}

TEST(VectorIndexTest, SerializeRoundTrip) {
  const auto vectors = random_vectors(2500, 24, 13);
  VectorIndex index = filled_index(vectors);
  index.remove(17);
  const std::string bytes = index.serialize();
  VectorIndex loaded = VectorIndex::deserialize(bytes, 24);
  EXPECT_EQ(loaded.size(), index.size());
  EXPECT_FALSE(loaded.contains(17));
  const auto queries = random_vectors(10, 24, 14);
  for (const auto& q : queries) {
    const auto a = index.search(q, 10);
    const auto b = loaded.search(q, 10);
    EXPECT_EQ(labels(a), labels(b));
  }
  // The loaded index keeps working: growth, replace and delete.
  loaded.upsert(100000, vectors[0]);
  EXPECT_TRUE(loaded.contains(100000));
  EXPECT_TRUE(loaded.remove(1));
  EXPECT_EQ(loaded.size(), index.size());
}

TEST(VectorIndexTest, DeserializeRejectsAnotherDimension) {
  VectorIndex index = filled_index(random_vectors(10, 24, 15));
  const std::string bytes = index.serialize();
  EXPECT_THROW(VectorIndex::deserialize(bytes, 32), std::runtime_error);
  EXPECT_THROW(VectorIndex::deserialize(std::string_view(bytes).substr(0, bytes.size() / 2), 24),
               std::runtime_error);
}

TEST(VectorIndexTest, CompactionDropsDeletedSlots) {
  const auto vectors = random_vectors(3000, 16, 16);
  VectorIndex index = filled_index(vectors);
  for (std::int64_t label = 1; label <= 2500; ++label) index.remove(label);
  EXPECT_TRUE(index.should_compact());
  index.compact();
  EXPECT_FALSE(index.should_compact());
  EXPECT_EQ(index.size(), 500u);
  const auto query = vectors[2700];
  EXPECT_EQ(index.search(query, 1).front().label, 2701);
  EXPECT_EQ(labels(index.search(query, 10)),
            brute_force(vectors, query, 10, [](std::int64_t l) { return l > 2500; }));
}

// Vectors like the builtin hash embedder's: a few dozen nonzero components
// of `dimension`, signed, mostly near-orthogonal to each other.
std::vector<std::vector<float>> sparse_vectors(std::size_t count, std::size_t dimension,
                                               std::size_t nonzero, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> component(0, dimension - 1);
  std::uniform_int_distribution<int> weight(1, 5);
  std::vector<std::vector<float>> out(count, std::vector<float>(dimension, 0.0f));
  for (auto& v : out) {
    for (std::size_t i = 0; i < nonzero; ++i) {
      v[component(rng)] += static_cast<float>(rng() % 2 == 0 ? weight(rng) : -weight(rng)) * 0.3f;
    }
  }
  return out;
}

// The vector as the index stores it: normalised, then rounded to float.
std::vector<float> stored(const std::vector<float>& v) {
  double norm = 0;
  for (const float x : v) norm += double(x) * x;
  norm = std::sqrt(norm);
  std::vector<float> out(v);
  for (float& x : out) x = static_cast<float>(x / norm);
  return out;
}

// Labels and distances of the k nearest, ties by label, plus the whole tie
// at the k-th distance: what search() promises. Distances are computed as
// the index computes them, so that order and ties match to the last bit.
std::vector<VectorMatch> exact_answer(const std::vector<std::vector<float>>& vectors,
                                      const std::vector<float>& query, std::size_t k) {
  const std::vector<float> q = stored(query);
  std::vector<VectorMatch> all;
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const std::vector<float> v = stored(vectors[i]);
    double dot = 0;
    for (std::size_t d = 0; d < q.size(); ++d) dot += double(q[d]) * v[d];
    all.push_back({static_cast<std::int64_t>(i + 1), std::max(0.0, 1.0 - dot)});
  }
  std::sort(all.begin(), all.end(), [](const VectorMatch& a, const VectorMatch& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.label < b.label;
  });
  std::size_t end = std::min(k, all.size());
  while (end < all.size() && all[end].distance == all[end - 1].distance) ++end;
  all.resize(end);
  return all;
}

void expect_exact(VectorIndex& index, const std::vector<std::vector<float>>& vectors,
                  const std::vector<std::vector<float>>& queries, std::size_t k) {
  for (const auto& q : queries) {
    const auto expected = exact_answer(vectors, q, k);
    const auto got = index.search(q, k);
    ASSERT_EQ(labels(got), labels(expected));
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].distance, expected[i].distance);
    }
  }
}

TEST(VectorIndexTest, ColumnScanIsExactOnSparseVectors) {
  const auto vectors = sparse_vectors(3000, 384, 40, 17);
  const auto queries = sparse_vectors(20, 384, 8, 18);
  for (const bool vector_instructions : {true, false}) {
    VectorIndexOptions options;
    options.vector_instructions = vector_instructions;
    VectorIndex index = filled_index(vectors, options);
    expect_exact(index, vectors, queries, 10);
    expect_exact(index, vectors, queries, 1);
  }
}

TEST(VectorIndexTest, ColumnScanOrdersVectorsTheInt8CopyCannotTellApart) {
  // Perturbations far below an int8 step: the quantised scores tie, and only
  // the exact re-scoring can order them.
  const auto base = sparse_vectors(1, 64, 20, 19).front();
  auto vectors = sparse_vectors(3000, 64, 20, 20);
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> tiny(-1e-4f, 1e-4f);
  for (std::size_t i = 0; i < 200; ++i) {
    auto& v = vectors[i * 15];
    v = base;
    for (float& x : v) x += x != 0.0f ? tiny(rng) : 0.0f;
  }
  VectorIndex index = filled_index(vectors);
  expect_exact(index, vectors, {base}, 10);
  expect_exact(index, vectors, {base}, 150);
}

TEST(VectorIndexTest, ColumnScanIncludesWholeTies) {
  auto vectors = sparse_vectors(3000, 64, 20, 22);
  // 50 copies of one vector, more than the scan's first candidate set.
  for (std::size_t i = 0; i < 50; ++i) vectors[i * 37 + 5] = vectors[3];
  VectorIndex index = filled_index(vectors);
  const auto got = index.search(vectors[3], 2);
  ASSERT_EQ(got.size(), 51u);
  for (const auto& m : got) EXPECT_NEAR(m.distance, 0.0, 1e-6);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end(),
                             [](const auto& a, const auto& b) { return a.label < b.label; }));
  expect_exact(index, vectors, {vectors[3]}, 2);
}

TEST(VectorIndexTest, ColumnScanHonoursFiltersDeletesAndReloads) {
  const auto vectors = sparse_vectors(5000, 128, 30, 23);
  const auto queries = sparse_vectors(10, 128, 6, 24);
  VectorIndex index = filled_index(vectors);
  for (std::int64_t label = 1; label <= 5000; label += 3) index.remove(label);
  const auto keep = [](std::int64_t label) { return label % 3 != 1 && label % 40 == 0; };
  const CandidateFilter filter = [&](std::span<const std::int64_t> batch) {
    std::vector<bool> flags;
    for (const auto label : batch) flags.push_back(keep(label));
    return flags;
  };
  VectorIndex loaded = VectorIndex::deserialize(index.serialize(), 128);
  for (const auto& q : queries) {
    const auto expected = brute_force(vectors, q, 10, keep);
    EXPECT_EQ(labels(index.search(q, 10, filter)), expected);
    EXPECT_EQ(labels(loaded.search(q, 10, filter)), expected);
  }
  // A changed vector is re-quantised.
  loaded.upsert(2, queries[0]);
  EXPECT_EQ(loaded.search(queries[0], 1).front().label, 2);
}

TEST(VectorIndexTest, DenseQueriesBeyondTheBudgetUseTheGraph) {
  const auto vectors = random_vectors(4000, 32, 25);
  VectorIndexOptions options;
  options.scan_budget = 4000 * 31;  // just short of a dense 32-d query
  VectorIndex index = filled_index(vectors, options);
  const auto queries = random_vectors(50, 32, 26);
  EXPECT_GE(recall_at_10(index, vectors, queries), 0.95);
}

TEST(VectorIndexTest, RejectsWrongDimension) {
  VectorIndex index(4);
  EXPECT_THROW(index.upsert(1, std::vector<float>{1, 2, 3}), std::invalid_argument);
  index.upsert(1, std::vector<float>{1, 2, 3, 4});
  EXPECT_THROW(index.search(std::vector<float>{1, 2}, 1), std::invalid_argument);
}

}  // namespace
}  // namespace vestige::sqlite
