// Contract: insert, insert_batch, insert_missing, get, get_batch, update, remove.

#include <chrono>
#include <thread>

#include "store_contract.h"

namespace vestige::contract {
namespace {

TEST_P(MemoriesContract, InsertAssignsV7IdAndTimesWhenUnset) {
  const Timestamp before = now_utc();
  const Memory stored = store().insert(memory("the first memory"));
  const Timestamp after = now_utc();

  EXPECT_FALSE(stored.id.is_nil());
  EXPECT_EQ(stored.id.version(), 7);
  EXPECT_TRUE(is_between(stored.created_at, before, after));
  EXPECT_TRUE(is_between(stored.updated_at, before, after));
  EXPECT_EQ(stored.content, "the first memory");
  EXPECT_EQ(stored.node_type, kDefaultNodeType);
  EXPECT_EQ(stored.owner_user_id, kBootstrapUserId);
  EXPECT_EQ(stored.visibility, Visibility::kPrivate);

  const std::optional<Memory> got = store().get(stored.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, stored);
}

TEST_P(MemoriesContract, InsertAssignsDistinctIds) {
  const Memory a = store().insert(memory("one"));
  const Memory b = store().insert(memory("two"));
  EXPECT_NE(a.id, b.id);
}

TEST_P(MemoriesContract, EveryFieldRoundTripsExactly) {
  const Memory newer = store().insert(memory("the memory that supersedes"));
  Memory input = full_memory();
  input.engine.superseded_by = newer.id;

  const Timestamp before = now_utc();
  const Memory stored = bound_store().insert(input);
  const Timestamp after = now_utc();

  EXPECT_TRUE(is_between(stored.updated_at, before, after));
  Memory expected = input;
  expected.updated_at = stored.updated_at;
  EXPECT_EQ(stored, expected);
  ASSERT_TRUE(stored.embedding.has_value());
  EXPECT_TRUE(same_bits(*stored.embedding, *input.embedding));

  const std::optional<Memory> got = store().get(input.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, expected);
  ASSERT_TRUE(got->embedding.has_value());
  EXPECT_TRUE(same_bits(*got->embedding, *input.embedding)) << "embedding is not bit-exact";
  EXPECT_EQ(format_timestamp(got->created_at), "2024-02-29T23:59:59.999999Z");
}

TEST_P(MemoriesContract, OptionalFieldsRoundTripEmpty) {
  Memory input = memory("nothing optional is set");
  input.node_type = "note";
  const Memory stored = store().insert(input);
  const std::optional<Memory> got = store().get(stored.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->codebase.has_value());
  EXPECT_FALSE(got->embedding.has_value());
  EXPECT_FALSE(got->engine.last_accessed_at.has_value());
  EXPECT_FALSE(got->engine.superseded_by.has_value());
  EXPECT_TRUE(got->tags.empty());
  EXPECT_EQ(got->metadata, Json::object());
  EXPECT_EQ(got->node_type, "note");
  EXPECT_EQ(*got, stored);
}

TEST_P(MemoriesContract, GetMissingIsNullopt) {
  store().insert(memory("some other memory"));
  EXPECT_FALSE(store().get(Uuid::generate_v7()).has_value());
}

TEST_P(MemoriesContract, DuplicateIdIsInvalidInputAndKeepsTheOriginal) {
  const Memory original = store().insert(memory("original"));
  Memory duplicate = memory("impostor");
  duplicate.id = original.id;

  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert(duplicate); }));
  EXPECT_EQ(store().get(original.id), original);
  EXPECT_EQ(memory_count(store()), 1);
}

TEST_P(MemoriesContract, EmptyContentIsInvalidInputAndWritesNothing) {
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert(memory("")); }));
  Memory with_id = memory("");
  with_id.id = Uuid::generate_v7();
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert(with_id); }));
  EXPECT_FALSE(store().get(with_id.id).has_value());
  EXPECT_EQ(memory_count(store()), 0);
}

