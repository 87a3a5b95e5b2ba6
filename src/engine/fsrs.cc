#include "engine/fsrs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#include "vestige/error.h"

namespace vestige::engine {
namespace {

bool valid_rating(int rating) {
  return rating >= kAgain && rating <= kEasy;
}

bool known_state(std::string_view state) {
  return state == kStateNew || state == kStateLearning || state == kStateReview ||
         state == kStateRelearning;
}

std::string_view next_state(std::string_view prior, int rating) {
  if (rating != kAgain) return kStateReview;
  if (prior == kStateNew || prior == kStateLearning) return kStateLearning;
  return kStateRelearning;
}

}  // namespace

double clamp_stability(double stability) {
  return std::clamp(stability, fsrs::kMinStability, fsrs::kMaxStability);
}

double clamp_difficulty(double difficulty) {
  return std::clamp(difficulty, fsrs::kMinDifficulty, fsrs::kMaxDifficulty);
}

Scheduler::Scheduler(const Weights& weights, double desired_retention)
    : w_(weights), desired_retention_(desired_retention) {
  for (std::size_t i = 0; i < w_.size(); ++i) {
    if (!std::isfinite(w_[i])) {
      throw Error(ErrorCode::kInvalidInput, "FSRS weight w" + std::to_string(i) +
                                                " is not a finite number; use the defaults");
    }
  }
  if (w_[20] <= 0.0) {
    throw Error(ErrorCode::kInvalidInput,
                "FSRS weight w20 must be positive (it is the decay exponent); use the defaults");
  }
  if (!(desired_retention > 0.0 && desired_retention < 1.0)) {
    throw Error(ErrorCode::kInvalidInput,
                "desired retention must be between 0 and 1 (exclusive); the default is 0.9");
  }
  factor_ = std::pow(fsrs::kDesiredRetention, -1.0 / w_[20]) - 1.0;
}

SchedulingState Scheduler::initial_state(const Uuid& memory, Timestamp now) const {
  SchedulingState s;
  s.memory_id = memory;
  s.state = std::string(kStateNew);
  s.next_review = now;
  return s;
}

double Scheduler::retrievability(double stability_days, double elapsed_days) const {
  return fsrs::retrievability(stability_days, elapsed_days, w_[20]);
}

double Scheduler::initial_stability(int rating) const {
  return w_[rating - 1];
}

double Scheduler::initial_difficulty(int rating) const {
  return w_[4] - std::exp(w_[5] * (rating - 1)) + 1.0;
}

double Scheduler::next_difficulty(double difficulty, int rating) const {
  // Linear damping: the step shrinks as D approaches 10, so D never runs away.
  const double damped = difficulty - w_[6] * (rating - 3) * (10.0 - difficulty) / 9.0;
  // Mean reversion towards D0(Easy), by the small weight w7.
  return clamp_difficulty(w_[7] * initial_difficulty(kEasy) + (1.0 - w_[7]) * damped);
}

double Scheduler::stability_after_success(double stability, double difficulty,
                                          double retrievability, int rating) const {
  const double hard = rating == kHard ? w_[15] : 1.0;
  const double easy = rating == kEasy ? w_[16] : 1.0;
  return stability * (1.0 + std::exp(w_[8]) * (11.0 - difficulty) * std::pow(stability, -w_[9]) *
                                (std::exp(w_[10] * (1.0 - retrievability)) - 1.0) * hard * easy);
}

double Scheduler::stability_after_lapse(double stability, double difficulty,
                                        double retrievability) const {
  const double relearned = w_[11] * std::pow(difficulty, -w_[12]) *
                           (std::pow(stability + 1.0, w_[13]) - 1.0) *
                           std::exp(w_[14] * (1.0 - retrievability));
  // Forgetting never makes a memory more stable than it was.
  return std::min(stability, relearned);
}

double Scheduler::stability_same_day(double stability, int rating) const {
  double growth = std::exp(w_[17] * (rating - 3 + w_[18])) * std::pow(stability, -w_[19]);
  if (rating >= kGood) growth = std::max(growth, 1.0);
  return stability * growth;
}

int Scheduler::interval_days(double stability) const {
  const double days = stability / factor_ * (std::pow(desired_retention_, -1.0 / w_[20]) - 1.0);
  return static_cast<int>(std::clamp(std::round(days), 1.0, fsrs::kMaxStability));
}

ReviewOutcome Scheduler::review(const SchedulingState& prior, int rating, Timestamp now) const {
  if (!valid_rating(rating)) {
    throw Error(ErrorCode::kInvalidInput,
                "rating " + std::to_string(rating) +
                    " is not valid: use 1 (again), 2 (hard), 3 (good) or 4 (easy)");
  }
  if (!known_state(prior.state)) {
    throw Error(ErrorCode::kInvalidInput,
                "scheduling state \"" + prior.state +
                    "\" is unknown: expected new, learning, review or relearning");
  }

  SchedulingState next = prior;
  if (!prior.last_review) {
    next.stability = clamp_stability(initial_stability(rating));
    next.difficulty = clamp_difficulty(initial_difficulty(rating));
  } else {
    const double s = clamp_stability(prior.stability);
    const double d = clamp_difficulty(prior.difficulty);
    const double elapsed = days_between(*prior.last_review, now);
    double stability;
    if (elapsed < 1.0) {
      stability = stability_same_day(s, rating);
    } else {
      const double r = retrievability(s, elapsed);
      stability = rating == kAgain ? stability_after_lapse(s, d, r)
                                   : stability_after_success(s, d, r, rating);
    }
    next.stability = clamp_stability(stability);
    next.difficulty = next_difficulty(d, rating);
  }
  next.reps = prior.reps + 1;
  next.lapses = prior.lapses + (rating == kAgain ? 1 : 0);
  next.state = std::string(next_state(prior.state, rating));
  next.last_review = now;
  next.next_review = now + std::chrono::days(interval_days(next.stability));

  ReviewEvent event;
  event.memory_id = prior.memory_id;
  event.reviewed_at = now;
  event.rating = rating;
  if (prior.last_review) event.prior_state = prior;
  event.new_state = next;
  return ReviewOutcome{std::move(next), std::move(event)};
}

}  // namespace vestige::engine
