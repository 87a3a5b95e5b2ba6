// memory: one memory by id: read it, edit it, delete it, strengthen or weaken
// it, review it (FSRS), or look at its state.

#include <fmt/format.h>

#include <vector>

#include "engine/fsrs.h"
#include "engine/review.h"
#include "engine/strength.h"
#include "mcp/tools.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

constexpr std::size_t kMaxBatchIds = 100;

Json input_schema() {
  return object_schema(
      Json{
          {"action",
           {{"type", "string"},
            {"enum",
             {"get", "get_batch", "edit", "delete", "promote", "demote", "review", "state"}},
            {"description",
             "get / edit / delete / promote / demote / review / state need 'id'; get_batch "
             "needs 'ids'; edit needs at least one of content, node_type, tags; review needs "
             "'rating'"}}},
          {"id", id_schema("The memory's id")},
          {"ids",
           {{"type", "array"},
            {"items", {{"type", "string"}}},
            {"minItems", 1},
            {"maxItems", kMaxBatchIds},
            {"description", "Memory ids for get_batch (at most 100)"}}},
          {"content", content_schema("edit: the new text (re-embedded; scheduling is kept)")},
          {"node_type", string_schema("edit: the new type")},
          {"tags", string_array_schema("edit: the new tags (replace the old ones)")},
          {"rating",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 4},
            {"description", "review: 1 again (forgotten), 2 hard, 3 good, 4 easy"}}},
      },
      {"action"});
}

Memory fetch(MemoryStore& store, const Uuid& id) {
  std::optional<Memory> memory = store.get(id);
  if (!memory) {
    throw Error(
        ErrorCode::kNotFound,
        fmt::format("no memory with id {}; recall or search to find the right id", id.to_string()));
  }
  return std::move(*memory);
}

Json scheduling_json(const std::optional<SchedulingState>& s) {
  return s ? Json(*s) : Json(nullptr);
}

ToolResult get(ToolContext& context, const Uuid& id) {
  MemoryStore& store = context.store();
  const Memory memory = fetch(store, id);
  const std::optional<SchedulingState> scheduling = store.get_scheduling(id);
  Json view = memory_view(memory, DetailLevel::kFull, now_utc(), scheduling);
  view["scheduling"] = scheduling_json(scheduling);
  return {fmt::format("{}\n\n{}", memory_line(memory), memory.content),
          Json{{"memory", std::move(view)}}};
}

ToolResult get_batch(ToolContext& context, const Json& args) {
  std::vector<Uuid> ids;
  const Json& list = args["ids"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    ids.push_back(parse_id(list[i], fmt::format("ids[{}]", i)));
  }
  const std::vector<Memory> found = context.store().get_batch(ids);
  const Timestamp now = now_utc();
  Json memories = Json::array();
  std::string text = fmt::format("{} of {} found", found.size(), ids.size());
  std::vector<Uuid> missing = ids;
  for (const Memory& m : found) {
    memories.push_back(memory_view(m, DetailLevel::kFull, now));
    text += "\n" + memory_line(m);
    std::erase(missing, m.id);
  }
  return {text, Json{{"memories", std::move(memories)}, {"missing", missing}}};
}

ToolResult edit(ToolContext& context, const Uuid& id, const Json& args) {
  if (!args.contains("content") && !args.contains("node_type") && !args.contains("tags")) {
    throw Error(ErrorCode::kInvalidInput,
                "action 'edit' needs at least one of 'content', 'node_type', 'tags'");
  }
  MemoryStore& store = context.store_for_writes();
  Memory memory = fetch(store, id);
  std::vector<std::string> changed;
  if (const auto content = optional_string(args, "content")) {
    check_content_size(*content, "content");
    memory.content = *content;
    memory.embedding = context.embedder().embed(memory.content);
    changed.push_back("content");
  }
  if (const auto type = optional_string(args, "node_type")) {
    memory.node_type = *type;
    changed.push_back("node_type");
  }
  if (args.contains("tags")) {
    memory.tags = string_list(args, "tags");
    changed.push_back("tags");
  }
  const Memory stored = store.update(memory);
  context.note_write();
  return {
      fmt::format("edited {} ({})", id.to_string(), fmt::join(changed, ", ")),
      Json{{"memory", memory_view(stored, DetailLevel::kFull, now_utc(), store.get_scheduling(id))},
           {"changed", changed}}};
}

