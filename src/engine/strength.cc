#include "engine/strength.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "vestige/error.h"

namespace vestige::engine {
namespace {

SchedulingState rescale_stability(SchedulingState state, double factor,
                                  const Scheduler& scheduler) {
  if (!state.last_review) return state;
  state.stability = clamp_stability(clamp_stability(state.stability) * factor);
  state.next_review =
      *state.last_review + std::chrono::days(scheduler.interval_days(state.stability));
  return state;
}

}  // namespace

std::string_view state_name(MemoryState state) {
  switch (state) {
    case MemoryState::kActive:
      return "active";
    case MemoryState::kDormant:
      return "dormant";
    case MemoryState::kSilent:
      return "silent";
    case MemoryState::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

MemoryState memory_state(double retention) {
  if (retention > kActiveAbove) return MemoryState::kActive;
  if (retention > kDormantAbove) return MemoryState::kDormant;
  if (retention > kSilentAbove) return MemoryState::kSilent;
  return MemoryState::kUnavailable;
}

double retention(double retrieval_strength, double storage_strength) {
  const double retrieval = std::clamp(retrieval_strength, 0.0, 1.0);
  const double storage = std::clamp(storage_strength / kStorageSaturation, 0.0, 1.0);
  return kRetrievalWeight * retrieval + kStorageWeight * storage;
}

double retention(const EngineState& engine) {
  return retention(engine.retrieval_strength, engine.storage_strength);
}

double retrieval_strength_at(const EngineState& engine, Timestamp created_at,
                             const std::optional<SchedulingState>& scheduling, Timestamp now) {
  const bool reviewed = scheduling && scheduling->last_review;
  Timestamp since = reviewed ? *scheduling->last_review : created_at;
  if (engine.last_accessed_at) since = std::max(since, *engine.last_accessed_at);
  const double stability =
      reviewed ? clamp_stability(scheduling->stability) : kUnscheduledStabilityDays;
  return fsrs::retrievability(stability, days_between(since, now));
}

double retention_at(const EngineState& engine, Timestamp created_at,
                    const std::optional<SchedulingState>& scheduling, Timestamp now) {
  return retention(retrieval_strength_at(engine, created_at, scheduling, now),
                   engine.storage_strength);
}

RetentionModel retention_model() {
  return RetentionModel{.retrieval_weight = kRetrievalWeight,
                        .storage_weight = kStorageWeight,
                        .storage_saturation = kStorageSaturation,
                        .unscheduled_stability_days = kUnscheduledStabilityDays,
                        .active_above = kActiveAbove,
                        .dormant_above = kDormantAbove,
                        .silent_above = kSilentAbove};
}

EngineState decay(EngineState engine, Timestamp created_at,
                  const std::optional<SchedulingState>& scheduling, Timestamp now) {
  engine.retrieval_strength = retrieval_strength_at(engine, created_at, scheduling, now);
  return engine;
}

EngineState record_access(EngineState engine, Timestamp now) {
  engine.access_count += 1;
  engine.last_accessed_at = now;
  engine.storage_strength += kAccessStorageGain;
  engine.retrieval_strength = 1.0;
  return engine;
}

EngineState record_review(EngineState engine, int rating) {
  if (rating < kAgain || rating > kEasy) {
    throw Error(ErrorCode::kInvalidInput,
                "rating " + std::to_string(rating) +
                    " is not valid: use 1 (again), 2 (hard), 3 (good) or 4 (easy)");
  }
  engine.storage_strength += rating == kAgain ? kFailedReviewStorageGain : kReviewStorageGain;
  engine.retrieval_strength = 1.0;
  return engine;
}

EngineState promote(EngineState engine) {
  engine.retrieval_strength = std::min(1.0, engine.retrieval_strength + kPromoteRetrievalGain);
  return engine;
}

EngineState demote(EngineState engine) {
  engine.retrieval_strength = std::max(0.0, engine.retrieval_strength - kDemoteRetrievalLoss);
  return engine;
}

SchedulingState promote(SchedulingState state, const Scheduler& scheduler) {
  return rescale_stability(std::move(state), kPromoteStabilityFactor, scheduler);
}

SchedulingState demote(SchedulingState state, const Scheduler& scheduler) {
  return rescale_stability(std::move(state), kDemoteStabilityFactor, scheduler);
}

}  // namespace vestige::engine
