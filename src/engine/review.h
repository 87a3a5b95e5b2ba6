#pragma once

// Applying a review to a stored memory: the FSRS update of its scheduling, the
// review log entry and the storage-strength gain, as one engine operation for
// the CLI's `review` and the server's memory review.

#include "engine/fsrs.h"
#include "vestige/clock.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

struct ReviewResult {
  Uuid memory_id;
  int rating = 0;
  // Retrievability just before the review (1 for a first review).
  double retrievability = 1.0;
  SchedulingState state;  // as stored after the review
  ReviewEvent event;      // as appended, with its id
  int interval_days = 0;  // until next_review
};

Json to_json(const ReviewResult& result);

// Reads the memory's scheduling (its initial state when it has none), applies
// `rating` with `scheduler`, stores the new state, appends the review event and
// records the review on the memory's engine state (record_review in
// strength.h). Throws kNotFound when the memory does not exist and
// kInvalidInput for a rating outside 1..4, before writing anything.
ReviewResult review_memory(MemoryStore& store, const Scheduler& scheduler, const Uuid& id,
                           int rating, Timestamp now);

}  // namespace vestige::engine
