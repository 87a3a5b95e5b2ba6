// recall (alias search): the recall pipeline (engine/recall.h) behind one
// tool call.

#include <fmt/format.h>

#include "engine/recall.h"
#include "mcp/tools_recall.h"

#include "mcp/tools.h"
#include "vestige/error.h"

namespace vestige::mcp {

Json recall_properties() {
  return Json{
      {"query",
       {{"type", "string"},
        {"minLength", 1},
        {"description", "What to remember: a question or keywords"}}},
      {"limit",
       {{"type", "integer"},
        {"minimum", 1},
        {"maximum", engine::kMaxRecallLimit},
        {"description", "Matches to return (default 10)"}}},
      {"min_retention",
       {{"type", "number"},
        {"minimum", 0},
        {"maximum", 1},
        {"description", "Leave out memories that have faded below this retention (0-1)"}}},
      {"tags", string_array_schema("Only memories carrying every one of these tags")},
      {"node_types", string_array_schema("Only memories of these types (fact, decision, ...)")},
      {"codebase", string_schema("Only memories of this repository or project")},
      {"detail_level",
       {{"type", "string"},
        {"enum", {"brief", "summary", "full"}},
        {"description",
         "brief: first line; summary (default): text cut at 400 characters with "
         "tags and state; full: everything"}}},
      {"token_budget",
       {{"type", "integer"},
        {"minimum", 1},
        {"description",
         "Upper bound on the tokens of the returned memories; those that do not "
         "fit are listed as ids to fetch with the memory tool"}}},
  };
}

engine::RecallRequest recall_request(const Json& args) {
  engine::RecallRequest request;
  request.query = args.at("query").get<std::string>();
  check_content_size(request.query, "query");
  if (args.contains("limit")) request.limit = args["limit"].get<std::size_t>();
  if (args.contains("min_retention")) request.min_retention = args["min_retention"].get<double>();
  request.tags = string_list(args, "tags");
  request.node_types = string_list(args, "node_types");
  request.codebase = optional_string(args, "codebase");
  if (const auto level = optional_string(args, "detail_level")) {
    request.detail = *engine::parse_detail_level(*level);  // the schema's enum checked it
  }
  if (args.contains("token_budget")) request.token_budget = args["token_budget"].get<std::size_t>();
  return request;
}

engine::RecallResult run_recall(ToolContext& context, const engine::RecallRequest& request) {
  engine::validate(request);
  MemoryStore& store = context.store_for_writes();
  engine::Recaller recaller(store, context.embedder(), &context.query_cache());
  engine::RecallResult result = recaller.recall(request, now_utc());
  return result;
}

namespace {

Tool recall_tool(std::string name, std::string description, ToolContext& context) {
  return Tool{.name = std::move(name),
              .description = std::move(description),
              .input_schema = object_schema(recall_properties(), {"query"}),
              .handler = [&context](const Json& args) {
                const engine::RecallResult result = run_recall(context, recall_request(args));
                return ToolResult{result.to_text(), result.to_json()};
              }};
}

}  // namespace

void register_recall_tool(Server& server, ToolContext& context) {
  const std::string description =
      "Find what you remember about something: hybrid text and meaning search, re-ranked by "
      "how well each memory is retained and how recent it is; corrections rank above what "
      "they superseded (marked), and memories linked to the best matches are listed as "
      "associations. Use before answering anything that earlier sessions may have settled.";
  server.add_tool(recall_tool("recall", description, context));
  server.add_tool(recall_tool("search", "Alias of recall. " + description, context));
}

}  // namespace vestige::mcp