TEST_P(MemoriesContract, InsertBatchReturnsStoredMemoriesInOrder) {
  Memory explicit_id = memory("second, with its own id");
  explicit_id.id = Uuid::generate_v7();
  const std::vector<Memory> input = {memory("first"), explicit_id, memory("third")};

  const std::vector<Memory> stored = store().insert_batch(input);

  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].content, "first");
  EXPECT_EQ(stored[1].content, "second, with its own id");
  EXPECT_EQ(stored[1].id, explicit_id.id);
  EXPECT_EQ(stored[2].content, "third");
  for (const Memory& m : stored) {
    EXPECT_EQ(m.id.version(), 7);
    EXPECT_EQ(store().get(m.id), m);
  }
  EXPECT_NE(stored[0].id, stored[2].id);
  EXPECT_EQ(memory_count(store()), 3);
}

TEST_P(MemoriesContract, InsertBatchOfNothingWritesNothing) {
  EXPECT_TRUE(store().insert_batch({}).empty());
  EXPECT_EQ(memory_count(store()), 0);
}

TEST_P(MemoriesContract, InsertBatchWithOneBadItemWritesNothing) {
  std::vector<Memory> batch;
  for (int i = 0; i < 5; ++i) {
    Memory m = memory("item " + std::to_string(i));
    m.id = Uuid::generate_v7();
    batch.push_back(m);
  }
  batch[3].content.clear();

  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert_batch(batch); }));
  EXPECT_EQ(memory_count(store()), 0);
  for (const Memory& m : batch) EXPECT_FALSE(store().get(m.id).has_value());
}

TEST_P(MemoriesContract, InsertBatchWithAnExistingIdWritesNothing) {
  const Memory existing = store().insert(memory("already there"));
  Memory fresh = memory("new");
  fresh.id = Uuid::generate_v7();
  Memory clash = memory("clashes");
  clash.id = existing.id;
  const std::vector<Memory> batch = {fresh, clash};

  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert_batch(batch); }));
  EXPECT_FALSE(store().get(fresh.id).has_value());
  EXPECT_EQ(store().get(existing.id), existing);
  EXPECT_EQ(memory_count(store()), 1);
}

TEST_P(MemoriesContract, InsertBatchWithARepeatedIdWritesNothing) {
  Memory a = memory("a");
  a.id = Uuid::generate_v7();
  Memory b = memory("b");
  b.id = a.id;
  const std::vector<Memory> batch = {a, b};

  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert_batch(batch); }));
  EXPECT_EQ(memory_count(store()), 0);
}

TEST_P(MemoriesContract, InsertMissingIsIdempotent) {
  std::vector<Memory> batch;
  for (int i = 0; i < 3; ++i) {
    Memory m = memory("imported " + std::to_string(i));
    m.id = Uuid::generate_v7();
    m.created_at = ts("2023-05-06T07:08:09.123456Z");
    batch.push_back(m);
  }

  EXPECT_EQ(store().insert_missing(batch), 3u);
  std::vector<Memory> first;
  for (const Memory& m : batch) {
    const std::optional<Memory> got = store().get(m.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->content, m.content);
    EXPECT_EQ(got->created_at, m.created_at) << format_timestamp(got->created_at);
    first.push_back(*got);
  }

  EXPECT_EQ(store().insert_missing(batch), 0u);
  EXPECT_EQ(memory_count(store()), 3);
  for (const Memory& m : first) EXPECT_EQ(store().get(m.id), m);
}

TEST_P(MemoriesContract, InsertMissingLeavesExistingRowsUntouched) {
  Memory existing = memory("the original text");
  existing.id = Uuid::generate_v7();
  existing.tags = {"original"};
  ASSERT_EQ(store().insert_missing(std::vector<Memory>{existing}), 1u);
  const std::optional<Memory> before = store().get(existing.id);
  ASSERT_TRUE(before.has_value());

  Memory changed = existing;
  changed.content = "a different text under the same id";
  changed.tags = {"changed"};
  Memory fresh = memory("really new");
  fresh.id = Uuid::generate_v7();

  EXPECT_EQ(store().insert_missing(std::vector<Memory>{changed, fresh}), 1u);
  EXPECT_EQ(store().get(existing.id), before);
  ASSERT_TRUE(store().get(fresh.id).has_value());
  EXPECT_EQ(store().get(fresh.id)->content, "really new");
  EXPECT_EQ(memory_count(store()), 2);
}

