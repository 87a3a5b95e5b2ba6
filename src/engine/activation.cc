#include "engine/activation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vestige/error.h"

namespace vestige::engine {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, "spreading activation: " + message);
}

bool in_unit_interval(double v) {
  return std::isfinite(v) && v > 0.0 && v <= 1.0;
}

struct Reached {
  double activation = 0.0;
  Uuid seed;
  std::vector<Edge> path;
  // The memories on the path, seed included, so that no path visits one twice.
  std::unordered_set<Uuid> on_path;
};

}  // namespace

void validate(const ActivationOptions& options) {
  if (!in_unit_interval(options.decay)) {
    invalid(fmt::format("decay must be in (0, 1], not {}", options.decay));
  }
  if (!in_unit_interval(options.threshold)) {
    invalid(fmt::format("threshold must be in (0, 1], not {}", options.threshold));
  }
  if (options.max_hops < 1 || options.max_hops > 10) {
    invalid(fmt::format("max_hops must be between 1 and 10, not {}", options.max_hops));
  }
  if (options.max_nodes == 0) invalid("max_nodes must be at least 1");
}

std::vector<Activation> spread_activation(MemoryStore& store, std::span<const ActivationSeed> seeds,
                                          const ActivationOptions& options) {
  validate(options);
  std::unordered_map<Uuid, Reached> best;
  std::unordered_set<Uuid> seed_ids;
  std::vector<Uuid> frontier;
  for (const ActivationSeed& seed : seeds) {
    if (!in_unit_interval(seed.activation)) {
      invalid(fmt::format("a seed's activation must be in (0, 1], not {}", seed.activation));
    }
    seed_ids.insert(seed.id);
    auto [it, inserted] = best.try_emplace(seed.id);
    if (inserted || seed.activation > it->second.activation) {
      it->second = Reached{seed.activation, seed.id, {}, {seed.id}};
    }
    if (inserted) frontier.push_back(seed.id);
  }

  // Hop by hop, like Bellman-Ford bounded to max_hops: a memory is expanded
  // again only when a hop improved its activation, and an improvement must be
  // strict, so among equal activations the path with fewer hops (found in an
  // earlier round) is kept. Weights are at most 1, so a path through a cycle
  // never beats the same path without it; refusing memories already on the
  // path keeps every reported path simple.
  std::unordered_map<Uuid, std::vector<Edge>> edge_cache;
  auto edges_of = [&](const Uuid& id) -> const std::vector<Edge>& {
    auto it = edge_cache.find(id);
    if (it == edge_cache.end()) {
      std::vector<Edge> found = store.edges(id, EdgeDirection::kBoth);
      if (!options.edge_types.empty()) {
        std::erase_if(found, [&](const Edge& e) {
          return std::find(options.edge_types.begin(), options.edge_types.end(), e.edge_type) ==
                 options.edge_types.end();
        });
      }
      it = edge_cache.emplace(id, std::move(found)).first;
    }
    return it->second;
  };

  for (int hop = 1; hop <= options.max_hops && !frontier.empty(); ++hop) {
    // Expand in a fixed order so results do not depend on hash order.
    std::sort(frontier.begin(), frontier.end());
    std::vector<std::pair<Uuid, Reached>> improvements;
    for (const Uuid& from : frontier) {
      const Reached source = best.at(from);
      for (const Edge& edge : edges_of(from)) {
        const Uuid& to = edge.source_id == from ? edge.target_id : edge.source_id;
        if (seed_ids.contains(to) || source.on_path.contains(to)) continue;
        const double weight = std::clamp(edge.weight, 0.0, 1.0);
        const double activation = source.activation * options.decay * weight;
        if (activation < options.threshold) continue;
        auto current = best.find(to);
        if (current != best.end() && activation <= current->second.activation) continue;
        Reached reached{activation, source.seed, source.path, source.on_path};
        reached.path.push_back(edge);
        reached.on_path.insert(to);
        improvements.emplace_back(to, std::move(reached));
      }
    }
    // Applied after the round, so a hop's expansions all start from the
    // previous round's state and a path grows by exactly one edge per round.
    std::vector<Uuid> next;
    for (auto& [id, reached] : improvements) {
      auto [it, inserted] = best.try_emplace(id);
      if (inserted || reached.activation > it->second.activation) {
        it->second = std::move(reached);
        next.push_back(id);
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    // Bounds the store reads of the next round on a dense graph: only the
    // max_nodes most activated memories spread further.
    if (next.size() > options.max_nodes) {
      std::stable_sort(next.begin(), next.end(), [&](const Uuid& a, const Uuid& b) {
        return best.at(a).activation > best.at(b).activation;
      });
      next.resize(options.max_nodes);
    }
    frontier = std::move(next);
  }

  std::vector<Activation> out;
  for (auto& [id, reached] : best) {
    if (seed_ids.contains(id)) continue;
    Activation a;
    a.id = id;
    a.activation = reached.activation;
    a.hops = static_cast<int>(reached.path.size());
    a.seed = reached.seed;
    a.path = std::move(reached.path);
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Activation& a, const Activation& b) {
    if (a.activation != b.activation) return a.activation > b.activation;
    if (a.hops != b.hops) return a.hops < b.hops;
    return a.id < b.id;
  });
  if (out.size() > options.max_nodes) out.resize(options.max_nodes);
  return out;
}

}  // namespace vestige::engine
