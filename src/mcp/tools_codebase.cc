// codebase: knowledge scoped to one repository or project: its patterns and
// decisions, stored through the ingest gate and recalled within the codebase.

#include <fmt/format.h>

#include "engine/ingest.h"
#include "mcp/tools.h"
#include "mcp/tools_recall.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

// What get_context asks for when the agent gives no query: the kinds of
// memory that describe how a codebase works.
constexpr std::string_view kDefaultContextQuery =
    "conventions patterns decisions architecture build test deploy";

Json input_schema() {
  return object_schema(
      Json{
          {"action",
           {{"type", "string"},
            {"enum", {"remember_pattern", "remember_decision", "get_context"}},
            {"description",
             "remember_pattern: a convention or recurring way of doing things in this codebase; "
             "remember_decision: a decision and its rationale; get_context: what is known "
             "about the codebase, most relevant to 'query' when given"}}},
          {"codebase", string_schema("The repository or project, e.g. its name")},
          {"content", content_schema("remember_*: the pattern or decision, in a full sentence")},
          {"rationale", string_schema("remember_decision: why it was decided")},
          {"file", string_schema("remember_*: the file it is about")},
          {"tags", string_array_schema("remember_*: labels")},
          {"session_id", string_schema("remember_*: the agent's session")},
          {"query",
           {{"type", "string"},
            {"minLength", 1},
            {"description", "get_context: the task at hand, to rank what is relevant"}}},
          {"limit",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 100},
            {"description", "get_context: memories to return (default 10)"}}},
          {"detail_level",
           {{"type", "string"},
            {"enum", {"brief", "summary", "full"}},
            {"description", "get_context: as for recall (default summary)"}}},
          {"token_budget",
           {{"type", "integer"},
            {"minimum", 1},
            {"description", "get_context: upper bound on the tokens returned"}}},
      },
      {"action", "codebase"});
}

ToolResult remember(ToolContext& context, const Json& args, std::string_view node_type) {
  engine::IngestItem item;
  item.content =
      require_argument(args, "content", fmt::format("remember_{}", node_type)).get<std::string>();
  if (const auto rationale = optional_string(args, "rationale")) {
    if (node_type != "decision") {
      throw Error(ErrorCode::kInvalidInput,
                  "argument 'rationale' belongs to remember_decision; put the reason for a "
                  "pattern in its content");
    }
    item.content += "\nRationale: " + *rationale;
  }
  check_content_size(item.content, "content");
  item.node_type = std::string(node_type);
  item.codebase = args["codebase"].get<std::string>();
  item.tags = string_list(args, "tags");
  item.file = optional_string(args, "file");
  item.session_id = optional_string(args, "session_id");
  item.client = context.client_name(std::nullopt);
  const engine::IngestResult r = context.gate().ingest(item, now_utc());
  context.note_write();
  return {fmt::format("{} {} in {}: {}", engine::decision_name(r.decision), r.memory_id.to_string(),
                      *item.codebase, r.reason),
          Json{{"decision", engine::decision_name(r.decision)},
               {"id", r.memory_id},
               {"similarity", r.similarity ? Json(*r.similarity) : Json(nullptr)},
               {"superseded_id", r.superseded_id ? Json(*r.superseded_id) : Json(nullptr)},
               {"reason", r.reason}}};
}

ToolResult get_context(ToolContext& context, const Json& args) {
  Json recall_args{{"query", args.value("query", std::string(kDefaultContextQuery))},
                   {"codebase", args["codebase"]}};
  for (const char* key : {"limit", "detail_level", "token_budget"}) {
    if (args.contains(key)) recall_args[key] = args[key];
  }
  const engine::RecallResult result = run_recall(context, recall_request(recall_args));
  Json out = result.to_json();
  out["codebase"] = args["codebase"];
  return {fmt::format("codebase {}:\n{}", args["codebase"].get<std::string>(), result.to_text()),
          std::move(out)};
}

}  // namespace

void register_codebase_tool(Server& server, ToolContext& context) {
  server.add_tool(
      Tool{.name = "codebase",
           .description =
               "Knowledge about one repository or project: remember_pattern (a convention to "
               "follow), remember_decision (a decision with its rationale), get_context (what is "
               "known about the codebase, ranked for the task at hand). Use get_context before "
               "changing code in a project you have worked on before.",
           .input_schema = input_schema(),
           .handler = [&context](const Json& args) -> ToolResult {
             const std::string action = args["action"].get<std::string>();
             if (action == "remember_pattern") return remember(context, args, "pattern");
             if (action == "remember_decision") return remember(context, args, "decision");
             return get_context(context, args);
           }});
}

}  // namespace vestige::mcp
