#pragma once

// The FSRS-6 scheduler: the pure math that turns a memory's scheduling state
// and a rating into the next state and the review event to log (product.md,
// "FSRS-6"). No I/O: the caller reads the prior state from the store and
// writes the outcome back.

#include <array>
#include <string_view>

#include "vestige/clock.h"
#include "vestige/fsrs.h"
#include "vestige/types.h"
#include "vestige/uuid.h"

namespace vestige::engine {

// Ratings of a review.
inline constexpr int kAgain = 1;
inline constexpr int kHard = 2;
inline constexpr int kGood = 3;
inline constexpr int kEasy = 4;

// Names of SchedulingState::state.
inline constexpr std::string_view kStateNew = "new";
inline constexpr std::string_view kStateLearning = "learning";
inline constexpr std::string_view kStateReview = "review";
inline constexpr std::string_view kStateRelearning = "relearning";

// What one review produces: the state to store and the event to append to the
// review log (its id is 0; the store assigns it).
struct ReviewOutcome {
  SchedulingState state;
  ReviewEvent event;
};

// State transitions of review() (product.md names the states, not the rules):
//   new        -> learning on Again (nothing was retained yet), review otherwise
//   learning   -> learning on Again, review otherwise
//   review     -> relearning on Again (a lapse), review otherwise
//   relearning -> relearning on Again, review otherwise
// There are no intra-day learning steps (every interval is at least one day),
// so "learning" and "relearning" only record that the last answer was Again.
//
// `lapses` counts every Again, the first review included; `reps` counts every
// review.
//
// Immutable after construction, so safe from any number of threads.
class Scheduler {
 public:
  using Weights = std::array<double, 21>;

  // Throws Error(kInvalidInput) unless every weight is finite, w20 > 0, and
  // 0 < desired_retention < 1.
  explicit Scheduler(const Weights& weights = fsrs::kDefaultWeights,
                     double desired_retention = fsrs::kDesiredRetention);

  // The state of a memory that was never reviewed: "new", no last review, due
  // at `now`, stability and difficulty 0 until the first review sets them.
  SchedulingState initial_state(const Uuid& memory, Timestamp now) const;

  // Applies a review with `rating` (1 again, 2 hard, 3 good, 4 easy) at `now`.
  // A prior state without last_review is a first review: S = S0(G), D = D0(G)
  // clamped, and the event carries no prior state. Otherwise the prior's
  // stability and difficulty are clamped to their bounds (a hand-edited or
  // imported row may hold anything) and updated by the review formulas, with
  // the same-day formula when less than one day passed since the last review
  // (a clock that went backwards counts as the same day).
  // Throws Error(kInvalidInput) for a rating outside 1..4 or an unknown state
  // name, before computing anything.
  ReviewOutcome review(const SchedulingState& prior, int rating, Timestamp now) const;

  // The formulas review() combines, exposed for tests and for callers that
  // adjust stability outside a review (promote, demote). Ratings are not
  // validated here; review() does that.

  // R(t, S) = (1 + f*t/S)^(-w20), f = 0.9^(-1/w20) - 1.
  double retrievability(double stability_days, double elapsed_days) const;
  // S0(G) = w[G-1].
  double initial_stability(int rating) const;
  // D0(G) = w4 - e^(w5*(G-1)) + 1, not clamped: the mean reversion target
  // D0(4) is negative with the default weights and is used as such (as the
  // FSRS reference implementations do); review() clamps the first difficulty.
  double initial_difficulty(int rating) const;
  // D' = w7*D0(4) + (1-w7)*(D - w6*(G-3)*(10-D)/9), clamped to [1, 10].
  double next_difficulty(double difficulty, int rating) const;
  // S' = S*(1 + e^w8*(11-D)*S^(-w9)*(e^(w10*(1-R)) - 1)*hard*easy), with
  // hard = w15 for G=2, easy = w16 for G=4, else 1. Not clamped.
  double stability_after_success(double stability, double difficulty, double retrievability,
                                 int rating) const;
  // S' = min(S, w11*D^(-w12)*((S+1)^w13 - 1)*e^(w14*(1-R))). Not clamped.
  double stability_after_lapse(double stability, double difficulty, double retrievability) const;
  // S' = S*e^(w17*(G-3+w18))*S^(-w19), for a review less than a day after the
  // last one. For Good and Easy the factor is at least 1, as in FSRS-6: a
  // successful same-day review never lowers stability (without the floor a
  // Good review of any memory with S > 2.1 days would). Not clamped.
  double stability_same_day(double stability, int rating) const;
  // I = S/f*(r^(-1/w20) - 1) days for desired retention r (= S when r = 0.9),
  // rounded to whole days, at least 1 and at most 36500.
  int interval_days(double stability) const;

  const Weights& weights() const { return w_; }
  double desired_retention() const { return desired_retention_; }

 private:
  Weights w_;
  double desired_retention_;
  double factor_;  // f = 0.9^(-1/w20) - 1
};

// Clamps to [kMinStability, kMaxStability] / [kMinDifficulty, kMaxDifficulty].
double clamp_stability(double stability);
double clamp_difficulty(double difficulty);

}  // namespace vestige::engine
