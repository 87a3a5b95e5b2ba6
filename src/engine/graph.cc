#include "engine/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vestige/error.h"

namespace vestige::engine {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, "graph: " + message);
}

bool valid_edge_type(std::string_view type) {
  return !type.empty() && type.size() <= kMaxEdgeTypeLength &&
         std::all_of(type.begin(), type.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
         });
}

// Rows for `ids`, without embeddings, suppressed ones dropped.
std::unordered_map<Uuid, Memory> visible_rows(MemoryStore& store, std::span<const Uuid> ids) {
  std::unordered_map<Uuid, Memory> rows;
  for (Memory& m : store.get_batch(ids)) {
    if (m.engine.suppressed) continue;
    m.embedding.reset();
    rows.emplace(m.id, std::move(m));
  }
  return rows;
}

Json edge_json(const Edge& e) {
  return {{"source_id", e.source_id},
          {"target_id", e.target_id},
          {"edge_type", e.edge_type},
          {"weight", e.weight}};
}

Json node_json(const Memory& m) {
  return {{"id", m.id},
          {"node_type", m.node_type},
          {"content", m.content},
          {"tags", m.tags},
          {"superseded", m.engine.superseded_by.has_value()}};
}

}  // namespace

void to_json(Json& j, const Activation& v) {
  j = {{"id", v.id}, {"activation", v.activation}, {"hops", v.hops}, {"seed", v.seed}};
  j["path"] = Json::array();
  for (const Edge& e : v.path) j["path"].push_back(edge_json(e));
}

void to_json(Json& j, const GraphNeighbour& v) {
  j = node_json(v.memory);
  j["edge"] = edge_json(v.edge);
  j["direction"] = v.outgoing ? "outgoing" : "incoming";
}

void to_json(Json& j, const GraphAssociation& v) {
  j = node_json(v.memory);
  Json activation = v.activation;
  j["activation"] = activation["activation"];
  j["hops"] = activation["hops"];
  j["path"] = activation["path"];
}

void to_json(Json& j, const Subgraph& v) {
  j["center"] = v.center;
  j["nodes"] = Json::array();
  for (const Memory& m : v.nodes) j["nodes"].push_back(node_json(m));
  j["edges"] = Json::array();
  for (const Edge& e : v.edges) j["edges"].push_back(edge_json(e));
  j["truncated"] = v.truncated;
}

Graph::Graph(MemoryStore& store) : store_(store) {}

Memory Graph::require(const Uuid& id, std::string_view what) {
  std::optional<Memory> m = store_.get(id);
  if (!m) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("graph: no memory with id {} ({}); check the id with `memory get` or "
                            "find it with `recall`",
                            id.to_string(), what));
  }
  m->embedding.reset();
  return std::move(*m);
}

std::vector<GraphNeighbour> Graph::neighbours(const Uuid& id,
                                              const std::optional<std::string>& edge_type,
                                              std::size_t limit) {
  require(id, "the memory whose neighbours were asked for");
  std::vector<Edge> edges = store_.edges(id, EdgeDirection::kBoth);
  if (edge_type) std::erase_if(edges, [&](const Edge& e) { return e.edge_type != *edge_type; });
  auto other = [&](const Edge& e) { return e.source_id == id ? e.target_id : e.source_id; };
  std::stable_sort(edges.begin(), edges.end(), [&](const Edge& a, const Edge& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    return other(a) < other(b);
  });
  std::vector<Uuid> ids;
  for (const Edge& e : edges) ids.push_back(other(e));
  std::unordered_map<Uuid, Memory> rows = visible_rows(store_, ids);
  std::vector<GraphNeighbour> out;
  for (const Edge& e : edges) {
    if (out.size() == limit) break;
    auto row = rows.find(other(e));
    if (row == rows.end()) continue;
    out.push_back({row->second, e, e.source_id == id});
  }
  return out;
}

std::vector<GraphAssociation> Graph::associations(const Uuid& id, const ActivationOptions& options,
                                                  std::size_t limit) {
  validate(options);
  require(id, "the memory to spread activation from");
  const ActivationSeed seed{id, 1.0};
  std::vector<Activation> reached = spread_activation(store_, std::span(&seed, 1), options);
  std::vector<Uuid> ids;
  for (const Activation& a : reached) ids.push_back(a.id);
  std::unordered_map<Uuid, Memory> rows = visible_rows(store_, ids);
  std::vector<GraphAssociation> out;
  for (Activation& a : reached) {
    if (out.size() == limit) break;
    auto row = rows.find(a.id);
    if (row == rows.end()) continue;
    out.push_back({std::move(row->second), std::move(a)});
  }
  return out;
}

