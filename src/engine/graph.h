#pragma once

// The memory graph as the `graph` tool sees it: a memory's neighbours, what is
// associated with it (spreading activation), linking two memories, and a
// bounded subgraph around a memory for display. Edges come from ingest
// ("supersedes", "temporal"), from consolidation and from link().

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/activation.h"
#include "vestige/clock.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// Edge type link() uses when none is given.
inline constexpr std::string_view kRelatedEdge = "related";
inline constexpr std::size_t kMaxEdgeTypeLength = 64;

// A direct neighbour of a memory.
struct GraphNeighbour {
  Memory memory;         // without its embedding
  Edge edge;             // the edge that links it, as stored
  bool outgoing = true;  // true when the edge points from the start memory to this one
};

// A memory reached by spreading activation, with the memory itself.
struct GraphAssociation {
  Memory memory;  // without its embedding
  Activation activation;
};

struct Subgraph {
  Uuid center;
  std::vector<Memory> nodes;  // without embeddings; the center first, then by depth, then id
  std::vector<Edge> edges;    // only between nodes, each once, by (source, target, type)
  bool truncated = false;     // true when max_nodes cut the walk short
};

void to_json(Json& j, const GraphNeighbour& v);
void to_json(Json& j, const GraphAssociation& v);
void to_json(Json& j, const Subgraph& v);
void to_json(Json& j, const Activation& v);

// Thread-safe as far as the store is.
class Graph {
 public:
  explicit Graph(MemoryStore& store);

  // The memories linked to `id` by one edge, optionally only of `edge_type`,
  // strongest edge first (then by id), at most `limit`, suppressed ones
  // dropped. Throws Error(kNotFound) when `id` does not exist.
  std::vector<GraphNeighbour> neighbours(const Uuid& id,
                                         const std::optional<std::string>& edge_type,
                                         std::size_t limit);

  // Spreading activation from `id` (activation 1): most associated first, at
  // most `limit`, suppressed ones dropped. Throws Error(kNotFound) when `id`
  // does not exist, Error(kInvalidInput) for invalid options.
  std::vector<GraphAssociation> associations(const Uuid& id, const ActivationOptions& options,
                                             std::size_t limit);

  // Creates (or re-weights) the edge source -> target of `edge_type` with
  // `weight` and returns it as stored. Throws Error(kInvalidInput) for a
  // weight outside (0, 1], an edge type that is empty, longer than
  // kMaxEdgeTypeLength or not made of lowercase letters, digits, '_' and
  // '-', or source == target; Error(kNotFound) naming the missing memory.
  Edge link(const Uuid& source, const Uuid& target, std::string_view edge_type, double weight,
            Timestamp now, Json metadata = Json::object());

  // The memories within `depth` hops (1..3) of `id`, breadth first, at most
  // `max_nodes` (1..500) including the center, and the edges among them.
  // Suppressed memories are left out. Throws Error(kNotFound) when `id` does
  // not exist, Error(kInvalidInput) for depth or max_nodes out of range.
  Subgraph subgraph(const Uuid& id, int depth, std::size_t max_nodes);

 private:
  Memory require(const Uuid& id, std::string_view what);

  MemoryStore& store_;
};

}  // namespace vestige::engine
