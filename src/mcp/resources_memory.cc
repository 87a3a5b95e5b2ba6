// Resources: read-only views a client can show or attach without a tool call.

#include <fmt/format.h>

#include "mcp/tools.h"
#include "mcp/tools_status.h"

namespace vestige::mcp {
namespace {

constexpr std::size_t kDueListed = 50;
constexpr std::size_t kRecentListed = 20;

std::string recent_json(ToolContext& context) {
  const Timestamp now = now_utc();
  Json out = Json::array();
  for (const Memory& m : recent_memories(context.store(), now, kRecentListed)) {
    out.push_back(memory_view(m, DetailLevel::kSummary, now));
  }
  return Json{{"as_of", format_timestamp(now)}, {"recent", std::move(out)}}.dump();
}

std::string due_json(ToolContext& context) {
  MemoryStore& store = context.store();
  const Timestamp now = now_utc();
  const std::vector<SchedulingState> due = store.due(now, kDueListed);
  std::vector<Uuid> ids;
  for (const SchedulingState& s : due) ids.push_back(s.memory_id);
  const std::vector<Memory> memories = store.get_batch(ids);
  Json out = Json::array();
  for (std::size_t i = 0, m = 0; i < due.size(); ++i) {
    // get_batch keeps the order of `ids` and skips memories deleted meanwhile.
    if (m >= memories.size() || memories[m].id != due[i].memory_id) continue;
    Json view = memory_view(memories[m], DetailLevel::kSummary, now, due[i]);
    view["next_review"] = format_timestamp(due[i].next_review);
    out.push_back(std::move(view));
    ++m;
  }
  return Json{{"as_of", format_timestamp(now)}, {"due", std::move(out)}}.dump();
}

}  // namespace

void register_resources(Server& server, ToolContext& context) {
  server.add_resource(Resource{
      .uri = "memory://stats",
      .name = "stats",
      .description = "Store health, counts, retention distribution and embedding model (JSON)",
      .mime_type = "application/json",
      .reader = [&context] { return status_json(context.store(), now_utc()).dump(); }});
  server.add_resource(Resource{
      .uri = "memory://recent",
      .name = "recent",
      .description = fmt::format("The {} newest memories, newest first (JSON)", kRecentListed),
      .mime_type = "application/json",
      .reader = [&context] { return recent_json(context); }});
  server.add_resource(Resource{
      .uri = "memory://due",
      .name = "due",
      .description =
          fmt::format("Memories due for review now, earliest first, at most {} (JSON)", kDueListed),
      .mime_type = "application/json",
      .reader = [&context] { return due_json(context); }});
}

}  // namespace vestige::mcp