Edge Graph::link(const Uuid& source, const Uuid& target, std::string_view edge_type, double weight,
                 Timestamp now, Json metadata) {
  if (!valid_edge_type(edge_type)) {
    invalid(fmt::format(
        "edge type '{}' is not valid: use 1 to {} lowercase letters, digits, '_' or '-' "
        "(for example \"{}\")",
        edge_type, kMaxEdgeTypeLength, kRelatedEdge));
  }
  if (!(std::isfinite(weight) && weight > 0.0 && weight <= 1.0)) {
    invalid(fmt::format("weight must be greater than 0 and at most 1, not {}", weight));
  }
  if (source == target) invalid("a memory cannot be linked to itself; give two different ids");
  if (!metadata.is_object()) invalid("edge metadata must be a JSON object");
  require(source, "the link's source");
  require(target, "the link's target");
  Edge edge;
  edge.source_id = source;
  edge.target_id = target;
  edge.edge_type = std::string(edge_type);
  edge.weight = weight;
  edge.metadata = std::move(metadata);
  edge.created_at = now;
  store_.add_edge(edge);
  for (Edge& stored : store_.edges(source, EdgeDirection::kOutgoing)) {
    if (stored.target_id == target && stored.edge_type == edge_type) return stored;
  }
  return edge;
}

Subgraph Graph::subgraph(const Uuid& id, int depth, std::size_t max_nodes) {
  if (depth < 1 || depth > 3) invalid(fmt::format("depth must be 1, 2 or 3, not {}", depth));
  if (max_nodes < 1 || max_nodes > 500) {
    invalid(fmt::format("max_nodes must be between 1 and 500, not {}", max_nodes));
  }
  Subgraph out;
  out.center = id;
  out.nodes.push_back(require(id, "the center of the subgraph"));

  // Breadth first, each layer in id order, so the same graph always gives the
  // same picture; the edges read along the way are kept for the picture.
  std::unordered_set<Uuid> in_graph{id};
  std::set<std::tuple<Uuid, Uuid, std::string>> seen_edges;
  std::vector<Edge> edges;
  std::vector<Uuid> layer{id};
  for (int d = 1; d <= depth && !layer.empty() && !out.truncated; ++d) {
    std::set<Uuid> next_ids;
    for (const Uuid& from : layer) {
      for (Edge& e : store_.edges(from, EdgeDirection::kBoth)) {
        const Uuid other = e.source_id == from ? e.target_id : e.source_id;
        if (!in_graph.contains(other)) next_ids.insert(other);
        if (seen_edges.emplace(e.source_id, e.target_id, e.edge_type).second) {
          edges.push_back(std::move(e));
        }
      }
    }
    const std::vector<Uuid> ids(next_ids.begin(), next_ids.end());
    std::unordered_map<Uuid, Memory> rows = visible_rows(store_, ids);
    std::vector<Uuid> next;
    for (const Uuid& other : ids) {
      auto row = rows.find(other);
      if (row == rows.end()) continue;
      if (out.nodes.size() == max_nodes) {
        out.truncated = true;
        break;
      }
      in_graph.insert(other);
      out.nodes.push_back(std::move(row->second));
      next.push_back(other);
    }
    layer = std::move(next);
  }
  // The last layer was not expanded: its edges among shown memories too.
  for (const Uuid& from : layer) {
    for (Edge& e : store_.edges(from, EdgeDirection::kBoth)) {
      if (seen_edges.emplace(e.source_id, e.target_id, e.edge_type).second) {
        edges.push_back(std::move(e));
      }
    }
  }
  // Edges whose ends are both shown; edges to memories beyond the depth or
  // the node bound are left out.
  std::erase_if(edges, [&](const Edge& e) {
    return !in_graph.contains(e.source_id) || !in_graph.contains(e.target_id);
  });
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.source_id, a.target_id, a.edge_type) <
           std::tie(b.source_id, b.target_id, b.edge_type);
  });
  out.edges = std::move(edges);
  return out;
}

}  // namespace vestige::engine
