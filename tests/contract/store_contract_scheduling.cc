// Contract: scheduling rows, due(), and the append-only review log.

#include "store_contract.h"

namespace vestige::contract {
namespace {

ReviewEvent review(const Uuid& memory_id, Timestamp at, int rating, const SchedulingState& after,
                   std::optional<SchedulingState> before = std::nullopt) {
  ReviewEvent e;
  e.memory_id = memory_id;
  e.reviewed_at = at;
  e.rating = rating;
  e.prior_state = std::move(before);
  e.new_state = after;
  return e;
}

TEST_P(SchedulingContract, NoSchedulingAtFirst) {
  const Memory m = store().insert(memory("never reviewed"));
  EXPECT_FALSE(store().get_scheduling(m.id).has_value());
  EXPECT_FALSE(store().get_scheduling(Uuid::generate_v7()).has_value());
}

TEST_P(SchedulingContract, UpsertThenGetRoundTrips) {
  const Memory m = store().insert(memory("scheduled"));
  SchedulingState state;
  state.memory_id = m.id;
  state.stability = 12.345678901234;
  state.difficulty = 6.5;
  state.reps = 7;
  state.lapses = 2;
  state.state = "relearning";
  state.last_review = ts("2026-03-01T10:20:30.123456Z");
  state.next_review = ts("2026-03-13T18:40:50.654321Z");

  store().upsert_scheduling(state);

  EXPECT_EQ(store().get_scheduling(m.id), state);
}

TEST_P(SchedulingContract, NewStateWithoutLastReviewRoundTrips) {
  const Memory m = store().insert(memory("new card"));
  SchedulingState state;
  state.memory_id = m.id;
  state.next_review = ts("2026-03-01T00:00:00Z");
  store().upsert_scheduling(state);
  EXPECT_EQ(store().get_scheduling(m.id), state);
}

TEST_P(SchedulingContract, UpsertReplaces) {
  const Memory m = store().insert(memory("scheduled twice"));
  store().upsert_scheduling(
      scheduling(m.id, 1.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-02T00:00:00Z")));
  SchedulingState second =
      scheduling(m.id, 9.5, ts("2026-01-02T00:00:00Z"), ts("2026-01-12T00:00:00Z"));
  second.reps = 4;
  second.lapses = 0;
  second.state = "review";

  store().upsert_scheduling(second);

  EXPECT_EQ(store().get_scheduling(m.id), second);
  EXPECT_EQ(store().stats(now_utc()).scheduled, 1);
}

TEST_P(SchedulingContract, UpsertForAMissingMemoryIsNotFound) {
  const Uuid ghost = Uuid::generate_v7();
  EXPECT_TRUE(throws_code(ErrorCode::kNotFound, [&] {
    store().upsert_scheduling(
        scheduling(ghost, 1.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-02T00:00:00Z")));
  }));
  EXPECT_FALSE(store().get_scheduling(ghost).has_value());
  EXPECT_EQ(store().stats(now_utc()).scheduled, 0);
}

TEST_P(SchedulingContract, DueListsEarliestFirstUpToNowAndLimit) {
  const Timestamp now = fixed_now();
  // next_review offsets in days from now; the two in the future are not due.
  const std::vector<double> offsets = {-1.0, -30.0, 0.0, 2.0, -0.5, 0.000001, -7.0};
  std::vector<SchedulingState> states;
  for (double offset : offsets) {
    const Memory m = store().insert(memory("due in " + std::to_string(offset) + " days"));
    states.push_back(scheduling(m.id, 5.0, plus_days(now, -40), plus_days(now, offset)));
    store().upsert_scheduling(states.back());
  }
  // Earliest first: -30, -7, -1, -0.5, 0 (exactly now is due).
  const std::vector<SchedulingState> expected = {states[1], states[6], states[0], states[4],
                                                 states[2]};

  EXPECT_EQ(store().due(now, 100), expected);
  EXPECT_EQ(store().due(now, 2), (std::vector<SchedulingState>{states[1], states[6]}));
  EXPECT_TRUE(store().due(plus_days(now, -31), 100).empty());
  EXPECT_EQ(store().due(plus_days(now, 3), 100).size(), offsets.size());
  EXPECT_EQ(store().stats(now).due_now, 5);
}

TEST_P(SchedulingContract, ReviewEventsGetIncreasingIdsAndComeBackOldestFirst) {
  const Memory m = store().insert(memory("reviewed thrice"));
  const Memory other = store().insert(memory("reviewed once"));
  const SchedulingState s1 =
      scheduling(m.id, 2.3, ts("2026-01-01T09:00:00Z"), ts("2026-01-03T09:00:00Z"));
  const SchedulingState s2 =
      scheduling(m.id, 7.1, ts("2026-01-03T09:00:00Z"), ts("2026-01-10T09:00:00Z"));
  const SchedulingState s3 =
      scheduling(m.id, 1.2, ts("2026-01-10T09:00:00Z"), ts("2026-01-11T09:00:00Z"));

  const ReviewEvent e1 =
      store().append_review_event(review(m.id, ts("2026-01-01T09:00:00Z"), 3, s1));
  const ReviewEvent interleaved = store().append_review_event(
      review(other.id, ts("2026-01-02T09:00:00Z"), 4,
             scheduling(other.id, 8.3, ts("2026-01-02T09:00:00Z"), ts("2026-01-10T09:00:00Z"))));
  const ReviewEvent e2 =
      store().append_review_event(review(m.id, ts("2026-01-03T09:00:00.000001Z"), 4, s2, s1));
  const ReviewEvent e3 =
      store().append_review_event(review(m.id, ts("2026-01-10T09:00:00Z"), 1, s3, s2));

  EXPECT_GT(e1.id, 0);
  EXPECT_GT(interleaved.id, e1.id);
  EXPECT_GT(e2.id, interleaved.id);
  EXPECT_GT(e3.id, e2.id);
  ReviewEvent expected1 = review(m.id, ts("2026-01-01T09:00:00Z"), 3, s1);
  expected1.id = e1.id;
  EXPECT_EQ(e1, expected1);

  EXPECT_EQ(store().review_events(m.id), (std::vector<ReviewEvent>{e1, e2, e3}));
  EXPECT_EQ(store().review_events(other.id), std::vector<ReviewEvent>{interleaved});
  EXPECT_TRUE(store().review_events(Uuid::generate_v7()).empty());
  EXPECT_EQ(store().stats(now_utc()).review_events, 4);
}

TEST_P(SchedulingContract, PriorStateRoundTripsWhenPresentAndWhenAbsent) {
  const Memory m = store().insert(memory("reviewed"));
  SchedulingState before;
  before.memory_id = m.id;
  before.next_review = ts("2026-01-01T00:00:00Z");
  SchedulingState after =
      scheduling(m.id, 3.17, ts("2026-01-01T08:00:00.5Z"), ts("2026-01-04T08:00:00.5Z"));
  after.state = "learning";

  store().append_review_event(review(m.id, ts("2026-01-01T08:00:00.5Z"), 2, after));
  store().append_review_event(review(m.id, ts("2026-01-04T08:00:00Z"), 3, after, before));

  const std::vector<ReviewEvent> events = store().review_events(m.id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].prior_state.has_value());
  EXPECT_EQ(events[0].new_state, after);
  EXPECT_EQ(events[1].prior_state, before);
  EXPECT_EQ(events[1].new_state, after);
  EXPECT_EQ(events[0].rating, 2);
  EXPECT_EQ(format_timestamp(events[0].reviewed_at), "2026-01-01T08:00:00.500000Z");
}

TEST_P(SchedulingContract, ReviewOfAMissingMemoryIsNotFound) {
  const Uuid ghost = Uuid::generate_v7();
  const SchedulingState state =
      scheduling(ghost, 1.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-02T00:00:00Z"));
  EXPECT_TRUE(throws_code(ErrorCode::kNotFound, [&] {
    store().append_review_event(review(ghost, ts("2026-01-01T00:00:00Z"), 3, state));
  }));
  EXPECT_EQ(store().stats(now_utc()).review_events, 0);
}

TEST_P(SchedulingContract, RatingOutsideOneToFourIsInvalidInput) {
  const Memory m = store().insert(memory("badly rated"));
  const SchedulingState state =
      scheduling(m.id, 1.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-02T00:00:00Z"));
  for (int rating : {0, 5, -1, 100}) {
    SCOPED_TRACE(rating);
    EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] {
      store().append_review_event(review(m.id, ts("2026-01-01T00:00:00Z"), rating, state));
    }));
  }
  EXPECT_TRUE(store().review_events(m.id).empty());
  for (int rating : {1, 2, 3, 4}) {
    EXPECT_EQ(
        store().append_review_event(review(m.id, ts("2026-01-01T00:00:00Z"), rating, state)).rating,
        rating);
  }
  EXPECT_EQ(store().review_events(m.id).size(), 4u);
}

}  // namespace
}  // namespace vestige::contract
