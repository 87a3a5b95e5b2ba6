#pragma once

// An in-memory nearest neighbour index over memory embeddings: hnswlib's HNSW
// graph in inner-product space over L2-normalised vectors, so 1 - inner
// product is the cosine distance, plus a column-major int8 copy of the
// vectors. Small indexes are searched exactly; so are queries whose nonzero
// components times the index size fit a budget, by scanning the int8
// columns of those components and re-scoring every candidate the
// quantisation error bound cannot rule out. Other queries go through the
// graph, with exact re-scoring. Labels are knowledge_nodes.seq.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hnswlib {
template <typename dist_t>
class HierarchicalNSW;
class InnerProductSpace;
}  // namespace hnswlib

namespace vestige::sqlite {

struct VectorIndexOptions {
  // Graph degree and build-time beam width: hnswlib's M and ef_construction.
  std::size_t max_neighbours = 16;
  std::size_t build_beam = 200;
  // Below this many live vectors a search scores every vector: at that size a
  // linear scan takes well under a millisecond, and it is exact.
  std::size_t exact_below = 2000;
  // Smallest search beam (hnswlib's ef) of a graph search. 200 measured at
  // recall@10 = 1.0 on 5,000 random 64-d vectors, where 100 gave 0.97, for
  // about 130 us per query.
  std::size_t min_search_beam = 200;
  // Largest (nonzero query components) x (live vectors) answered by the
  // exact int8 column scan rather than the graph; 0 turns the scan off.
  // Builtin hash-embedder queries have ~20 nonzero components of 384 (p50
  // 21, max 50 over 400 benchmark queries). At 100k vectors the graph (M 16,
  // ef 200) found 0.95 of the exact top 10 at a store vector_search p50 of
  // 1.65 ms; the scan is exact at p50 0.55 ms. Its kernel took ~0.2 ms for
  // 21 columns of 100k and grows linearly with columns, so 2^24 (167 columns
  // at 100k) caps it near the graph's cost; denser queries and larger
  // indexes go to the graph.
  std::size_t scan_budget = std::size_t{1} << 24;
  // Lets the scan use AVX2 and FMA where the CPU has them; false forces the
  // portable kernel, so tests can check it on any machine.
  bool vector_instructions = true;
};

struct VectorMatch {
  std::int64_t label = 0;
  double distance = 0.0;  // cosine distance, 0 = same direction
};

// Decides which candidates qualify for a search. Called with labels it has
// not been asked about before during this search, best first; returns one
// flag per label. Batched so a caller can check a whole batch with one query.
using CandidateFilter = std::function<std::vector<bool>(std::span<const std::int64_t> labels)>;

// Not thread-safe: callers serialise access.
class VectorIndex {
 public:
  explicit VectorIndex(std::size_t dimension, const VectorIndexOptions& options = {});
  // Restores an index from the bytes serialize() produced. Throws
  // std::runtime_error when they are not a valid index of this dimension.
  static VectorIndex deserialize(std::span<const char> bytes, std::size_t dimension,
                                 const VectorIndexOptions& options = {});
  VectorIndex(VectorIndex&& other) noexcept;
  VectorIndex& operator=(VectorIndex&& other) noexcept;
  ~VectorIndex();

  std::size_t dimension() const { return dimension_; }
  // Labels with a live (not deleted) vector.
  std::size_t size() const;
  bool contains(std::int64_t label) const;
  // Every label with a live vector, in no particular order.
  std::vector<std::int64_t> labels() const;
  // Cosine distance between the label's stored vector and `vector`; nullopt
  // when the label has no live vector.
  std::optional<double> distance(std::int64_t label, std::span<const float> vector) const;

  // Adds the label's vector or replaces it. The vector must have the index's
  // dimension (std::invalid_argument otherwise); it is normalised here, and a
  // zero vector is stored as is (distance 1 to everything).
  void upsert(std::int64_t label, std::span<const float> vector);
  // Returns false when the label has no live vector.
  bool remove(std::int64_t label);

  // The k live vectors nearest to `query` among those `accept` approves (all
  // when it is empty), nearest first, ties by label; followed by any further
  // approved candidates at exactly the k-th distance, so a caller breaking
  // ties by another key sees the whole tie. Distances are recomputed exactly
  // from the stored vectors whichever way the candidates were found.
  std::vector<VectorMatch> search(std::span<const float> query, std::size_t k,
                                  const CandidateFilter& accept = {});

  // A deleted vector keeps its slot in the graph (hnswlib 0.6 reuses it only
  // if the same label comes back); rebuilding drops them. Worth it once they
  // outnumber the live ones.
  bool should_compact() const;
  void compact();

  // hnswlib's own serialisation of the graph and vectors.
  std::string serialize() const;

 private:
  using Graph = hnswlib::HierarchicalNSW<float>;
  VectorIndex(std::size_t dimension, const VectorIndexOptions& options,
              std::unique_ptr<hnswlib::InnerProductSpace> space, std::unique_ptr<Graph> graph);
  void reserve(std::size_t count);
  std::vector<float> normalised(std::span<const float> vector) const;
  std::vector<VectorMatch> scan(std::span<const float> query) const;
  // The exact answer from the int8 columns, widening the re-scored set until
  // it is certain or a full scan is cheaper.
  std::vector<VectorMatch> column_search(std::span<const float> unit_query, std::size_t k,
                                         const CandidateFilter& accept);
  // Keeps the columns as long as the graph's capacity.
  void reserve_columns(std::size_t slots);
  void store_columns(std::uint32_t slot, std::span<const float> unit);
  void rebuild_columns();

  std::size_t dimension_;
  VectorIndexOptions options_;
  // The space must outlive the graph, which keeps a pointer into it.
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<Graph> graph_;
  // Every slot's vector quantised to int8 with a per-slot scale (max |x| /
  // 127), stored column-major: component d of slot s at
  // columns_[d * column_stride_ + s]. A query with few nonzero components
  // then reads only their columns, sequentially. column_stride_ is a
  // multiple of the scan's block of slots, the tail zero-filled.
  std::vector<std::int8_t> columns_;
  std::vector<float> scales_;
  std::size_t column_stride_ = 0;
  // Reused between searches: one upper bound per slot, and the largest of
  // each block of slots.
  std::vector<float> bounds_;
  std::vector<float> block_max_;
};

}  // namespace vestige::sqlite
