#pragma once

// Spreading activation (product.md, "Reference constants"): activation starts
// at one or more seed memories and flows along edges, in either direction,
// multiplied at each hop by the edge's weight and a decay factor; a memory
// whose activation falls below the threshold is not reached, nothing travels
// further than max_hops, and no path visits a memory twice. Recall uses it to
// surface memories associated with its best matches; the graph tool uses it
// to answer "what is associated with this memory".

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

struct ActivationOptions {
  double decay = 0.7;      // per hop, in (0, 1]
  double threshold = 0.1;  // a memory needs at least this much activation to be reached
  int max_hops = 3;        // 1..10
  // Only edges of these types carry activation; empty means every type.
  std::vector<std::string> edge_types;
  // At most this many memories are returned (the most activated), and at most
  // this many spread further at each hop, which bounds the store reads on a
  // dense graph to max_hops x max_nodes.
  std::size_t max_nodes = 100;
};

// Throws Error(kInvalidInput), saying which field and what is allowed, for a
// decay outside (0, 1], a threshold outside (0, 1], max_hops outside 1..10 or
// max_nodes of 0.
void validate(const ActivationOptions& options);

// Where activation starts: a memory and its initial activation, in (0, 1].
struct ActivationSeed {
  Uuid id;
  double activation = 1.0;
};

// A memory reached by spreading activation.
struct Activation {
  Uuid id;
  double activation = 0.0;  // seed activation x product of (decay x weight) along the path
  int hops = 0;             // path.size()
  Uuid seed;                // the seed the path starts at
  // The edges walked, from the seed to this memory, as stored (an edge may be
  // walked against its direction: association is symmetric).
  std::vector<Edge> path;
};

// Spreads activation from `seeds` over the store's edges and returns every
// memory reached, seeds excluded, by activation descending, then hops
// ascending, then id. Each memory is reported with its best path: the one that
// gives it the most activation, the shortest among equals. Edge weights are
// clamped to [0, 1], so activation never grows along a path. Reads edges
// through MemoryStore::edges (once per memory expanded); reads no memory rows,
// so suppressed or filtered memories are the caller's to drop.
// Throws Error(kInvalidInput) for invalid options or a seed activation outside
// (0, 1], and whatever the store throws.
std::vector<Activation> spread_activation(MemoryStore& store, std::span<const ActivationSeed> seeds,
                                          const ActivationOptions& options = {});

}  // namespace vestige::engine
