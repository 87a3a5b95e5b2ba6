#include "engine/fsrs.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "vestige/error.h"

// Expected values are computed by hand from the default weights
//   w0..w20 = 0.212 1.2931 2.3065 8.2956 6.4133 0.8334 3.0194 0.001 1.8722
//             0.1666 0.796 1.4835 0.0614 0.2629 1.6483 0.6014 1.8729 0.5425
//             0.0912 0.0658 0.1542
// with the intermediate results written next to each expectation, rounded to
// six or seven significant digits, hence the tolerance.

namespace vestige::engine {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;

constexpr double kTol = 1e-4;

const Uuid kMemory = *Uuid::parse("0190f5a0-0000-7000-8000-000000000001");

Timestamp t0() {
  return *parse_timestamp("2026-01-01T00:00:00Z");
}

// A state reviewed once at t0 with the given values.
SchedulingState reviewed(double stability, double difficulty, std::string state = "review") {
  SchedulingState s;
  s.memory_id = kMemory;
  s.stability = stability;
  s.difficulty = difficulty;
  s.reps = 1;
  s.state = std::move(state);
  s.last_review = t0();
  s.next_review = t0() + days(1);
  return s;
}

void expect_invalid_input(const std::function<void()>& f) {
  try {
    f();
    ADD_FAILURE() << "expected Error(kInvalidInput)";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput) << e.what();
  }
}

TEST(Scheduler, InitialStateIsNewAndDueNow) {
  const Scheduler scheduler;
  const SchedulingState s = scheduler.initial_state(kMemory, t0());
  EXPECT_EQ(s.memory_id, kMemory);
  EXPECT_EQ(s.state, "new");
  EXPECT_FALSE(s.last_review);
  EXPECT_EQ(s.next_review, t0());
  EXPECT_EQ(s.stability, 0.0);
  EXPECT_EQ(s.difficulty, 0.0);
  EXPECT_EQ(s.reps, 0);
  EXPECT_EQ(s.lapses, 0);
}

