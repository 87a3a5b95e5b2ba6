#pragma once

// Dual strength (Bjork's "new theory of disuse", product.md "Reference
// constants"): every memory has a storage strength, how well it is learned,
// which never decays, and a retrieval strength, how easily it comes to mind
// now, which follows the FSRS retrievability curve. Their weighted sum is the
// memory's retention, which names its state. Pure functions of the stored
// values and a `now`: no I/O.

#include <optional>
#include <string_view>

#include "engine/fsrs.h"
#include "vestige/clock.h"
#include "vestige/fsrs.h"
#include "vestige/types.h"

namespace vestige::engine {

// retention = 0.7*retrieval + 0.3*min(storage/10, 1)
inline constexpr double kRetrievalWeight = 0.7;
inline constexpr double kStorageWeight = 0.3;
inline constexpr double kStorageSaturation = 10.0;

// Stability assumed for a memory that has never been reviewed: S0(Good) = w2,
// i.e. storing a memory counts as learning it once with a Good answer. Its
// retrieval strength is then 0.9 after 2.3 days, 0.77 after 10, 0.51 after 180:
// the FSRS power curve fades slowly, so old memories that match a query well
// stay findable.
inline constexpr double kUnscheduledStabilityDays = fsrs::kDefaultWeights[2];

// Storage strength gains (the testing effect: retrieving a memory strengthens
// it more than seeing it again). A recall that returned the memory is passive
// re-exposure: +0.1, so about 90 recalls take the default 1.0 to saturation
// (10). A review is active retrieval: +0.5 when it succeeded (Hard, Good,
// Easy); +0.2 for Again, since a failed attempt followed by the answer still
// strengthens storage, but less.
inline constexpr double kAccessStorageGain = 0.1;
inline constexpr double kReviewStorageGain = 0.5;
inline constexpr double kFailedReviewStorageGain = 0.2;

// Promote: retrieval +0.2 (capped at 1), stability x1.5.
// Demote: retrieval -0.3 (floored at 0), stability x0.5.
inline constexpr double kPromoteRetrievalGain = 0.2;
inline constexpr double kPromoteStabilityFactor = 1.5;
inline constexpr double kDemoteRetrievalLoss = 0.3;
inline constexpr double kDemoteStabilityFactor = 0.5;

// State thresholds: strictly above each bound, so exactly 0.7 is dormant.
inline constexpr double kActiveAbove = 0.7;
inline constexpr double kDormantAbove = 0.4;
inline constexpr double kSilentAbove = 0.1;

enum class MemoryState { kActive, kDormant, kSilent, kUnavailable };

// "active", "dormant", "silent", "unavailable".
std::string_view state_name(MemoryState state);

// active > 0.7 >= dormant > 0.4 >= silent > 0.1 >= unavailable.
MemoryState memory_state(double retention);

// 0.7*retrieval + 0.3*min(storage/10, 1); retrieval is clamped to [0, 1] and
// negative storage counts as 0, so the result is in [0, 1].
double retention(double retrieval_strength, double storage_strength);
// From the stored snapshot of both strengths.
double retention(const EngineState& engine);

// Retrieval strength at `now`: R(t, S) from the FSRS curve, where
//  - a memory with a reviewed scheduling state uses its stability, and t runs
//    from the later of its last review and its last access;
//  - any other memory (no scheduling row, or one never reviewed) uses
//    kUnscheduledStabilityDays, and t runs from the later of its creation and
//    its last access.
// A recall that returned the memory resets the clock because the agent saw it
// again; it does not change stability, which only reviews (and promote/demote)
// do. A reference time after `now` gives 1.
double retrieval_strength_at(const EngineState& engine, Timestamp created_at,
                             const std::optional<SchedulingState>& scheduling, Timestamp now);

// retention(retrieval_strength_at(...), engine.storage_strength): what recall's
// min_retention compares against.
double retention_at(const EngineState& engine, Timestamp created_at,
                    const std::optional<SchedulingState>& scheduling, Timestamp now);

// The constants above as the store's RetentionModel, so that
// MemoryStore::retention_summary aggregates retention_at over every memory.
RetentionModel retention_model();

// The decay pass: sets retrieval_strength to retrieval_strength_at(...) and
// leaves everything else, storage strength included, as it was. This
// overwrites an earlier promote/demote adjustment of the snapshot; what lasts
// of those is their stability change.
EngineState decay(EngineState engine, Timestamp created_at,
                  const std::optional<SchedulingState>& scheduling, Timestamp now);

// A recall returned the memory at `now`: access_count + 1, last_accessed_at =
// now, storage + kAccessStorageGain, retrieval strength 1 (it was just seen).
EngineState record_access(EngineState engine, Timestamp now);

// A review with `rating` happened: storage + kReviewStorageGain (or
// kFailedReviewStorageGain for Again), retrieval strength 1 (the review just
// reset the FSRS clock). Throws Error(kInvalidInput) for a rating outside 1..4.
EngineState record_review(EngineState engine, int rating);

// The strength half of promote/demote: retrieval strength +0.2 capped at 1, or
// -0.3 floored at 0. Storage strength is untouched (it never decays).
EngineState promote(EngineState engine);
EngineState demote(EngineState engine);

// The scheduling half: stability x1.5 or x0.5, clamped to [0.1, 36500], and
// next_review moved to last_review + the interval of the new stability, so the
// due date agrees with the stability. A state never reviewed has no stability
// yet and is returned unchanged; its first review sets one.
SchedulingState promote(SchedulingState state, const Scheduler& scheduler);
SchedulingState demote(SchedulingState state, const Scheduler& scheduler);

}  // namespace vestige::engine
