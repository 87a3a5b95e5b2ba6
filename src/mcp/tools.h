#pragma once

// The Vestige tools and resources that an MCP client sees (product.md, "MCP
// surface"), each registered on a Server and running against a ToolContext.
// One file per tool or family: tools_<name>.cc.

#include <string>

#include "mcp/server.h"
#include "mcp/tools_context.h"

namespace vestige::mcp {

// The initialize result's `instructions`: when an agent should use which tool.
std::string server_instructions();

// Registers every tool and resource below, in the order tools/list shows.
// The maintain tool belongs to a Maintenance object (tools_maintain.h),
// registered by its owner.
void register_all(Server& server, ToolContext& context);

void register_session_tool(Server& server, ToolContext& context);    // session_start
void register_ingest_tool(Server& server, ToolContext& context);     // smart_ingest
void register_recall_tool(Server& server, ToolContext& context);     // recall, search
void register_memory_tool(Server& server, ToolContext& context);     // memory
void register_codebase_tool(Server& server, ToolContext& context);   // codebase
void register_intention_tool(Server& server, ToolContext& context);  // intention
void register_graph_tool(Server& server, ToolContext& context);      // graph
void register_status_tool(Server& server, ToolContext& context);     // memory_status, stats
void register_resources(Server& server, ToolContext& context);       // memory://stats, ...

}  // namespace vestige::mcp
