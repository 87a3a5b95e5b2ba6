#pragma once

// Intentions (prospective memory): "remind me to X when Y". An intention is a
// memory of node type kIntentionType whose trigger and status live in its
// metadata under kIntentionKey. It is stored suppressed, so recall and search
// do not return it as knowledge; the operations below find intentions through
// the intention index (node_types.h): one memory at the fixed id
// kIntentionIndexId with an kIntentionEdge edge to every intention.
//
// Life cycle:
//   pending   --trigger matches-->  fired
//   fired     stays fired, and is returned by every check, until it is
//             completed, snoozed or cancelled
//   pending or fired  --snooze(until)-->  snoozed
//   snoozed   --check at or after `until`-->  fired (snoozing is "remind me
//             again later", whatever the original trigger was)
//   pending, fired or snoozed  --complete-->  completed
//   pending, fired or snoozed  --cancel-->    cancelled
// Completed and cancelled are final; updating them is an error.
//
// Triggers: an intention fires when its time has come (`at` <= now) or when
// its context trigger matches the context of a check. A context trigger has a
// codebase and/or keywords; it matches when every part it has matches: the
// check's codebase equals the trigger's, and at least one keyword occurs as a
// word (or, for a keyword of several words, as consecutive words) in the
// check's text or topics, ignoring case.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/clock.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// The intention index's fixed id.
inline constexpr Uuid kIntentionIndexId{
    std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0x01, 0x01}};
inline constexpr std::string_view kIntentionEdge = "intention";  // index -> intention
inline constexpr std::string_view kIntentionKey = "intention";

enum class IntentionStatus { kPending, kFired, kSnoozed, kCompleted, kCancelled };

// "pending", "fired", "snoozed", "completed", "cancelled".
std::string_view intention_status_name(IntentionStatus status);
std::optional<IntentionStatus> parse_intention_status(std::string_view name);

struct IntentionTrigger {
  std::optional<Timestamp> at;          // time trigger
  std::optional<std::string> codebase;  // context trigger parts
  std::vector<std::string> keywords;

  bool has_context() const { return codebase.has_value() || !keywords.empty(); }
};

struct Intention {
  Uuid id;
  std::string content;  // what to do
  IntentionTrigger trigger;
  IntentionStatus status = IntentionStatus::kPending;
  int priority = 2;  // 1 low, 2 normal, 3 high, 4 urgent
  Timestamp created_at{};
  std::optional<Timestamp> fired_at;       // the first time it fired
  std::optional<Timestamp> snoozed_until;  // while snoozed
  std::optional<Timestamp> closed_at;      // completed or cancelled
  int fire_count = 0;                      // checks that returned it
};

struct IntentionSpec {
  std::string content;       // must not be empty
  IntentionTrigger trigger;  // needs `at` or a context part
  int priority = 2;          // 1..4
  std::vector<std::string> tags;
};

// What a check looks at.
struct IntentionContext {
  std::optional<std::string> codebase;
  std::string text;  // e.g. the current task or the file being edited
  std::vector<std::string> topics;
};

struct FiredIntention {
  Intention intention;
  std::string
      reason;  // "due since 2026-03-01T09:00:00.000000Z", "context: keyword \"deploy\"", ...
};

enum class IntentionAction { kComplete, kSnooze, kCancel };
std::optional<IntentionAction> parse_intention_action(std::string_view name);

Json to_json(const Intention& intention);
Json to_json(const FiredIntention& fired);

// Not thread-safe for concurrent writers to the same intention (the
// read-modify-write of its metadata is not one transaction).
class Intentions {
 public:
  explicit Intentions(MemoryStore& store);

  // Stores a new pending intention (and the index at the first call).
  // Throws kInvalidInput for empty content, a trigger with neither time nor
  // context, an empty keyword or a priority outside 1..4, before writing.
  Intention set(const IntentionSpec& spec, Timestamp now);

  // The intentions that fire now for `context`, highest priority first, then
  // oldest trigger time, then oldest: those already fired, snoozed ones whose
  // time has come, and pending ones whose trigger matches. Newly fired
  // intentions are written as fired; every returned one has its fire_count
  // raised.
  std::vector<FiredIntention> check(const IntentionContext& context, Timestamp now);

  // Completes, snoozes (until `until`, which must be after `now`) or cancels.
  // Throws kNotFound when `id` is not an intention, kInvalidInput for a
  // completed or cancelled one, a snooze without a later `until`.
  Intention update(const Uuid& id, IntentionAction action, Timestamp now,
                   std::optional<Timestamp> until = std::nullopt);

  // Intentions with the given status (all when nullopt), oldest first.
  std::vector<Intention> list(std::optional<IntentionStatus> status = std::nullopt);

  // The intention with that id, or nullopt when there is none.
  std::optional<Intention> get(const Uuid& id);

 private:
  void write(const Intention& intention);

  MemoryStore& store_;
};

}  // namespace vestige::engine