TEST_P(MemoriesContract, InsertMissingRejectsANilId) {
  Memory with_id = memory("has an id");
  with_id.id = Uuid::generate_v7();
  const std::vector<Memory> batch = {with_id, memory("has no id")};
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert_missing(batch); }));
  EXPECT_EQ(memory_count(store()), 0);
}

TEST_P(MemoriesContract, GetBatchKeepsTheOrderOfIdsAndSkipsMissingAndRepeated) {
  const Memory a = store().insert(memory("a"));
  const Memory b = store().insert(memory("b"));
  const Memory c = store().insert(memory("c"));
  const std::vector<Uuid> ids = {c.id, Uuid::generate_v7(), a.id, c.id, b.id};

  const std::vector<Memory> got = store().get_batch(ids);

  EXPECT_EQ(ids_of(got), (std::vector<Uuid>{c.id, a.id, b.id}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].content, "c");
  EXPECT_EQ(got[1].content, "a");
  EXPECT_EQ(got[2].content, "b");
  EXPECT_TRUE(store().get_batch({}).empty());
}

TEST_P(MemoriesContract, UpdateReplacesFieldsAndKeepsIdAndCreatedAt) {
  Memory original = memory("before the edit");
  original.created_at = ts("2022-01-01T00:00:00.000001Z");
  original.tags = {"old"};
  original.codebase = "old-repo";
  original.metadata = Json{{"source", "first"}};
  const Memory stored = bound_store().insert(original);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  Memory edit = full_memory();
  edit.id = stored.id;
  edit.created_at = ts("2029-09-09T09:09:09Z");  // must be ignored
  edit.codebase.reset();
  const Timestamp before = now_utc();
  const Memory updated = store().update(edit);
  const Timestamp after = now_utc();

  Memory expected = edit;
  expected.created_at = stored.created_at;
  expected.updated_at = updated.updated_at;
  EXPECT_EQ(updated, expected);
  EXPECT_TRUE(is_between(updated.updated_at, before, after));
  EXPECT_GT(updated.updated_at, stored.updated_at);
  EXPECT_EQ(store().get(stored.id), expected);
  ASSERT_TRUE(store().get(stored.id)->embedding.has_value());
  EXPECT_TRUE(same_bits(*store().get(stored.id)->embedding, *edit.embedding));
  EXPECT_EQ(memory_count(store()), 1);
}

TEST_P(MemoriesContract, UpdateKeepsSchedulingReviewsAndEdges) {
  const Memory a = store().insert(memory("a"));
  const Memory b = store().insert(memory("b"));
  const SchedulingState state =
      scheduling(a.id, 4.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-05T00:00:00Z"));
  store().upsert_scheduling(state);
  ReviewEvent review;
  review.memory_id = a.id;
  review.reviewed_at = ts("2026-01-01T00:00:00Z");
  review.rating = 3;
  review.new_state = state;
  store().append_review_event(review);
  store().add_edge(edge(a.id, b.id, "related", 0.5));

  Memory edit = a;
  edit.content = "a, edited";
  store().update(edit);

  EXPECT_EQ(store().get_scheduling(a.id), state);
  EXPECT_EQ(store().review_events(a.id).size(), 1u);
  ASSERT_EQ(store().edges(a.id, EdgeDirection::kOutgoing).size(), 1u);
  EXPECT_EQ(store().edges(a.id, EdgeDirection::kOutgoing)[0].weight, 0.5);
}

TEST_P(MemoriesContract, UpdateOfAMissingIdIsNotFound) {
  Memory ghost = memory("never inserted");
  ghost.id = Uuid::generate_v7();
  EXPECT_TRUE(throws_code(ErrorCode::kNotFound, [&] { store().update(ghost); }));
  EXPECT_FALSE(store().get(ghost.id).has_value());
  EXPECT_EQ(memory_count(store()), 0);
}

TEST_P(MemoriesContract, UpdateWithEmptyContentIsInvalidInputAndKeepsTheMemory) {
  const Memory stored = store().insert(memory("keep me"));
  Memory edit = stored;
  edit.content.clear();
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().update(edit); }));
  EXPECT_EQ(store().get(stored.id), stored);
}