ToolResult remove(ToolContext& context, const Uuid& id) {
  if (!context.store().remove(id)) fetch(context.store(), id);  // throws not_found
  context.note_write();
  return {fmt::format("deleted {}", id.to_string()), Json{{"deleted", id}}};
}

ToolResult state(ToolContext& context, const Uuid& id, std::string_view verb = {}) {
  MemoryStore& store = context.store();
  const Memory memory = fetch(store, id);
  const std::optional<SchedulingState> scheduling = store.get_scheduling(id);
  const Timestamp now = now_utc();
  const double retrieval =
      engine::retrieval_strength_at(memory.engine, memory.created_at, scheduling, now);
  const double retention = engine::retention(retrieval, memory.engine.storage_strength);
  const std::string_view name = engine::state_name(engine::memory_state(retention));
  Json out{{"id", id},
           {"state", name},
           {"retention", retention},
           {"retrieval_strength", retrieval},
           {"storage_strength", memory.engine.storage_strength},
           {"importance", memory.engine.importance},
           {"access_count", memory.engine.access_count},
           {"last_accessed_at", memory.engine.last_accessed_at
                                    ? Json(format_timestamp(*memory.engine.last_accessed_at))
                                    : Json(nullptr)},
           {"superseded_by",
            memory.engine.superseded_by ? Json(*memory.engine.superseded_by) : Json(nullptr)},
           {"scheduling", scheduling_json(scheduling)}};
  std::string text =
      fmt::format("{}{} is {} (retention {:.2f}, retrieval {:.2f}, storage {:.2f})", verb,
                  id.to_string(), name, retention, retrieval, memory.engine.storage_strength);
  if (scheduling) text += "; next review " + format_timestamp(scheduling->next_review);
  return {text, out};
}

// Promote and demote change both halves of strength: the retrieval snapshot
// in the memory's engine state and, once it has been reviewed, its FSRS
// stability (which decides how fast it fades from now on).
ToolResult adjust(ToolContext& context, const Uuid& id, bool up) {
  MemoryStore& store = context.store();
  Memory memory = fetch(store, id);
  memory.engine = up ? engine::promote(memory.engine) : engine::demote(memory.engine);
  store.update(memory);
  if (std::optional<SchedulingState> s = store.get_scheduling(id)) {
    store.upsert_scheduling(up ? engine::promote(*s, context.scheduler())
                               : engine::demote(*s, context.scheduler()));
  }
  context.note_write();
  return state(context, id, up ? "promoted: " : "demoted: ");
}

ToolResult review(ToolContext& context, const Uuid& id, int rating) {
  const engine::ReviewResult r =
      engine::review_memory(context.store(), context.scheduler(), id, rating, now_utc());
  context.note_write();
  Json out = engine::to_json(r);
  out["scheduling"] = r.state;
  out["review_event_id"] = r.event.id;
  return {fmt::format("reviewed {} with rating {}: stability {:.2f} days, difficulty {:.2f}, "
                      "next review in {} days ({})",
                      id.to_string(), rating, r.state.stability, r.state.difficulty,
                      r.interval_days, format_timestamp(r.state.next_review)),
          std::move(out)};
}

ToolResult run(ToolContext& context, const Json& args) {
  const std::string action = args["action"].get<std::string>();
  if (action == "get_batch") {
    require_argument(args, "ids", action);
    return get_batch(context, args);
  }
  require_argument(args, "id", action);
  const Uuid id = parse_id(args["id"], "id");
  if (action == "get") return get(context, id);
  if (action == "edit") return edit(context, id, args);
  if (action == "delete") return remove(context, id);
  if (action == "promote") return adjust(context, id, true);
  if (action == "demote") return adjust(context, id, false);
  if (action == "review") {
    return review(context, id, require_argument(args, "rating", action).get<int>());
  }
  return state(context, id);
}

}  // namespace

void register_memory_tool(Server& server, ToolContext& context) {
  server.add_tool(Tool{
      .name = "memory",
      .description =
          "Work with one memory by id (ids come from recall and smart_ingest): get, get_batch, "
          "edit (re-embeds the text, keeps its schedule), delete, promote (it was useful: "
          "strengthen it), demote (it was wrong or unhelpful: weaken it), review (spaced "
          "repetition: rate how well it was remembered, 1-4), state (retention and schedule).",
      .input_schema = input_schema(),
      .handler = [&context](const Json& args) { return run(context, args); }});
}

}  // namespace vestige::mcp
