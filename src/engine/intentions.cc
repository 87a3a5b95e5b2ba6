#include "engine/intentions.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "engine/importance.h"
#include "engine/node_types.h"
#include "vestige/error.h"

namespace vestige::engine {
namespace {

constexpr std::string_view kIndexContent =
    "Index of intentions (prospective memory): its edges lead to every intention.";

std::optional<Timestamp> timestamp_field(const Json& j, std::string_view key) {
  const auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return parse_timestamp(it->get<std::string>());
}

void set_timestamp(Json& j, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) {
    j[std::string(key)] = format_timestamp(*t);
  } else {
    j.erase(std::string(key));
  }
}

Json intention_metadata(const Intention& i) {
  Json trigger = Json::object();
  set_timestamp(trigger, "at", i.trigger.at);
  if (i.trigger.codebase) trigger["codebase"] = *i.trigger.codebase;
  trigger["keywords"] = i.trigger.keywords;
  Json j{{"status", intention_status_name(i.status)},
         {"trigger", std::move(trigger)},
         {"priority", i.priority},
         {"fire_count", i.fire_count}};
  set_timestamp(j, "fired_at", i.fired_at);
  set_timestamp(j, "snoozed_until", i.snoozed_until);
  set_timestamp(j, "closed_at", i.closed_at);
  return j;
}

// The intention a memory holds, or nullopt when it is not one (another type,
// or metadata that is not an intention's).
std::optional<Intention> from_memory(const Memory& m) {
  if (m.node_type != kIntentionType) return std::nullopt;
  const auto it = m.metadata.find(std::string(kIntentionKey));
  if (it == m.metadata.end() || !it->is_object()) return std::nullopt;
  const Json& j = *it;
  Intention i;
  i.id = m.id;
  i.content = m.content;
  i.created_at = m.created_at;
  const auto status = parse_intention_status(j.value("status", std::string()));
  if (!status) return std::nullopt;
  i.status = *status;
  i.priority = j.value("priority", 2);
  i.fire_count = j.value("fire_count", 0);
  i.fired_at = timestamp_field(j, "fired_at");
  i.snoozed_until = timestamp_field(j, "snoozed_until");
  i.closed_at = timestamp_field(j, "closed_at");
  if (const auto t = j.find("trigger"); t != j.end() && t->is_object()) {
    i.trigger.at = timestamp_field(*t, "at");
    if (const auto c = t->find("codebase"); c != t->end() && c->is_string()) {
      i.trigger.codebase = c->get<std::string>();
    }
    if (const auto k = t->find("keywords"); k != t->end() && k->is_array()) {
      for (const Json& word : *k) {
        if (word.is_string()) i.trigger.keywords.push_back(word.get<std::string>());
      }
    }
  }
  return i;
}

bool open_status(IntentionStatus s) {
  return s == IntentionStatus::kPending || s == IntentionStatus::kFired ||
         s == IntentionStatus::kSnoozed;
}

// True when the words of `keyword` occur consecutively in `words`.
bool contains_words(const std::vector<std::string>& words,
                    const std::vector<std::string>& keyword) {
  if (keyword.empty() || keyword.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), keyword.begin(), keyword.end()) != words.end();
}

// Why the context trigger matches, or nullopt.
std::optional<std::string> context_match(const IntentionTrigger& trigger,
                                         const IntentionContext& context) {
  if (!trigger.has_context()) return std::nullopt;
  std::vector<std::string> parts;
  if (trigger.codebase) {
    if (context.codebase != trigger.codebase) return std::nullopt;
    parts.push_back(fmt::format("codebase \"{}\"", *trigger.codebase));
  }
  if (!trigger.keywords.empty()) {
    std::vector<std::string> words = lowercase_words(context.text);
    for (const std::string& topic : context.topics) {
      for (std::string& w : lowercase_words(topic)) words.push_back(std::move(w));
    }
    const auto hit = std::find_if(
        trigger.keywords.begin(), trigger.keywords.end(),
        [&](const std::string& k) { return contains_words(words, lowercase_words(k)); });
    if (hit == trigger.keywords.end()) return std::nullopt;
    parts.push_back(fmt::format("keyword \"{}\"", *hit));
  }
  return fmt::format("context matches: {}", fmt::join(parts, ", "));
}

}  // namespace

