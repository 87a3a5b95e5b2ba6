#include "engine/access_recorder.h"

#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "engine/recall.h"
#include "engine/strength.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace vestige::engine {
namespace {

using std::chrono::hours;

Timestamp t0() {
  return *parse_timestamp("2026-06-01T09:00:00Z");
}

class AccessRecorderTest : public ::testing::Test {
 protected:
  AccessRecorderTest() : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})) {}

  Uuid add(const std::string& content) {
    Memory m;
    m.content = content;
    m.created_at = t0() - hours(48);
    return store_->insert(m).id;
  }
  EngineState engine(const Uuid& id) { return store_->get(id)->engine; }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
};

TEST_F(AccessRecorderTest, RecordAccessesWritesEachMemoryOnceWithEveryAccess) {
  const Uuid a = add("first");
  const Uuid b = add("second");
  const double storage = engine(a).storage_strength;
  const std::vector<std::pair<Uuid, Timestamp>> accesses{
      {a, t0()}, {b, t0()}, {a, t0() + hours(1)}, {Uuid::generate_v7(), t0()}};  // last: missing
  record_accesses(*store_, accesses);
  EXPECT_EQ(engine(a).access_count, 2);
  EXPECT_DOUBLE_EQ(engine(a).storage_strength, storage + 2 * kAccessStorageGain);
  EXPECT_EQ(engine(a).last_accessed_at, t0() + hours(1));
  EXPECT_EQ(engine(b).access_count, 1);
}

TEST_F(AccessRecorderTest, RecordAccessesChangesOnlyTheEngineState) {
  Memory m;
  m.content = "the heron waits in the shallows";
  m.tags = {"birds"};
  m.metadata = Json{{"source", "walk"}};
  const Memory before = store_->insert(m);
  const std::vector<std::pair<Uuid, Timestamp>> accesses{{before.id, t0()}};
  record_accesses(*store_, accesses);

  const Memory after = *store_->get(before.id);
  EXPECT_EQ(after.engine, record_access(before.engine, t0()));
  Memory expected = before;
  expected.engine = after.engine;
  expected.updated_at = after.updated_at;
  EXPECT_EQ(after, expected);
  SearchQuery query;
  query.text = "heron";
  ASSERT_EQ(store_->text_search(query).size(), 1u);
}

TEST_F(AccessRecorderTest, BackgroundWritesAreVisibleAfterFlush) {
  const Uuid a = add("first");
  const Uuid b = add("second");
  AccessRecorder recorder(*store_);
  const std::vector<Uuid> ids{a, b};
  for (int i = 0; i < 5; ++i) recorder.record(ids, t0() + hours(i));
  recorder.flush();
  EXPECT_EQ(recorder.pending(), 0u);
  EXPECT_EQ(recorder.failures(), 0u);
  EXPECT_EQ(engine(a).access_count, 5);
  EXPECT_EQ(engine(b).access_count, 5);
  EXPECT_EQ(engine(a).last_accessed_at, t0() + hours(4));
}

TEST_F(AccessRecorderTest, DestructorWritesWhatIsQueued) {
  const Uuid a = add("first");
  {
    AccessRecorder recorder(*store_);
    recorder.record(std::vector<Uuid>{a}, t0());
  }
  EXPECT_EQ(engine(a).access_count, 1);
}

TEST_F(AccessRecorderTest, DeletedMemoryIsNotAFailure) {
  const Uuid a = add("first");
  AccessRecorder recorder(*store_);
  store_->remove(a);
  recorder.record(std::vector<Uuid>{a}, t0());
  EXPECT_NO_THROW(recorder.flush());
  EXPECT_EQ(recorder.failures(), 0u);
}

TEST_F(AccessRecorderTest, RecallQueuesAccessesToTheRecorder) {
  auto embedder = resolve_embedder("builtin/hash-384", {});
  store_->register_model(embedder->signature());
  Memory m;
  m.content = "Prefer squash merges for small pull requests";
  m.embedding = embedder->embed(m.content);
  const Uuid id = store_->insert(m).id;
  AccessRecorder recorder(*store_);
  Recaller recaller(*store_, *embedder, nullptr, {}, &recorder);
  RecallRequest request;
  request.query = "squash merges";
  ASSERT_EQ(recaller.recall(request, t0()).matches.size(), 1u);
  recorder.flush();
  EXPECT_EQ(engine(id).access_count, 1);
  EXPECT_EQ(engine(id).last_accessed_at, t0());
}

}  // namespace
}  // namespace vestige::engine