TEST(Scheduler, RetrievabilityIsTheSharedFormula) {
  const Scheduler scheduler;
  // f = 0.9^(-1/0.1542) - 1 = e^(0.1053605*6.485084) - 1 = 1.980346 - 1 = 0.980346.
  // R(t=10, S=2) = (1 + 0.980346*5)^(-0.1542) = 5.901730^(-0.1542) = 0.760528.
  EXPECT_NEAR(scheduler.retrievability(2.0, 10.0), 0.760528, kTol);
  EXPECT_DOUBLE_EQ(scheduler.retrievability(2.0, 10.0), fsrs::retrievability(2.0, 10.0));
  EXPECT_NEAR(scheduler.retrievability(7.5, 7.5), 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(scheduler.retrievability(7.5, 0.0), 1.0);
}

TEST(Scheduler, InitialDifficultyFormula) {
  const Scheduler scheduler;
  // D0(G) = w4 - e^(w5*(G-1)) + 1
  // D0(1) = 6.4133 - e^0 + 1 = 6.4133
  // D0(2) = 6.4133 - e^0.8334 + 1 = 6.4133 - 2.301129 + 1 = 5.112171
  // D0(3) = 6.4133 - e^1.6668 + 1 = 6.4133 - 5.295196 + 1 = 2.118104
  // D0(4) = 6.4133 - e^2.5002 + 1 = 6.4133 - 12.184931 + 1 = -4.771631 (unclamped)
  EXPECT_NEAR(scheduler.initial_difficulty(1), 6.4133, kTol);
  EXPECT_NEAR(scheduler.initial_difficulty(2), 5.112171, kTol);
  EXPECT_NEAR(scheduler.initial_difficulty(3), 2.118104, kTol);
  EXPECT_NEAR(scheduler.initial_difficulty(4), -4.771631, kTol);
  // S0(G) = w[G-1]
  EXPECT_DOUBLE_EQ(scheduler.initial_stability(1), 0.212);
  EXPECT_DOUBLE_EQ(scheduler.initial_stability(4), 8.2956);
}

TEST(Scheduler, FirstReviewGood) {
  const Scheduler scheduler;
  const SchedulingState prior = scheduler.initial_state(kMemory, t0());
  const ReviewOutcome out = scheduler.review(prior, 3, t0());
  // S = S0(3) = w2 = 2.3065; D = D0(3) = 2.118104; I = round(2.3065) = 2 days.
  EXPECT_DOUBLE_EQ(out.state.stability, 2.3065);
  EXPECT_NEAR(out.state.difficulty, 2.118104, kTol);
  EXPECT_EQ(out.state.next_review, t0() + days(2));
  EXPECT_EQ(out.state.last_review, t0());
  EXPECT_EQ(out.state.reps, 1);
  EXPECT_EQ(out.state.lapses, 0);
  EXPECT_EQ(out.state.state, "review");
  EXPECT_EQ(out.state.memory_id, kMemory);

  EXPECT_EQ(out.event.id, 0);
  EXPECT_EQ(out.event.memory_id, kMemory);
  EXPECT_EQ(out.event.reviewed_at, t0());
  EXPECT_EQ(out.event.rating, 3);
  EXPECT_FALSE(out.event.prior_state) << "the first review has no prior state";
  EXPECT_EQ(out.event.new_state, out.state);
}

TEST(Scheduler, FirstReviewAgainHardEasy) {
  const Scheduler scheduler;
  const SchedulingState prior = scheduler.initial_state(kMemory, t0());

  // Again: S = 0.212, D = 6.4133, I = round(0.212) = 0 -> at least 1 day.
  const ReviewOutcome again = scheduler.review(prior, 1, t0());
  EXPECT_DOUBLE_EQ(again.state.stability, 0.212);
  EXPECT_NEAR(again.state.difficulty, 6.4133, kTol);
  EXPECT_EQ(again.state.next_review, t0() + days(1));
  EXPECT_EQ(again.state.state, "learning");
  EXPECT_EQ(again.state.lapses, 1);

  // Hard: S = 1.2931, D = 5.112171, I = round(1.2931) = 1 day.
  const ReviewOutcome hard = scheduler.review(prior, 2, t0());
  EXPECT_DOUBLE_EQ(hard.state.stability, 1.2931);
  EXPECT_NEAR(hard.state.difficulty, 5.112171, kTol);
  EXPECT_EQ(hard.state.next_review, t0() + days(1));
  EXPECT_EQ(hard.state.state, "review");

  // Easy: S = 8.2956, D = D0(4) = -4.771631 clamped to 1, I = round(8.2956) = 8 days.
  const ReviewOutcome easy = scheduler.review(prior, 4, t0());
  EXPECT_DOUBLE_EQ(easy.state.stability, 8.2956);
  EXPECT_DOUBLE_EQ(easy.state.difficulty, 1.0);
  EXPECT_EQ(easy.state.next_review, t0() + days(8));
  EXPECT_EQ(easy.state.lapses, 0);
}

TEST(Scheduler, SuccessAfterExactlyStabilityDays) {
  const Scheduler scheduler;
  const SchedulingState first =
      scheduler.review(scheduler.initial_state(kMemory, t0()), 3, t0()).state;
  // 2.3065 days = 199,281.6 s: exact in microseconds, so R = 0.9 exactly (up to rounding).
  const Timestamp later = t0() + microseconds(199'281'600'000);
  EXPECT_NEAR(scheduler.retrievability(first.stability, days_between(t0(), later)), 0.9, 1e-12);

  const ReviewOutcome out = scheduler.review(first, 3, later);
  // S' = S*(1 + e^w8*(11-D)*S^(-w9)*(e^(w10*(1-R)) - 1))
  //   e^1.8722 = 6.502586; 11 - 2.118104 = 8.881896; 2.3065^(-0.1666) = 0.870025;
  //   e^(0.796*0.1) - 1 = 0.082854
  //   6.502586*8.881896*0.870025*0.082854 = 4.163293
  //   S' = 2.3065*5.163293 = 11.909123
  EXPECT_NEAR(out.state.stability, 11.909123, kTol);
  // D' = w7*D0(4) + (1-w7)*(D - w6*0*(10-D)/9) = 0.001*(-4.771631) + 0.999*2.118104
  //    = -0.004772 + 2.115986 = 2.111214
  EXPECT_NEAR(out.state.difficulty, 2.111214, kTol);
  // I = round(11.909123) = 12 days from the review.
  EXPECT_EQ(out.state.next_review, later + days(12));
  EXPECT_EQ(out.state.reps, 2);
  EXPECT_EQ(out.state.state, "review");
  ASSERT_TRUE(out.event.prior_state);
  EXPECT_EQ(*out.event.prior_state, first);
  EXPECT_EQ(out.event.new_state, out.state);
}

TEST(Scheduler, HardAndEasyMultipliers) {
  const Scheduler scheduler;
  const SchedulingState first =
      scheduler.review(scheduler.initial_state(kMemory, t0()), 3, t0()).state;
  const Timestamp later = t0() + microseconds(199'281'600'000);  // R = 0.9

  // Hard: the growth term 4.163293 above times w15 = 0.6014: 2.503805.
  //   S' = 2.3065*3.503805 = 8.081525
  //   D' = 0.001*(-4.771631) + 0.999*(2.118104 + 3.0194*(10-2.118104)/9)
  //      = -0.004772 + 0.999*4.762393 = 4.752859
  const ReviewOutcome hard = scheduler.review(first, 2, later);
  EXPECT_NEAR(hard.state.stability, 8.081525, kTol);
  EXPECT_NEAR(hard.state.difficulty, 4.752859, kTol);
  EXPECT_EQ(hard.state.next_review, later + days(8));

  // Easy: 4.163293 times w16 = 1.8729: 7.797422. S' = 2.3065*8.797422 = 20.291254
  //   D' = -0.004772 + 0.999*(2.118104 - 3.0194*7.881896/9) = -0.004772 + 0.999*(-0.526185)
  //      = -0.530430 -> clamped to 1
  const ReviewOutcome easy = scheduler.review(first, 4, later);
  EXPECT_NEAR(easy.state.stability, 20.291254, kTol);
  EXPECT_DOUBLE_EQ(easy.state.difficulty, 1.0);
  EXPECT_EQ(easy.state.next_review, later + days(20));
}

TEST(Scheduler, LapseThenRelearn) {
  const Scheduler scheduler;
  const SchedulingState first =
      scheduler.review(scheduler.initial_state(kMemory, t0()), 3, t0()).state;
  const Timestamp later = t0() + microseconds(199'281'600'000);  // R = 0.9

  const ReviewOutcome lapse = scheduler.review(first, 1, later);
  // S' = min(S, w11*D^(-w12)*((S+1)^w13 - 1)*e^(w14*(1-R)))
  //   2.118104^(-0.0614) = 0.954964; 3.3065^0.2629 = 1.369437; e^(1.6483*0.1) = 1.179193
  //   1.4835*0.954964*0.369437*1.179193 = 0.617162 < 2.3065
  EXPECT_NEAR(lapse.state.stability, 0.617162, kTol);
  // D' = -0.004772 + 0.999*(2.118104 + 3.0194*2*7.881896/9) = -0.004772 + 0.999*7.406681
  //    = 7.394503
  EXPECT_NEAR(lapse.state.difficulty, 7.394503, kTol);
  EXPECT_EQ(lapse.state.next_review, later + days(1));  // round(0.617162) = 1
  EXPECT_EQ(lapse.state.state, "relearning");
  EXPECT_EQ(lapse.state.lapses, 1);
  EXPECT_EQ(lapse.state.reps, 2);

  const Timestamp next_day = later + days(1);
  const ReviewOutcome relearned = scheduler.review(lapse.state, 3, next_day);
  EXPECT_EQ(relearned.state.state, "review");
  EXPECT_EQ(relearned.state.lapses, 1);
  EXPECT_EQ(relearned.state.reps, 3);
  EXPECT_GT(relearned.state.stability, lapse.state.stability);
}

TEST(Scheduler, LapseNeverRaisesStability) {
  const Scheduler scheduler;
  // w11*D^(-w12)*((S+1)^w13 - 1)*e^(w14*(1-R)) with S = 0.1, D = 1, R = 0:
  //   1.4835*1*(1.1^0.2629 - 1)*e^1.6483 = 1.4835*0.025374*5.198574 = 0.195667 > 0.1
  EXPECT_DOUBLE_EQ(scheduler.stability_after_lapse(0.1, 1.0, 0.0), 0.1);
}

TEST(Scheduler, SameDayReview) {
  const Scheduler scheduler;
  const SchedulingState first =
      scheduler.review(scheduler.initial_state(kMemory, t0()), 3, t0()).state;
  const Timestamp noon = t0() + hours(12);

  // S' = S*e^(w17*(G-3+w18))*S^(-w19); 2.3065^(-0.0658) = 0.946494
  // Hard: e^(0.5425*(-0.9088)) = 0.610777; S' = 2.3065*0.610777*0.946494 = 1.333379
  const ReviewOutcome hard = scheduler.review(first, 2, noon);
  EXPECT_NEAR(hard.state.stability, 1.333379, kTol);
  EXPECT_NEAR(hard.state.difficulty, 4.752859, kTol);  // same update as a later review
  EXPECT_EQ(hard.state.next_review, noon + days(1));

  // Again: e^(0.5425*(-1.9088)) = 0.355040; S' = 2.3065*0.355040*0.946494 = 0.775084
  const ReviewOutcome again = scheduler.review(first, 1, noon);
  EXPECT_NEAR(again.state.stability, 0.775084, kTol);
  EXPECT_EQ(again.state.state, "relearning");

  // Easy: e^(0.5425*1.0912) = 1.807557; S' = 2.3065*1.807557*0.946494 = 3.946054
  const ReviewOutcome easy = scheduler.review(first, 4, noon);
  EXPECT_NEAR(easy.state.stability, 3.946054, kTol);
  EXPECT_EQ(easy.state.next_review, noon + days(4));

  // Just under a day is still the same day.
  const ReviewOutcome almost = scheduler.review(first, 2, t0() + days(1) - microseconds(1));
  EXPECT_NEAR(almost.state.stability, 1.333379, kTol);
}

TEST(Scheduler, SameDaySuccessNeverLowersStability) {
  const Scheduler scheduler;
  // Good: e^(0.5425*0.0912) = 1.050720; 1.050720*0.946494 = 0.994500 < 1 -> floored to 1.
  const SchedulingState first =
      scheduler.review(scheduler.initial_state(kMemory, t0()), 3, t0()).state;
  EXPECT_DOUBLE_EQ(scheduler.review(first, 3, t0() + hours(1)).state.stability, 2.3065);
  // S = 100: 1.050720*100^(-0.0658) = 1.050720*0.738584 = 0.776045 -> floored to 1.
  EXPECT_DOUBLE_EQ(scheduler.stability_same_day(100.0, 3), 100.0);
  // Hard may lower it: 100*0.610777*0.738584 = 45.111.
  EXPECT_NEAR(scheduler.stability_same_day(100.0, 2), 45.111, 1e-3);
}

TEST(Scheduler, ClampsStabilityAtBothEnds) {
  const Scheduler scheduler;
  // Upper: S = 36500, D = 1, Easy after 36500 days (R = 0.9):
  //   36500^(-0.1666) = 0.173749; growth = 6.502586*(11-1)*0.173749*0.082854*1.8729 = 1.753216
  //   S' = 36500*2.753216 = 100,492 -> 36500; I = 36500 days.
  const SchedulingState big = reviewed(36500.0, 1.0);
  const Timestamp much_later = t0() + days(36500);
  const ReviewOutcome up = scheduler.review(big, 4, much_later);
  EXPECT_DOUBLE_EQ(up.state.stability, 36500.0);
  EXPECT_EQ(up.state.next_review, much_later + days(36500));

  // Lower, lapse: S = 0.1, D = 10, Again after 1 day:
  //   R = (1 + 0.980346*10)^(-0.1542) = 0.692827
  //   1.4835*10^(-0.0614)*(1.1^0.2629 - 1)*e^(1.6483*0.307173) = 0.054220 -> 0.1
  const SchedulingState tiny = reviewed(0.1, 10.0);
  const ReviewOutcome down = scheduler.review(tiny, 1, t0() + days(1));
  EXPECT_DOUBLE_EQ(down.state.stability, 0.1);
  EXPECT_EQ(down.state.next_review, t0() + days(2));

  // Lower, same day: 0.1*e^(0.5425*(-1.9088))*0.1^(-0.0658) = 0.1*0.355040*1.163590 = 0.041312
  const ReviewOutcome same_day = scheduler.review(tiny, 1, t0() + hours(2));
  EXPECT_DOUBLE_EQ(same_day.state.stability, 0.1);
}

TEST(Scheduler, ClampsDifficultyAtBothEnds) {
  const Scheduler scheduler;
  // Lower: D = 1, Easy: 0.001*(-4.771631) + 0.999*(1 - 3.0194*9/9) = -2.022 -> 1.
  EXPECT_DOUBLE_EQ(scheduler.next_difficulty(1.0, 4), 1.0);
  // At 10 the damping term vanishes: 0.001*(-4.771631) + 0.999*10 = 9.985228.
  EXPECT_NEAR(scheduler.next_difficulty(10.0, 1), 9.985228, kTol);
  // Upper, with weights that revert to D0(4) = 20 - e^0 + 1 = 20: clamped to 10.
  Scheduler::Weights w = fsrs::kDefaultWeights;
  w[4] = 20.0;
  w[5] = 0.0;
  w[7] = 1.0;
  EXPECT_DOUBLE_EQ(Scheduler(w).next_difficulty(5.0, 3), 10.0);
  // First review with D0 above 10: D0(1) = 20 - 1 + 1 = 20 -> 10.
  const Scheduler harsh(w);
  EXPECT_DOUBLE_EQ(harsh.review(harsh.initial_state(kMemory, t0()), 1, t0()).state.difficulty,
                   10.0);
}

TEST(Scheduler, ClampsOutOfRangePriorState) {
  const Scheduler scheduler;
  // A row holding S = 0 and D = 42 is read as S = 0.1, D = 10; a same-day Hard gives
  // 0.1*0.610777*1.163590 = 0.071069 -> 0.1, and D' = 9.985228 + 0.999*3.0194*0/9.
  const ReviewOutcome out = scheduler.review(reviewed(0.0, 42.0), 2, t0() + hours(1));
  EXPECT_DOUBLE_EQ(out.state.stability, 0.1);
  EXPECT_NEAR(out.state.difficulty, 9.985228, kTol);
  EXPECT_TRUE(std::isfinite(out.state.stability));
}

TEST(Scheduler, IntervalIsRoundedAtLeastOneDayAtMostACentury) {
  const Scheduler scheduler;
  EXPECT_EQ(scheduler.interval_days(0.1), 1);
  EXPECT_EQ(scheduler.interval_days(0.5), 1);  // rounds half away from zero
  EXPECT_EQ(scheduler.interval_days(1.49), 1);
  EXPECT_EQ(scheduler.interval_days(2.5), 3);
  EXPECT_EQ(scheduler.interval_days(11.909123), 12);
  EXPECT_EQ(scheduler.interval_days(36500.0), 36500);

  // Desired retention 0.8: I = S/f*(0.8^(-1/0.1542) - 1) = 10/0.980346*(4.250790 - 1)
  //   = 33.1596 -> 33 days.
  const Scheduler relaxed(fsrs::kDefaultWeights, 0.8);
  EXPECT_EQ(relaxed.interval_days(10.0), 33);
  EXPECT_EQ(relaxed.interval_days(36500.0), 36500);
}

TEST(Scheduler, RejectsInvalidRatings) {
  const Scheduler scheduler;
  const SchedulingState prior = scheduler.initial_state(kMemory, t0());
  for (int rating : {0, 5, -1, 100}) {
    expect_invalid_input([&] { scheduler.review(prior, rating, t0()); });
  }
  SchedulingState odd = prior;
  odd.state = "mastered";
  expect_invalid_input([&] { scheduler.review(odd, 3, t0()); });
}

TEST(Scheduler, RejectsInvalidParameters) {
  expect_invalid_input([] { Scheduler(fsrs::kDefaultWeights, 1.0); });
  expect_invalid_input([] { Scheduler(fsrs::kDefaultWeights, 0.0); });
  expect_invalid_input(
      [] { Scheduler(fsrs::kDefaultWeights, std::numeric_limits<double>::quiet_NaN()); });
  Scheduler::Weights w = fsrs::kDefaultWeights;
  w[20] = 0.0;
  expect_invalid_input([&] { Scheduler{w}; });
  w = fsrs::kDefaultWeights;
  w[3] = std::numeric_limits<double>::infinity();
  expect_invalid_input([&] { Scheduler{w}; });
}

TEST(Scheduler, StateTransitions) {
  const Scheduler scheduler;
  struct Case {
    const char* from;
    int rating;
    const char* to;
  };
  for (const Case& c :
       {Case{"new", 1, "learning"}, Case{"new", 2, "review"}, Case{"new", 4, "review"},
        Case{"learning", 1, "learning"}, Case{"learning", 3, "review"},
        Case{"review", 1, "relearning"}, Case{"review", 2, "review"},
        Case{"relearning", 1, "relearning"}, Case{"relearning", 2, "review"}}) {
    SchedulingState prior = reviewed(5.0, 5.0, c.from);
    EXPECT_EQ(scheduler.review(prior, c.rating, t0() + days(3)).state.state, c.to)
        << c.from << " rated " << c.rating;
  }
}

TEST(Scheduler, CountsRepsAndLapses) {
  const Scheduler scheduler;
  SchedulingState s = scheduler.initial_state(kMemory, t0());
  Timestamp now = t0();
  for (int rating : {3, 1, 3, 1, 4}) {
    s = scheduler.review(s, rating, now).state;
    now = s.next_review;
  }
  EXPECT_EQ(s.reps, 5);
  EXPECT_EQ(s.lapses, 2);
  EXPECT_EQ(s.state, "review");
  EXPECT_GE(s.stability, fsrs::kMinStability);
  EXPECT_LE(s.difficulty, fsrs::kMaxDifficulty);
}

}  // namespace
}  // namespace vestige::engine