std::string_view intention_status_name(IntentionStatus status) {
  switch (status) {
    case IntentionStatus::kPending:
      return "pending";
    case IntentionStatus::kFired:
      return "fired";
    case IntentionStatus::kSnoozed:
      return "snoozed";
    case IntentionStatus::kCompleted:
      return "completed";
    case IntentionStatus::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<IntentionStatus> parse_intention_status(std::string_view name) {
  for (IntentionStatus s :
       {IntentionStatus::kPending, IntentionStatus::kFired, IntentionStatus::kSnoozed,
        IntentionStatus::kCompleted, IntentionStatus::kCancelled}) {
    if (intention_status_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<IntentionAction> parse_intention_action(std::string_view name) {
  if (name == "complete") return IntentionAction::kComplete;
  if (name == "snooze") return IntentionAction::kSnooze;
  if (name == "cancel") return IntentionAction::kCancel;
  return std::nullopt;
}

Json to_json(const Intention& i) {
  Json j = intention_metadata(i);
  j["id"] = i.id;
  j["content"] = i.content;
  j["created_at"] = format_timestamp(i.created_at);
  return j;
}

Json to_json(const FiredIntention& fired) {
  Json j = to_json(fired.intention);
  j["reason"] = fired.reason;
  return j;
}

Intentions::Intentions(MemoryStore& store) : store_(store) {}

Intention Intentions::set(const IntentionSpec& spec, Timestamp now) {
  if (spec.content.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "intention: the content is empty; say what should be done");
  }
  if (!spec.trigger.at && !spec.trigger.has_context()) {
    throw Error(ErrorCode::kInvalidInput,
                "intention: give a trigger: a time (`at`), a codebase, or keywords");
  }
  if (spec.trigger.codebase && spec.trigger.codebase->empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "intention: the trigger's codebase is empty; name one or leave it out");
  }
  for (const std::string& k : spec.trigger.keywords) {
    if (lowercase_words(k).empty()) {
      throw Error(ErrorCode::kInvalidInput,
                  fmt::format("intention: keyword \"{}\" has no words to match", k));
    }
  }
  if (spec.priority < 1 || spec.priority > 4) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("intention: priority {} is not 1 (low), 2 (normal), 3 (high) or 4 "
                            "(urgent)",
                            spec.priority));
  }

  if (!store_.get(kIntentionIndexId)) {
    Memory index;
    index.id = kIntentionIndexId;
    index.content = std::string(kIndexContent);
    index.node_type = std::string(kIntentionIndexType);
    index.engine.suppressed = true;
    index.created_at = now;
    try {
      store_.insert(index);
    } catch (const Error& e) {
      // Another process created it between the lookup and the insert.
      if (e.code() != ErrorCode::kInvalidInput || !store_.get(kIntentionIndexId)) throw;
    }
  }

  Intention intention;
  intention.content = spec.content;
  intention.trigger = spec.trigger;
  intention.priority = spec.priority;
  intention.created_at = now;
  Memory memory;
  memory.content = spec.content;
  memory.node_type = std::string(kIntentionType);
  memory.tags = spec.tags;
  memory.codebase = spec.trigger.codebase;
  memory.created_at = now;
  memory.engine.suppressed = true;
  memory.metadata[std::string(kIntentionKey)] = intention_metadata(intention);
  intention.id = store_.insert(memory).id;

  Edge edge;
  edge.source_id = kIntentionIndexId;
  edge.target_id = intention.id;
  edge.edge_type = std::string(kIntentionEdge);
  edge.created_at = now;
  store_.add_edge(edge);
  return intention;
}

std::vector<Intention> Intentions::list(std::optional<IntentionStatus> status) {
  std::vector<Uuid> ids;
  for (const Edge& e : store_.edges(kIntentionIndexId, EdgeDirection::kOutgoing)) {
    if (e.edge_type == kIntentionEdge) ids.push_back(e.target_id);
  }
  std::vector<Intention> out;
  for (const Memory& m : store_.get_batch(ids)) {
    std::optional<Intention> i = from_memory(m);
    if (i && (!status || i->status == *status)) out.push_back(std::move(*i));
  }
  std::sort(out.begin(), out.end(), [](const Intention& a, const Intention& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return out;
}

std::optional<Intention> Intentions::get(const Uuid& id) {
  const std::optional<Memory> m = store_.get(id);
  if (!m) return std::nullopt;
  return from_memory(*m);
}

void Intentions::write(const Intention& intention) {
  std::optional<Memory> memory = store_.get(intention.id);
  if (!memory) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("intention {} was deleted", intention.id.to_string()));
  }
  memory->metadata[std::string(kIntentionKey)] = intention_metadata(intention);
  store_.update(*memory);
}

std::vector<FiredIntention> Intentions::check(const IntentionContext& context, Timestamp now) {
  std::vector<FiredIntention> fired;
  for (Intention& i : list()) {
    std::string reason;
    switch (i.status) {
      case IntentionStatus::kFired:
        reason = fmt::format("fired at {} and not completed yet", format_timestamp(*i.fired_at));
        break;
      case IntentionStatus::kSnoozed:
        if (!i.snoozed_until || *i.snoozed_until > now) continue;
        reason = fmt::format("snoozed until {}", format_timestamp(*i.snoozed_until));
        break;
      case IntentionStatus::kPending:
        if (i.trigger.at && *i.trigger.at <= now) {
          reason = fmt::format("due since {}", format_timestamp(*i.trigger.at));
        } else if (auto why = context_match(i.trigger, context)) {
          reason = std::move(*why);
        } else {
          continue;
        }
        break;
      case IntentionStatus::kCompleted:
      case IntentionStatus::kCancelled:
        continue;
    }
    if (i.status != IntentionStatus::kFired) {
      i.status = IntentionStatus::kFired;
      if (!i.fired_at) i.fired_at = now;
      i.snoozed_until.reset();
    }
    ++i.fire_count;
    write(i);
    fired.push_back({std::move(i), std::move(reason)});
  }
  std::stable_sort(
      fired.begin(), fired.end(), [](const FiredIntention& a, const FiredIntention& b) {
        if (a.intention.priority != b.intention.priority) {
          return a.intention.priority > b.intention.priority;
        }
        const Timestamp never = Timestamp::max();
        return a.intention.trigger.at.value_or(never) < b.intention.trigger.at.value_or(never);
      });
  return fired;
}

Intention Intentions::update(const Uuid& id, IntentionAction action, Timestamp now,
                             std::optional<Timestamp> until) {
  std::optional<Intention> i = get(id);
  if (!i) {
    throw Error(
        ErrorCode::kNotFound,
        fmt::format("no intention with id {}; `intention list` shows them", id.to_string()));
  }
  if (!open_status(i->status)) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("intention {} is already {}; only pending, fired or snoozed "
                            "intentions can change",
                            id.to_string(), intention_status_name(i->status)));
  }
  switch (action) {
    case IntentionAction::kComplete:
    case IntentionAction::kCancel:
      i->status = action == IntentionAction::kComplete ? IntentionStatus::kCompleted
                                                       : IntentionStatus::kCancelled;
      i->closed_at = now;
      i->snoozed_until.reset();
      break;
    case IntentionAction::kSnooze:
      if (!until || *until <= now) {
        throw Error(ErrorCode::kInvalidInput,
                    "intention: snooze needs a time after now to be reminded again");
      }
      i->status = IntentionStatus::kSnoozed;
      i->snoozed_until = until;
      break;
  }
  write(*i);
  return *i;
}

}  // namespace vestige::engine
