#pragma once

// The intention tool's check, shared with session_start.

#include <string>
#include <vector>

#include "engine/intentions.h"
#include "mcp/tools_context.h"

namespace vestige::mcp {

// Intentions::check at now_utc() on the context's store.
std::vector<engine::FiredIntention> check_intentions(ToolContext& context,
                                                     const engine::IntentionContext& what);

// One line per fired intention after a count; and their JSON.
std::string fired_text(const std::vector<engine::FiredIntention>& fired);
Json fired_json(const std::vector<engine::FiredIntention>& fired);

}  // namespace vestige::mcp
