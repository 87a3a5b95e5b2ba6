// smart_ingest: stores what an agent learned through the ingest gate, which
// decides whether it is new, a restatement, an addition or a correction.

#include <fmt/format.h>

#include <vector>

#include "engine/ingest.h"
#include "mcp/tools.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

Json context_schema() {
  return object_schema(Json{
      {"codebase", string_schema("Repository or project the memory belongs to; recall can be "
                                 "scoped to it")},
      {"file", string_schema("File the memory is about")},
      {"topics", string_array_schema("Topics the memory is about")},
      {"session_id", string_schema("The agent's session; memories of one session are linked "
                                   "in order, and recall uses those links")},
      {"client", string_schema("Name of the client that stored it (default: the name the "
                               "client gave when it connected)")},
  });
}

Json item_properties() {
  return Json{
      {"content", content_schema("The text to remember: one fact, preference, decision or "
                                 "pattern, in a full sentence (at most 1 MiB)")},
      {"node_type", string_schema("fact (default), preference, decision, pattern, event, note, "
                                  "or another word")},
      {"tags", string_array_schema("Labels for filtering")},
      {"context", context_schema()},
      {"metadata", {{"type", "object"}, {"description", "Any other JSON to keep with it"}}},
      {"force_create",
       {{"type", "boolean"},
        {"description",
         "Store as a new memory without comparing it with "
         "existing ones (default false)"}}},
  };
}

Json input_schema() {
  Json properties = item_properties();
  properties["items"] =
      Json{{"type", "array"},
           {"minItems", 1},
           {"maxItems", engine::kMaxBatchItems},
           {"items", object_schema(item_properties(), {"content"})},
           {"description",
            "Up to 20 memories in one call, ingested in order so later ones see "
            "earlier ones; the top-level context applies to each unless it has its own"}};
  return object_schema(std::move(properties));
}

// `item`'s own field, else the top level's (for batch items), else none.
const Json* field(const Json& item, const Json& top, std::string_view key) {
  if (const auto it = item.find(key); it != item.end() && !it->is_null()) return &*it;
  if (const auto it = top.find(key); it != top.end() && !it->is_null()) return &*it;
  return nullptr;
}

engine::IngestItem to_item(const Json& item, const Json& top, std::string_view path) {
  engine::IngestItem out;
  out.content = item.at("content").get<std::string>();
  check_content_size(out.content, path);
  if (const auto type = optional_string(item, "node_type")) out.node_type = *type;
  out.tags = string_list(item, "tags");
  if (const auto it = item.find("metadata"); it != item.end()) out.metadata = *it;
  out.force_create = item.value("force_create", false);

  const Json empty = Json::object();
  const Json& own = item.contains("context") ? item["context"] : empty;
  const Json& shared = top.contains("context") ? top["context"] : empty;
  if (const Json* v = field(own, shared, "codebase")) out.codebase = v->get<std::string>();
  if (const Json* v = field(own, shared, "file")) out.file = v->get<std::string>();
  if (const Json* v = field(own, shared, "topics")) out.topics = v->get<std::vector<std::string>>();
  if (const Json* v = field(own, shared, "session_id")) out.session_id = v->get<std::string>();
  if (const Json* v = field(own, shared, "client")) out.client = v->get<std::string>();
  return out;
}

// The item's client, else the session's (initialize's clientInfo.name).
engine::IngestItem with_client(engine::IngestItem item, const ToolContext& context) {
  item.client = context.client_name(std::move(item.client));
  return item;
}

Json result_json(const engine::IngestResult& r) {
  Json out{{"decision", engine::decision_name(r.decision)},
           {"id", r.memory_id},
           {"similarity", r.similarity ? Json(*r.similarity) : Json(nullptr)},
           {"superseded_id", r.superseded_id ? Json(*r.superseded_id) : Json(nullptr)},
           {"reason", r.reason}};
  return out;
}

std::string result_text(const engine::IngestResult& r) {
  std::string text =
      fmt::format("{} {}", engine::decision_name(r.decision), r.memory_id.to_string());
  if (r.similarity) text += fmt::format(" (nearest similarity {:.2f})", *r.similarity);
  if (r.superseded_id) text += fmt::format("; supersedes {}", r.superseded_id->to_string());
  return text + ": " + r.reason;
}

ToolResult ingest(ToolContext& context, const Json& args) {
  const bool has_content = args.contains("content");
  const bool has_items = args.contains("items");
  if (has_content == has_items) {
    throw Error(ErrorCode::kInvalidInput,
                "give either 'content' (one memory) or 'items' (up to 20 memories), not " +
                    std::string(has_content ? "both" : "neither"));
  }
  const Timestamp now = now_utc();
  if (has_content) {
    const engine::IngestItem item = with_client(to_item(args, Json::object(), "content"), context);
    const engine::IngestResult result = context.gate().ingest(item, now);
    context.note_write();
    return {result_text(result), result_json(result)};
  }

  std::vector<engine::IngestItem> items;
  const Json& list = args["items"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    items.push_back(
        with_client(to_item(list[i], args, fmt::format("items[{}].content", i)), context));
  }
  const std::vector<engine::IngestResult> results = context.gate().ingest_batch(items, now);
  context.note_write(results.size());
  Json out = Json::array();
  std::string text = fmt::format("{} items:", results.size());
  for (const engine::IngestResult& r : results) {
    out.push_back(result_json(r));
    text += "\n" + result_text(r);
  }
  return {text, Json{{"results", std::move(out)}}};
}

}  // namespace

void register_ingest_tool(Server& server, ToolContext& context) {
  server.add_tool(
      Tool{.name = "smart_ingest",
           .description =
               "Remember something for later sessions. Compares the text with what is already "
               "stored and decides: create (new), reinforce (the same thing again, no new memory), "
               "update (adds to a memory about the same thing) or supersede (corrects an older "
               "memory, which is then ranked below the new one). Give 'content' for one memory or "
               "'items' for up to 20.",
           .input_schema = input_schema(),
           .handler = [&context](const Json& args) { return ingest(context, args); }});
}

}  // namespace vestige::mcp
