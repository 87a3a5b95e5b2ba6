// session_start: everything an agent should load when a session begins, in
// one call and within a token budget.

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "engine/recall.h"
#include "engine/strength.h"
#include "mcp/tools.h"
#include "mcp/tools_intention.h"
#include "mcp/tools_recall.h"

namespace vestige::mcp {
namespace {

constexpr std::size_t kDefaultBudget = 2000;
constexpr std::size_t kRecentScanned = 200;  // recent memories the important ones are picked from
constexpr std::size_t kRecentShown = 5;
constexpr std::size_t kImportantShown = 10;
constexpr std::size_t kDueShown = 10;

Json input_schema() {
  return object_schema(Json{
      {"task",
       {{"type", "string"},
        {"minLength", 1},
        {"description",
         "What the session is about; memories relevant to it are "
         "recalled"}}},
      {"codebase", string_schema("The repository or project the session works in")},
      {"topics", string_array_schema("Topics of the session (for intention triggers)")},
      {"token_budget",
       {{"type", "integer"},
        {"minimum", 100},
        {"maximum", 100000},
        {"description", "Upper bound on the tokens of the returned memories (default 2000)"}}},
  });
}

// Fills a token budget in priority order; what does not fit is listed by id.
class Budget {
 public:
  explicit Budget(std::size_t total) : total_(total) {}

  // Adds the memory to `section` when it fits; otherwise remembers its id.
  void offer(const Memory& m, Json view, Json& section, std::string& text) {
    if (!seen_.insert(m.id).second) return;
    const std::size_t cost = engine::estimate_tokens(view.value("content", std::string())) +
                             engine::kResultOverheadTokens;
    if (used_ + cost > total_) {
      expandable_.push_back(m.id);
      return;
    }
    used_ += cost;
    section.push_back(std::move(view));
    text += "\n- " + memory_line(m, 300);
  }
  void charge(std::size_t tokens) { used_ += tokens; }
  void mark_seen(const Uuid& id) { seen_.insert(id); }
  std::size_t left() const { return used_ >= total_ ? 0 : total_ - used_; }
  std::size_t used() const { return used_; }
  const std::vector<Uuid>& expandable() const { return expandable_; }

 private:
  std::size_t total_;
  std::size_t used_ = 0;
  std::unordered_set<Uuid> seen_;
  std::vector<Uuid> expandable_;
};

ToolResult session_start(ToolContext& context, const Json& args) {
  const Timestamp now = now_utc();
  const std::optional<std::string> codebase = optional_string(args, "codebase");
  const std::optional<std::string> task = optional_string(args, "task");
  Budget budget(args.value("token_budget", kDefaultBudget));
  Json out{{"token_budget", args.value("token_budget", kDefaultBudget)}};
  std::string text = "Session context";
  if (codebase) text += " for " + *codebase;
  // The client that initialized the session: what its memories are recorded
  // as coming from (metadata.mcp_client_id) unless a call names another.
  out["client"] = nullptr;
  if (const std::optional<ClientInfo>& client = context.client()) {
    out["client"] = Json{{"name", client->name}, {"version", client->version}};
    text +=
        " (client " + client->name + (client->version.empty() ? "" : " " + client->version) + ")";
  }

  // 1. Intentions that fire: things the agent promised to do. Always listed.
  engine::IntentionContext what;
  what.codebase = codebase;
  what.text = task.value_or("");
  what.topics = string_list(args, "topics");
  const std::vector<engine::FiredIntention> fired = check_intentions(context, what);
  out["intentions"] = fired_json(fired);
  text += "\n\n" + fired_text(fired);
  for (const engine::FiredIntention& f : fired) {
    budget.charge(engine::estimate_tokens(f.intention.content) + engine::kResultOverheadTokens);
  }

  // 2. Memories relevant to the task, with half of what is left.
  out["relevant"] = Json::array();
  if (task && budget.left() > 0) {
    Json recall_args{{"query", *task},
                     {"token_budget", std::max<std::size_t>(1, budget.left() / 2)}};
    if (codebase) recall_args["codebase"] = *codebase;
    const engine::RecallResult recalled = run_recall(context, recall_request(recall_args));
    text += "\n\nRelevant to the task:";
    for (const engine::RecalledMemory& r : recalled.matches) {
      budget.mark_seen(r.memory.id);
      text += fmt::format("\n- {} [{}] {}", r.memory.id.to_string(), r.memory.node_type, r.text);
    }
    budget.charge(recalled.tokens_used);
    Json recalled_json = recalled.to_json();
    out["relevant"] = recalled_json["matches"];
    for (const Uuid& id : recalled.expandable) budget.mark_seen(id);
    out["relevant_expandable"] = recalled_json["expandable"];
  }

  // 3. The newest memories, then the most important among the recent ones
  //    (importance x retention), scoped to the codebase when one is given.
  MemoryStore& store = context.store();
  std::vector<Memory> recent = recent_memories(store, now, kRecentScanned);
  if (codebase) {
    std::erase_if(recent, [&](const Memory& m) { return m.codebase && *m.codebase != *codebase; });
  }
  out["recent"] = Json::array();
  text += "\n\nRecent:";
  for (std::size_t i = 0; i < recent.size() && i < kRecentShown; ++i) {
    budget.offer(recent[i], memory_view(recent[i], DetailLevel::kSummary, now), out["recent"],
                 text);
  }
  std::vector<std::pair<double, const Memory*>> ranked;
  for (const Memory& m : recent) {
    ranked.emplace_back(
        m.engine.importance * engine::retention_at(m.engine, m.created_at, std::nullopt, now), &m);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  out["important"] = Json::array();
  text += "\n\nImportant:";
  for (std::size_t i = 0; i < ranked.size() && out["important"].size() < kImportantShown; ++i) {
    budget.offer(*ranked[i].second, memory_view(*ranked[i].second, DetailLevel::kSummary, now),
                 out["important"], text);
  }

  // 4. Reviews that are due, briefly: the agent may confirm or correct them.
  const std::vector<SchedulingState> due = store.due(now, kDueShown);
  std::vector<Uuid> due_ids;
  for (const SchedulingState& s : due) due_ids.push_back(s.memory_id);
  out["due"] = Json::array();
  text += "\n\nDue for review (rate with memory review):";
  for (const Memory& m : store.get_batch(due_ids)) {
    if (m.engine.suppressed) continue;
    budget.offer(m, memory_view(m, DetailLevel::kBrief, now), out["due"], text);
  }

  out["expandable"] = budget.expandable();
  out["tokens_used"] = budget.used();
  if (!budget.expandable().empty()) {
    text += fmt::format("\n\n{} more did not fit the budget; fetch them with memory get_batch: ",
                        budget.expandable().size());
    for (const Uuid& id : budget.expandable()) text += id.to_string() + " ";
  }
  return {text, std::move(out)};
}

}  // namespace

void register_session_tool(Server& server, ToolContext& context) {
  server.add_tool(
      Tool{.name = "session_start",
           .description =
               "Call once at the start of a session: returns the intentions that fire now, the "
               "memories relevant to the task, the newest and most important memories and the "
               "reviews that are due, within a token budget.",
           .input_schema = input_schema(),
           .handler = [&context](const Json& args) { return session_start(context, args); }});
}

}  // namespace vestige::mcp
