// intention: prospective memory, "remind me to X when Y" (engine/intentions.h).

#include <fmt/format.h>

#include "engine/intentions.h"
#include "mcp/tools.h"
#include "mcp/tools_intention.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

Json input_schema() {
  return object_schema(
      Json{
          {"action",
           {{"type", "string"},
            {"enum", {"set", "check", "update", "list"}},
            {"description",
             "set: remember to do 'content' at time 'at' and/or when working in 'codebase' or "
             "on something matching 'keywords'; check: what fires now for this context "
             "(codebase, text, topics); update: complete, snooze (until 'until') or cancel "
             "intention 'id'; list: intentions, optionally of one 'status'"}}},
          {"content", content_schema("set: what to do")},
          {"at", string_schema("set: when, as an RFC 3339 time, e.g. 2026-12-01T09:00:00Z")},
          {"codebase", string_schema("set: fire when working in this codebase; check: the "
                                     "codebase being worked in")},
          {"keywords", string_array_schema("set: fire when one of these words comes up")},
          {"priority",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 4},
            {"description", "set: 1 low, 2 normal (default), 3 high, 4 urgent"}}},
          {"tags", string_array_schema("set: labels")},
          {"text", string_schema("check: what is being worked on (the task, the file)")},
          {"topics", string_array_schema("check: topics of the current work")},
          {"id", id_schema("update: the intention's id")},
          {"change",
           {{"type", "string"},
            {"enum", {"complete", "snooze", "cancel"}},
            {"description", "update: what to do with the intention"}}},
          {"until", string_schema("update with snooze: remind again at this RFC 3339 time")},
          {"status",
           {{"type", "string"},
            {"enum", {"pending", "fired", "snoozed", "completed", "cancelled"}},
            {"description", "list: only intentions with this status"}}},
      },
      {"action"});
}

Timestamp parse_time(const Json& value, std::string_view name) {
  const std::string text = value.get<std::string>();
  const std::optional<Timestamp> t = parse_timestamp(text);
  if (!t) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("argument '{}' must be an RFC 3339 time such as "
                            "2026-12-01T09:00:00Z; got \"{}\"",
                            name, excerpt(text, 80)));
  }
  return *t;
}

std::string intention_line(const engine::Intention& i) {
  std::string line =
      fmt::format("{} [{}, priority {}] {}", i.id.to_string(),
                  engine::intention_status_name(i.status), i.priority, excerpt(i.content, 200));
  if (i.trigger.at) line += " (at " + format_timestamp(*i.trigger.at) + ")";
  return line;
}

ToolResult set(ToolContext& context, const Json& args) {
  engine::IntentionSpec spec;
  spec.content = require_argument(args, "content", "set").get<std::string>();
  check_content_size(spec.content, "content");
  if (args.contains("at")) spec.trigger.at = parse_time(args["at"], "at");
  spec.trigger.codebase = optional_string(args, "codebase");
  spec.trigger.keywords = string_list(args, "keywords");
  spec.priority = args.value("priority", 2);
  spec.tags = string_list(args, "tags");
  engine::Intentions intentions(context.store());
  const engine::Intention stored = intentions.set(spec, now_utc());
  context.note_write();
  return {"intention set: " + intention_line(stored), Json{{"intention", engine::to_json(stored)}}};
}

ToolResult update(ToolContext& context, const Json& args) {
  const Uuid id = parse_id(require_argument(args, "id", "update"), "id");
  const std::string change = require_argument(args, "change", "update").get<std::string>();
  std::optional<Timestamp> until;
  if (args.contains("until")) until = parse_time(args["until"], "until");
  if (change == "snooze" && !until) {
    throw Error(ErrorCode::kInvalidInput, "change 'snooze' needs argument 'until'");
  }
  engine::Intentions intentions(context.store());
  const engine::Intention updated =
      intentions.update(id, *engine::parse_intention_action(change), now_utc(), until);
  context.note_write();
  return {"intention updated: " + intention_line(updated),
          Json{{"intention", engine::to_json(updated)}}};
}

ToolResult list(ToolContext& context, const Json& args) {
  std::optional<engine::IntentionStatus> status;
  if (const auto name = optional_string(args, "status")) {
    status = engine::parse_intention_status(*name);
  }
  engine::Intentions intentions(context.store());
  const std::vector<engine::Intention> found = intentions.list(status);
  std::string text = fmt::format("{} intentions", found.size());
  Json out = Json::array();
  for (const engine::Intention& i : found) {
    text += "\n" + intention_line(i);
    out.push_back(engine::to_json(i));
  }
  return {text, Json{{"intentions", std::move(out)}}};
}

}  // namespace

std::vector<engine::FiredIntention> check_intentions(ToolContext& context,
                                                     const engine::IntentionContext& what) {
  engine::Intentions intentions(context.store());
  std::vector<engine::FiredIntention> fired = intentions.check(what, now_utc());
  if (!fired.empty()) context.note_write();
  return fired;
}

std::string fired_text(const std::vector<engine::FiredIntention>& fired) {
  std::string text =
      fmt::format("{} intention{} to act on", fired.size(), fired.size() == 1 ? "" : "s");
  for (const engine::FiredIntention& f : fired) {
    text += "\n" + intention_line(f.intention) + " - " + f.reason;
  }
  return text;
}

Json fired_json(const std::vector<engine::FiredIntention>& fired) {
  Json out = Json::array();
  for (const engine::FiredIntention& f : fired) out.push_back(engine::to_json(f));
  return out;
}

void register_intention_tool(Server& server, ToolContext& context) {
  server.add_tool(
      Tool{.name = "intention",
           .description =
               "Remember to do something later: set an intention with a time and/or a context "
               "trigger (a codebase, keywords), check what fires for the current context (at the "
               "start of a task), update it (complete, snooze, cancel) when handled, list them.",
           .input_schema = input_schema(),
           .handler = [&context](const Json& args) -> ToolResult {
             const std::string action = args["action"].get<std::string>();
             if (action == "set") return set(context, args);
             if (action == "update") return update(context, args);
             if (action == "list") return list(context, args);
             engine::IntentionContext what;
             what.codebase = optional_string(args, "codebase");
             what.text = optional_string(args, "text").value_or("");
             what.topics = string_list(args, "topics");
             const std::vector<engine::FiredIntention> fired = check_intentions(context, what);
             return {fired_text(fired), Json{{"fired", fired_json(fired)}}};
           }});
}

}  // namespace vestige::mcp
