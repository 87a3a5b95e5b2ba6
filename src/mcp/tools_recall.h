#pragma once

// The recall tool's pieces, shared with the tools that recall on the agent's
// behalf (codebase get_context, session_start).

#include "engine/recall.h"
#include "mcp/tools_context.h"

namespace vestige::mcp {

// The recall tool's input properties: query, limit, min_retention, tags,
// node_types, codebase, detail_level, token_budget.
Json recall_properties();

// A request from arguments that passed recall_properties().
engine::RecallRequest recall_request(const Json& args);

// Validates and runs the pipeline at now_utc() on the context's store.
engine::RecallResult run_recall(ToolContext& context, const engine::RecallRequest& request);

}  // namespace vestige::mcp
