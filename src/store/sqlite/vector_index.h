#pragma once

// An in-memory approximate nearest neighbour index over memory embeddings:
// hnswlib's HNSW graph in inner-product space over L2-normalised vectors, so
// 1 - inner product is the cosine distance. Small indexes are searched
// exactly; large ones through the graph, with exact re-scoring. Labels are
// knowledge_nodes.seq.

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

  std::size_t dimension_;
  VectorIndexOptions options_;
  // The space must outlive the graph, which keeps a pointer into it.
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<Graph> graph_;
};

}  // namespace vestige::sqlite
