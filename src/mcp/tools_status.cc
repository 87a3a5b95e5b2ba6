// memory_status (alias stats): is the store healthy, what does it hold, how
// well is it remembered.

#include <fmt/format.h>

#include "engine/strength.h"
#include "mcp/tools.h"
#include "mcp/tools_status.h"

namespace vestige::mcp {

Json status_json(MemoryStore& store, Timestamp now) {
  const HealthReport health = store.health();
  const StoreStats stats = store.stats(now);
  const RetentionSummary retention = store.retention_summary(engine::retention_model(), now);
  Json by_state = Json::object();
  for (const engine::MemoryState state :
       {engine::MemoryState::kActive, engine::MemoryState::kDormant, engine::MemoryState::kSilent,
        engine::MemoryState::kUnavailable}) {
    by_state[std::string(engine::state_name(state))] =
        retention.by_state[static_cast<std::size_t>(state)];
  }
  return Json{{"health", health},
              {"backend", store.backend_name()},
              {"counts",
               {{"memories", stats.memories},
                {"with_embedding", stats.memories_with_embedding},
                {"scheduled", stats.scheduled},
                {"due_now", stats.due_now},
                {"review_events", stats.review_events},
                {"edges", stats.edges},
                {"by_node_type", stats.by_node_type}}},
              {"retention", {{"mean", retention.mean}, {"by_state", std::move(by_state)}}},
              {"model", stats.model ? Json(*stats.model) : Json(nullptr)},
              {"schema_version", stats.schema_version},
              {"storage_bytes", stats.storage_bytes ? Json(*stats.storage_bytes) : Json(nullptr)}};
}

namespace {

std::string status_text(const Json& s) {
  const Json& counts = s["counts"];
  const Json& states = s["retention"]["by_state"];
  std::string text = fmt::format(
      "{} backend: {} ({})\n{} memories ({} with embeddings), {} due for review, {} review "
      "events, {} edges\nretention: mean {:.2f}; {} active, {} dormant, {} silent, {} "
      "unavailable\nmodel: {}",
      s["backend"].get<std::string>(), s["health"]["status"].get<std::string>(),
      s["health"]["server_version"].get<std::string>(), counts["memories"].get<std::int64_t>(),
      counts["with_embedding"].get<std::int64_t>(), counts["due_now"].get<std::int64_t>(),
      counts["review_events"].get<std::int64_t>(), counts["edges"].get<std::int64_t>(),
      s["retention"]["mean"].get<double>(), states["active"].get<std::int64_t>(),
      states["dormant"].get<std::int64_t>(), states["silent"].get<std::int64_t>(),
      states["unavailable"].get<std::int64_t>(),
      s["model"].is_null() ? std::string("none registered yet")
                           : s["model"]["name"].get<std::string>());
  for (const Json& problem : s["health"]["problems"])
    text += "\nproblem: " + problem.get<std::string>();
  return text;
}

Tool status_tool(std::string name, std::string description, ToolContext& context) {
  return Tool{.name = std::move(name),
              .description = std::move(description),
              .input_schema = object_schema(Json::object()),
              .handler = [&context](const Json&) {
                Json s = status_json(context.store(), now_utc());
                std::string text = status_text(s);
                return ToolResult{std::move(text), std::move(s)};
              }};
}

}  // namespace

void register_status_tool(Server& server, ToolContext& context) {
  const std::string description =
      "Health and contents of the memory store: backend and its health, counts (memories, "
      "due reviews, edges, by type), retention distribution, registered embedding model.";
  server.add_tool(status_tool("memory_status", description, context));
  server.add_tool(status_tool("stats", "Alias of memory_status. " + description, context));
}

}  // namespace vestige::mcp