TEST_P(MemoriesContract, UpdateReindexesTextAndVector) {
  const Memory stored = bound_store().insert(memory("walrus tusks", vec({1, 0})));
  Memory edit = stored;
  edit.content = "penguin flippers";
  edit.embedding = vec({0, 1});
  store().update(edit);

  EXPECT_TRUE(store().text_search(text_query("walrus")).empty());
  EXPECT_EQ(ids_of(store().text_search(text_query("penguin"))), std::vector<Uuid>{stored.id});
  const std::vector<SearchResult> near = store().vector_search(vector_query(vec({0, 1})));
  ASSERT_EQ(near.size(), 1u);
  EXPECT_NEAR(near[0].score, 1.0, 1e-5);

  edit.embedding.reset();
  store().update(edit);
  EXPECT_TRUE(store().vector_search(vector_query(vec({0, 1}))).empty());
  EXPECT_FALSE(store().get(stored.id)->embedding.has_value());
  EXPECT_EQ(store().stats(now_utc()).memories_with_embedding, 0);
}

TEST_P(MemoriesContract, RemoveCascadesSchedulingReviewsAndEdges) {
  const Memory a = bound_store().insert(memory("doomed aardvark", vec({1, 0})));
  const Memory b = store().insert(memory("survivor"));
  const Memory c = store().insert(memory("another survivor"));
  const SchedulingState state =
      scheduling(a.id, 4.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-05T00:00:00Z"));
  store().upsert_scheduling(state);
  ReviewEvent review;
  review.memory_id = a.id;
  review.reviewed_at = ts("2026-01-01T00:00:00Z");
  review.rating = 4;
  review.new_state = state;
  store().append_review_event(review);
  store().add_edge(edge(a.id, b.id, "related"));
  store().add_edge(edge(c.id, a.id, "related"));
  store().add_edge(edge(b.id, c.id, "related"));

  EXPECT_TRUE(store().remove(a.id));

  EXPECT_FALSE(store().get(a.id).has_value());
  EXPECT_FALSE(store().get_scheduling(a.id).has_value());
  EXPECT_TRUE(store().review_events(a.id).empty());
  EXPECT_TRUE(store().edges(a.id, EdgeDirection::kBoth).empty());
  EXPECT_EQ(store().edges(b.id, EdgeDirection::kBoth).size(), 1u);
  EXPECT_EQ(store().edges(c.id, EdgeDirection::kBoth).size(), 1u);
  const StoreStats stats = store().stats(ts("2027-01-01T00:00:00Z"));
  EXPECT_EQ(stats.memories, 2);
  EXPECT_EQ(stats.scheduled, 0);
  EXPECT_EQ(stats.due_now, 0);
  EXPECT_EQ(stats.review_events, 0);
  EXPECT_EQ(stats.edges, 1);
  EXPECT_TRUE(store().text_search(text_query("aardvark")).empty());
  EXPECT_TRUE(store().vector_search(vector_query(vec({1, 0}))).empty());
}

TEST_P(MemoriesContract, RemoveOfAMissingIdIsFalse) {
  const Memory kept = store().insert(memory("kept"));
  EXPECT_FALSE(store().remove(Uuid::generate_v7()));
  EXPECT_TRUE(store().remove(kept.id));
  EXPECT_FALSE(store().remove(kept.id));
  EXPECT_EQ(memory_count(store()), 0);
}

}  // namespace
}  // namespace vestige::contract
