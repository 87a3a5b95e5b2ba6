#include "engine/review.h"

#include <fmt/format.h>

#include <cmath>
#include <span>

#include "engine/strength.h"
#include "vestige/error.h"

namespace vestige::engine {

Json to_json(const ReviewResult& result) {
  return Json{{"memory_id", result.memory_id},
              {"rating", result.rating},
              {"retrievability_before", result.retrievability},
              {"stability", result.state.stability},
              {"difficulty", result.state.difficulty},
              {"reps", result.state.reps},
              {"lapses", result.state.lapses},
              {"state", result.state.state},
              {"next_review", format_timestamp(result.state.next_review)},
              {"interval_days", result.interval_days},
              {"review_event_id", result.event.id}};
}

ReviewResult review_memory(MemoryStore& store, const Scheduler& scheduler, const Uuid& id,
                           int rating, Timestamp now) {
  if (rating < kAgain || rating > kEasy) {
    throw Error(
        ErrorCode::kInvalidInput,
        fmt::format("review: rating {} is not 1 (again), 2 (hard), 3 (good) or 4 (easy)", rating));
  }
  std::optional<Memory> memory = store.get(id);
  if (!memory) {
    throw Error(ErrorCode::kNotFound, fmt::format("review: no memory with id {}", id.to_string()));
  }
  const SchedulingState prior = store.get_scheduling(id).value_or(scheduler.initial_state(id, now));
  ReviewResult result;
  result.memory_id = id;
  result.rating = rating;
  if (prior.last_review) {
    result.retrievability =
        scheduler.retrievability(prior.stability, days_between(*prior.last_review, now));
  }
  const ReviewOutcome outcome = scheduler.review(prior, rating, now);
  store.upsert_scheduling(outcome.state);
  result.event = store.append_review_event(outcome.event);
  // Only engine state changes: written without rewriting the row.
  const EngineStateUpdate update{.id = id, .engine = record_review(memory->engine, rating)};
  store.update_engine_state(std::span(&update, 1));
  result.state = outcome.state;
  result.interval_days =
      static_cast<int>(std::lround(days_between(now, outcome.state.next_review)));
  return result;
}

}  // namespace vestige::engine
