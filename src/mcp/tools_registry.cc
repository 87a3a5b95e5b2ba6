#include "mcp/tools.h"

namespace vestige::mcp {

std::string server_instructions() {
  return "Vestige is your long-term memory across sessions. It keeps facts, preferences, "
         "decisions and patterns, fades what is not used, and ranks corrections above what "
         "they correct.\n"
         "- smart_ingest: whenever you learn something worth keeping (a user preference, a "
         "decision and its reason, a fact about the project, a correction). Write one "
         "self-contained sentence per memory; pass context.codebase for project knowledge and "
         "context.session_id to link a session's memories. Repeats and corrections are "
         "detected for you.\n"
         "- memory: act on one memory by id: get, edit, delete, promote when it helped, demote "
         "when it was wrong, review (1-4) to schedule it, state to see its retention.\n"
         "- memory_status (alias stats): store health, counts, retention, embedding model.\n"
         "Resources: memory://stats (status), memory://due (memories due for review).";
}

void register_all(Server& server, ToolContext& context) {
  register_ingest_tool(server, context);
  register_memory_tool(server, context);
  register_status_tool(server, context);
  register_resources(server, context);
}

}  // namespace vestige::mcp
