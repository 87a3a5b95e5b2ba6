#include "mcp/tools.h"

namespace vestige::mcp {

std::string server_instructions() {
  return "Vestige is your long-term memory across sessions. It keeps facts, preferences, "
         "decisions and patterns, fades what is not used, and ranks corrections above what "
         "they correct.\n"
         "- session_start: once, at the start of every session (pass the task and codebase): "
         "intentions that are due, relevant and important memories, due reviews.\n"
         "- recall (alias search): before answering or deciding anything an earlier session "
         "may have settled; filter by codebase, tags or type; results carry ids.\n"
         "- smart_ingest: whenever you learn something worth keeping (a user preference, a "
         "decision and its reason, a fact about the project, a correction). Write one "
         "self-contained sentence per memory; pass context.codebase for project knowledge and "
         "context.session_id to link a session's memories. Repeats and corrections are "
         "detected for you.\n"
         "- memory: act on one memory by id: get, edit, delete, promote when it helped, demote "
         "when it was wrong, review (1-4) to schedule it, state to see its retention.\n"
         "- codebase: remember_pattern / remember_decision for project conventions and "
         "decisions; get_context before changing code in a known project.\n"
         "- intention: when asked to do something later (at a time, or when a codebase or "
         "topic comes up); check it when starting a task; update it when done.\n"
         "- graph: how memories are linked: neighbors, associations, link, subgraph.\n"
         "- maintain: housekeeping on request: consolidate, dream, gc (dry run first), export.\n"
         "- memory_status (alias stats): store health, counts, retention, embedding model.\n"
         "Resources: memory://stats (status), memory://recent (newest memories), memory://due "
         "(memories due for review).";
}

void register_all(Server& server, ToolContext& context) {
  server.on_initialize(
      [&context](const std::optional<ClientInfo>& client) { context.set_client(client); });
  register_session_tool(server, context);
  register_ingest_tool(server, context);
  register_recall_tool(server, context);
  register_memory_tool(server, context);
  register_codebase_tool(server, context);
  register_intention_tool(server, context);
  register_graph_tool(server, context);
  register_status_tool(server, context);
  register_resources(server, context);
}

}  // namespace vestige::mcp
