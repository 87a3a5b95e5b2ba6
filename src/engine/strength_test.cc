#include "engine/strength.h"

#include <chrono>

#include <gtest/gtest.h>

#include "vestige/error.h"

// Expected values are computed by hand; f = 0.9^(-1/0.1542) - 1 = 0.980346 and
// R(t, S) = (1 + f*t/S)^(-0.1542).

namespace vestige::engine {
namespace {

using std::chrono::days;
using std::chrono::hours;

constexpr double kTol = 1e-5;

const Uuid kMemory = *Uuid::parse("0190f5a0-0000-7000-8000-000000000002");

Timestamp t0() {
  return *parse_timestamp("2026-01-01T00:00:00Z");
}

SchedulingState reviewed_at(Timestamp when, double stability) {
  SchedulingState s;
  s.memory_id = kMemory;
  s.stability = stability;
  s.difficulty = 5.0;
  s.reps = 1;
  s.state = "review";
  s.last_review = when;
  s.next_review = when + days(static_cast<int>(stability));
  return s;
}

TEST(Strength, StateNames) {
  EXPECT_EQ(state_name(MemoryState::kActive), "active");
  EXPECT_EQ(state_name(MemoryState::kDormant), "dormant");
  EXPECT_EQ(state_name(MemoryState::kSilent), "silent");
  EXPECT_EQ(state_name(MemoryState::kUnavailable), "unavailable");
}

TEST(Strength, StateThresholdsAreStrict) {
  EXPECT_EQ(memory_state(1.0), MemoryState::kActive);
  EXPECT_EQ(memory_state(0.7000001), MemoryState::kActive);
  EXPECT_EQ(memory_state(0.7), MemoryState::kDormant);
  EXPECT_EQ(memory_state(0.4000001), MemoryState::kDormant);
  EXPECT_EQ(memory_state(0.4), MemoryState::kSilent);
  EXPECT_EQ(memory_state(0.1000001), MemoryState::kSilent);
  EXPECT_EQ(memory_state(0.1), MemoryState::kUnavailable);
  EXPECT_EQ(memory_state(0.0), MemoryState::kUnavailable);
}

TEST(Strength, RetentionWeighsBothStrengths) {
  // 0.7*1 + 0.3*min(0/10, 1) = 0.7 exactly: dormant, not active.
  EXPECT_DOUBLE_EQ(retention(1.0, 0.0), 0.7);
  EXPECT_EQ(memory_state(retention(1.0, 0.0)), MemoryState::kDormant);
  // 0.7*0.5 + 0.3*5/10 = 0.35 + 0.15 = 0.5
  EXPECT_DOUBLE_EQ(retention(0.5, 5.0), 0.5);
  // Storage saturates at 10: 0.7*1 + 0.3*1 = 1, and 0 + 0.3*min(20/10, 1) = 0.3.
  EXPECT_DOUBLE_EQ(retention(1.0, 10.0), 1.0);
  EXPECT_DOUBLE_EQ(retention(0.0, 20.0), 0.3);
  EXPECT_EQ(memory_state(retention(0.0, 20.0)), MemoryState::kSilent);
  // Out-of-range inputs stay within [0, 1].
  EXPECT_DOUBLE_EQ(retention(1.5, -3.0), 0.7);
  EXPECT_DOUBLE_EQ(retention(-0.5, 0.0), 0.0);
  // The defaults (retrieval 1, storage 1): 0.7 + 0.3*0.1 = 0.73, active.
  EXPECT_DOUBLE_EQ(retention(EngineState{}), 0.73);
  EXPECT_EQ(memory_state(retention(EngineState{})), MemoryState::kActive);
}

TEST(Strength, UnscheduledMemoryDecaysFromCreation) {
  const EngineState engine;
  // 10 days, S = 2.3065: 1 + 0.980346*10/2.3065 = 5.250364; 5.250364^(-0.1542)
  //   = e^(-0.1542*1.658297) = 0.774367
  EXPECT_NEAR(retrieval_strength_at(engine, t0(), std::nullopt, t0() + days(10)), 0.774367, kTol);
  // Retention: 0.7*0.774367 + 0.3*0.1 = 0.572057, dormant.
  const double r = retention_at(engine, t0(), std::nullopt, t0() + days(10));
  EXPECT_NEAR(r, 0.572057, kTol);
  EXPECT_EQ(memory_state(r), MemoryState::kDormant);
  // At creation nothing has faded; after S0 = 2.3065 days R = 0.9.
  EXPECT_DOUBLE_EQ(retrieval_strength_at(engine, t0(), std::nullopt, t0()), 1.0);
  // 180 days: 1 + 0.980346*180/2.3065 = 77.506; 77.506^(-0.1542) = 0.511286. Old memories fade
  // slowly.
  EXPECT_NEAR(retrieval_strength_at(engine, t0(), std::nullopt, t0() + days(180)), 0.511286, kTol);
}

TEST(Strength, AccessResetsTheClock) {
  EngineState engine;
  engine.last_accessed_at = t0() + days(8);
  // 2 days since the access: 1 + 0.980346*2/2.3065 = 1.850073; ^(-0.1542) = 0.909493
  EXPECT_NEAR(retrieval_strength_at(engine, t0(), std::nullopt, t0() + days(10)), 0.909493, kTol);
}

TEST(Strength, ScheduledMemoryUsesItsStability) {
  const EngineState engine;
  const auto scheduling = reviewed_at(t0(), 10.0);
  // t = S = 10 days: R = 0.9 by construction.
  EXPECT_NEAR(retrieval_strength_at(engine, t0() - days(30), scheduling, t0() + days(10)), 0.9,
              1e-12);
  // Accessed 5 days after the review: 1 + 0.980346*5/10 = 1.490173; ^(-0.1542) = 0.940344
  EngineState accessed;
  accessed.last_accessed_at = t0() + days(5);
  EXPECT_NEAR(retrieval_strength_at(accessed, t0() - days(30), scheduling, t0() + days(10)),
              0.940344, kTol);
  // An access before the review does not move the clock back.
  accessed.last_accessed_at = t0() - days(5);
  EXPECT_NEAR(retrieval_strength_at(accessed, t0() - days(30), scheduling, t0() + days(10)), 0.9,
              1e-12);
}

TEST(Strength, NeverReviewedSchedulingCountsAsUnscheduled) {
  const Scheduler scheduler;
  const EngineState engine;
  const auto fresh = scheduler.initial_state(kMemory, t0());
  EXPECT_NEAR(retrieval_strength_at(engine, t0(), fresh, t0() + days(10)), 0.774367, kTol);
}

TEST(Strength, FutureReferenceTimeGivesFullStrength) {
  EngineState engine;
  engine.last_accessed_at = t0() + days(1);
  EXPECT_DOUBLE_EQ(retrieval_strength_at(engine, t0(), std::nullopt, t0() + hours(1)), 1.0);
}

TEST(Strength, DecayUpdatesOnlyRetrieval) {
  EngineState engine;
  engine.storage_strength = 4.0;
  engine.access_count = 3;
  engine.importance = 0.8;
  const EngineState decayed = decay(engine, t0(), std::nullopt, t0() + days(10));
  EXPECT_NEAR(decayed.retrieval_strength, 0.774367, kTol);
  EngineState expected = engine;
  expected.retrieval_strength = decayed.retrieval_strength;
  EXPECT_EQ(decayed, expected);
  // Storage strength never decays, however much time passes.
  EXPECT_DOUBLE_EQ(decay(engine, t0(), std::nullopt, t0() + days(36500)).storage_strength, 4.0);
}

TEST(Strength, AccessGrowsStorage) {
  EngineState engine;
  engine.retrieval_strength = 0.4;
  const EngineState after = record_access(engine, t0() + days(3));
  EXPECT_EQ(after.access_count, 1);
  EXPECT_EQ(after.last_accessed_at, t0() + days(3));
  EXPECT_DOUBLE_EQ(after.storage_strength, 1.1);  // 1.0 + 0.1
  EXPECT_DOUBLE_EQ(after.retrieval_strength, 1.0);
  // Storage keeps growing past the saturation of the retention term.
  EngineState strong;
  strong.storage_strength = 12.0;
  EXPECT_DOUBLE_EQ(record_access(strong, t0()).storage_strength, 12.1);
}

TEST(Strength, ReviewGrowsStorageMoreThanAccess) {
  EngineState engine;
  engine.retrieval_strength = 0.3;
  const EngineState good = record_review(engine, 3);
  EXPECT_DOUBLE_EQ(good.storage_strength, 1.5);  // 1.0 + 0.5
  EXPECT_DOUBLE_EQ(good.retrieval_strength, 1.0);
  EXPECT_EQ(good.access_count, 0) << "a review is not a recall";
  EXPECT_DOUBLE_EQ(record_review(engine, 2).storage_strength, 1.5);
  EXPECT_DOUBLE_EQ(record_review(engine, 4).storage_strength, 1.5);
  EXPECT_DOUBLE_EQ(record_review(engine, 1).storage_strength, 1.2);  // 1.0 + 0.2
  for (int rating : {0, 5}) {
    try {
      record_review(engine, rating);
      ADD_FAILURE() << "rating " << rating << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    }
  }
}

TEST(Strength, PromoteAndDemoteRetrieval) {
  EngineState engine;
  engine.retrieval_strength = 0.5;
  engine.storage_strength = 3.0;
  EXPECT_DOUBLE_EQ(promote(engine).retrieval_strength, 0.7);  // 0.5 + 0.2
  EXPECT_DOUBLE_EQ(demote(engine).retrieval_strength, 0.2);   // 0.5 - 0.3
  EXPECT_DOUBLE_EQ(promote(engine).storage_strength, 3.0);
  EXPECT_DOUBLE_EQ(demote(engine).storage_strength, 3.0);
  engine.retrieval_strength = 0.9;
  EXPECT_DOUBLE_EQ(promote(engine).retrieval_strength, 1.0);  // 1.1 capped
  engine.retrieval_strength = 0.1;
  EXPECT_DOUBLE_EQ(demote(engine).retrieval_strength, 0.0);  // -0.2 floored
}

TEST(Strength, PromoteAndDemoteStability) {
  const Scheduler scheduler;
  const SchedulingState s = reviewed_at(t0(), 10.0);

  // 10*1.5 = 15; next review = last review + round(15) days.
  const SchedulingState up = promote(s, scheduler);
  EXPECT_DOUBLE_EQ(up.stability, 15.0);
  EXPECT_EQ(up.next_review, t0() + days(15));
  // 10*0.5 = 5.
  const SchedulingState down = demote(s, scheduler);
  EXPECT_DOUBLE_EQ(down.stability, 5.0);
  EXPECT_EQ(down.next_review, t0() + days(5));
  EXPECT_EQ(down.difficulty, s.difficulty);
  EXPECT_EQ(down.reps, s.reps);

  // Clamped: 30000*1.5 = 45000 -> 36500; 0.15*0.5 = 0.075 -> 0.1 (interval 1 day).
  EXPECT_DOUBLE_EQ(promote(reviewed_at(t0(), 30000.0), scheduler).stability, 36500.0);
  const SchedulingState floor = demote(reviewed_at(t0(), 0.15), scheduler);
  EXPECT_DOUBLE_EQ(floor.stability, 0.1);
  EXPECT_EQ(floor.next_review, t0() + days(1));

  // A never-reviewed state has no stability to scale.
  const SchedulingState fresh = scheduler.initial_state(kMemory, t0());
  EXPECT_EQ(promote(fresh, scheduler), fresh);
  EXPECT_EQ(demote(fresh, scheduler), fresh);
}

TEST(Strength, PromotedStabilityRaisesLaterRetrieval) {
  const Scheduler scheduler;
  const EngineState engine;
  const SchedulingState s = reviewed_at(t0(), 10.0);
  // After 10 days: R(10, 15) = (1 + 0.980346*10/15)^(-0.1542) = 1.653564^(-0.1542) = 0.925379,
  // above R(10, 10) = 0.9.
  EXPECT_NEAR(retrieval_strength_at(engine, t0(), promote(s, scheduler), t0() + days(10)), 0.925379,
              kTol);
}

}  // namespace
}  // namespace vestige::engine
