// graph: the links between memories (engine/graph.h, engine/activation.h).

#include <fmt/format.h>

#include "engine/graph.h"
#include "engine/recall.h"
#include "mcp/tools.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

constexpr std::size_t kDefaultLimit = 20;
constexpr std::size_t kQuerySeeds = 3;

Json input_schema() {
  return object_schema(
      Json{
          {"action",
           {{"type", "string"},
            {"enum", {"neighbors", "associations", "link", "subgraph"}},
            {"description",
             "neighbors: memories one edge away from 'id'; associations: memories reached by "
             "spreading activation from 'id' or from the best matches of 'query'; link: an "
             "edge from 'source' to 'target'; subgraph: the memories within 'depth' hops of "
             "'id' and their edges, for display"}}},
          {"id", id_schema("The memory to start from")},
          {"query",
           {{"type", "string"},
            {"minLength", 1},
            {"description",
             "associations: start from this query's best matches instead "
             "of one memory"}}},
          {"source", id_schema("link: the memory the edge starts at")},
          {"target", id_schema("link: the memory the edge points to")},
          {"edge_type",
           string_schema("link: the edge's type (default related; lowercase letters, digits, _ "
                         "and -); neighbors: only edges of this type")},
          {"weight",
           {{"type", "number"},
            {"minimum", 0},
            {"maximum", 1},
            {"description", "link: the edge's weight in (0, 1] (default 1)"}}},
          {"depth",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 3},
            {"description",
             "subgraph: hops from 'id' (default 2); associations: most hops "
             "activation travels (default 3)"}}},
          {"limit",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 500},
            {"description",
             "Most memories returned (default 20; subgraph: most nodes, default "
             "50)"}}},
      },
      {"action"});
}

std::size_t limit_of(const Json& args, std::size_t fallback) {
  return args.contains("limit") ? args["limit"].get<std::size_t>() : fallback;
}

std::string node_line(const Memory& memory) {
  return memory_line(memory, 120);
}

ToolResult neighbours(engine::Graph& graph, const Json& args) {
  const Uuid id = parse_id(require_argument(args, "id", "neighbors"), "id");
  const auto found =
      graph.neighbours(id, optional_string(args, "edge_type"), limit_of(args, kDefaultLimit));
  std::string text = fmt::format("{} neighbors of {}", found.size(), id.to_string());
  for (const engine::GraphNeighbour& n : found) {
    text += fmt::format("\n{} {} ({:.2f}) {}", n.outgoing ? "->" : "<-", n.edge.edge_type,
                        n.edge.weight, node_line(n.memory));
  }
  return {text, Json{{"id", id}, {"neighbors", found}}};
}

ToolResult associations(ToolContext& context, engine::Graph& graph, const Json& args) {
  engine::ActivationOptions options;
  if (args.contains("depth")) options.max_hops = args["depth"].get<int>();
  const std::size_t limit = limit_of(args, kDefaultLimit);
  const bool by_query = args.contains("query");
  if (by_query == args.contains("id")) {
    throw Error(ErrorCode::kInvalidInput,
                "action 'associations' needs either 'id' (start from one memory) or 'query' "
                "(start from its best matches), not both or neither");
  }
  if (!by_query) {
    const Uuid id = parse_id(args["id"], "id");
    const auto found = graph.associations(id, options, limit);
    std::string text = fmt::format("{} memories associated with {}", found.size(), id.to_string());
    for (const engine::GraphAssociation& a : found) {
      text += fmt::format("\n{:.2f} ({} hops) {}", a.activation.activation, a.activation.hops,
                          node_line(a.memory));
    }
    return {text, Json{{"id", id}, {"associations", found}}};
  }
  const std::string query = args["query"].get<std::string>();
  check_content_size(query, "query");
  MemoryStore& store = context.store_for_writes();
  engine::Recaller recaller(store, context.embedder(), &context.query_cache());
  std::vector<engine::Activation> found =
      recaller.associations_for_query(query, kQuerySeeds, options, now_utc());
  if (found.size() > limit) found.resize(limit);
  std::vector<Uuid> ids;
  for (const engine::Activation& a : found) ids.push_back(a.id);
  std::vector<Memory> memories = store.get_batch(ids);
  std::string text = fmt::format("{} memories associated with \"{}\"", found.size(), query);
  Json out = Json::array();
  for (std::size_t i = 0, m = 0; i < found.size() && m < memories.size(); ++i) {
    if (memories[m].id != found[i].id) continue;  // deleted meanwhile
    memories[m].embedding.reset();
    engine::GraphAssociation association{std::move(memories[m]), found[i]};
    text += fmt::format("\n{:.2f} ({} hops) {}", found[i].activation, found[i].hops,
                        node_line(association.memory));
    out.push_back(association);
    ++m;
  }
  return {text, Json{{"query", query}, {"associations", std::move(out)}}};
}

ToolResult link(ToolContext& context, engine::Graph& graph, const Json& args) {
  const Uuid source = parse_id(require_argument(args, "source", "link"), "source");
  const Uuid target = parse_id(require_argument(args, "target", "link"), "target");
  const std::string type =
      optional_string(args, "edge_type").value_or(std::string(engine::kRelatedEdge));
  const double weight = args.value("weight", 1.0);
  const Edge edge = graph.link(source, target, type, weight, now_utc());
  context.note_write();
  return {fmt::format("linked {} -{}-> {} (weight {:.2f})", source.to_string(), edge.edge_type,
                      target.to_string(), edge.weight),
          Json{{"edge", edge}}};
}

ToolResult subgraph(engine::Graph& graph, const Json& args) {
  const Uuid id = parse_id(require_argument(args, "id", "subgraph"), "id");
  const int depth = args.value("depth", 2);
  const engine::Subgraph found = graph.subgraph(id, depth, limit_of(args, 50));
  std::string text =
      fmt::format("{} memories and {} edges within {} hops of {}{}", found.nodes.size(),
                  found.edges.size(), depth, id.to_string(), found.truncated ? " (truncated)" : "");
  for (const Memory& m : found.nodes) text += "\n" + node_line(m);
  for (const Edge& e : found.edges) {
    text += fmt::format("\n{} -{}-> {} ({:.2f})", e.source_id.to_string(), e.edge_type,
                        e.target_id.to_string(), e.weight);
  }
  return {text, Json(found)};
}

ToolResult run(ToolContext& context, const Json& args) {
  const std::string action = args["action"].get<std::string>();
  engine::Graph graph(context.store());
  if (action == "neighbors") return neighbours(graph, args);
  if (action == "associations") return associations(context, graph, args);
  if (action == "link") return link(context, graph, args);
  return subgraph(graph, args);
}

}  // namespace

void register_graph_tool(Server& server, ToolContext& context) {
  server.add_tool(
      Tool{.name = "graph",
           .description =
               "The links between memories (corrections, session order, related memories, links "
               "you made): neighbors of a memory, associations (memories connected to a memory or "
               "to a query's best matches, through several hops), link two memories, or a subgraph "
               "around a memory for display.",
           .input_schema = input_schema(),
           .handler = [&context](const Json& args) { return run(context, args); }});
}

}  // namespace vestige::mcp
