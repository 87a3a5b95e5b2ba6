// Contract: several handles on one database see each other's committed
// writes (vector search included), and one handle is safe to use from
// several threads at once.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store_contract.h"

namespace vestige::contract {
namespace {

// Collects what went wrong in worker threads, for the main thread to report.
class ThreadErrors {
 public:
  template <typename Work>
  void run(Work&& work) {
    try {
      work();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      errors_.push_back(e.what());
    }
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> errors_;
};

TEST_P(HandlesContract, ARegistrationIsVisibleToAHandleOpenedBefore) {
  MemoryStore& b = open_handle();
  EXPECT_FALSE(b.registered_model().has_value());
  const RegisteredModel registered = store().register_model(test_model());
  EXPECT_EQ(b.registered_model(), registered);
  EXPECT_TRUE(
      throws_code(ErrorCode::kModelMismatch, [&] { b.register_model(other_model_name()); }));
}

TEST_P(HandlesContract, WritesThroughOneHandleAreVisibleThroughAnother) {
  MemoryStore& a = bound_store();
  MemoryStore& b = open_handle();
  b.register_model(test_model());
  // Let b load whatever it caches (the vector index) before a writes.
  a.insert(memory("an older memory about owls", at_angle(1.0)));
  ASSERT_EQ(b.text_search(text_query("owls")).size(), 1u);
  ASSERT_EQ(b.vector_search(vector_query(vec({1}))).size(), 1u);

  const Memory written = a.insert(memory("the kingfisher dives for fish", vec({1})));

  EXPECT_EQ(b.get(written.id), written);
  EXPECT_EQ(ids_of(b.text_search(text_query("kingfisher"))), std::vector<Uuid>{written.id});
  const std::vector<SearchResult> nearest = b.vector_search(vector_query(vec({1}), 1));
  ASSERT_EQ(nearest.size(), 1u);
  EXPECT_EQ(nearest[0].memory.id, written.id);
  EXPECT_NEAR(nearest[0].score, 1.0, 1e-5);
  const std::vector<SearchResult> fused = b.hybrid_search(hybrid_query("kingfisher", vec({1}), 1));
  ASSERT_EQ(fused.size(), 1u);
  EXPECT_EQ(fused[0].memory.id, written.id);
  EXPECT_EQ(memory_count(b), 2);
}

TEST_P(HandlesContract, UpdatesThroughOneHandleAreVisibleThroughAnother) {
  MemoryStore& a = bound_store();
  MemoryStore& b = open_handle();
  b.register_model(test_model());
  const Memory written = a.insert(memory("the kingfisher dives for fish", vec({1})));
  a.insert(memory("a bystander", at_angle(0.8)));
  ASSERT_EQ(b.vector_search(vector_query(vec({1}), 1)).at(0).memory.id, written.id);

  Memory edit = written;
  edit.content = "the heron waits in the reeds";
  edit.embedding = vec({0, -1});
  const Memory updated = a.update(edit);

  EXPECT_EQ(b.get(written.id), updated);
  EXPECT_TRUE(b.text_search(text_query("kingfisher")).empty());
  EXPECT_EQ(ids_of(b.text_search(text_query("heron"))), std::vector<Uuid>{written.id});
  const std::vector<SearchResult> nearest = b.vector_search(vector_query(vec({0, -1}), 1));
  ASSERT_EQ(nearest.size(), 1u);
  EXPECT_EQ(nearest[0].memory.id, written.id);
  EXPECT_NEAR(nearest[0].score, 1.0, 1e-5);
}

TEST_P(HandlesContract, DeletesThroughOneHandleAreVisibleThroughAnother) {
  MemoryStore& a = bound_store();
  MemoryStore& b = open_handle();
  b.register_model(test_model());
  const Memory doomed = a.insert(memory("the kingfisher dives for fish", vec({1})));
  const Memory kept = a.insert(memory("a bystander", at_angle(0.8)));
  ASSERT_EQ(b.vector_search(vector_query(vec({1}))).size(), 2u);
  ASSERT_EQ(b.text_search(text_query("kingfisher")).size(), 1u);

  EXPECT_TRUE(a.remove(doomed.id));

  EXPECT_FALSE(b.get(doomed.id).has_value());
  EXPECT_TRUE(b.text_search(text_query("kingfisher")).empty());
  EXPECT_EQ(ids_of(b.vector_search(vector_query(vec({1})))), std::vector<Uuid>{kept.id});
  EXPECT_EQ(ids_of(b.hybrid_search(hybrid_query("kingfisher", vec({1})))),
            std::vector<Uuid>{kept.id});
  EXPECT_FALSE(b.remove(doomed.id));
}

TEST_P(HandlesContract, SchedulingAndEdgesAreVisibleThroughAnother) {
  MemoryStore& a = store();
  MemoryStore& b = open_handle();
  const Memory x = a.insert(memory("x"));
  const Memory y = a.insert(memory("y"));
  const SchedulingState state =
      scheduling(x.id, 3.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-04T00:00:00Z"));
  a.upsert_scheduling(state);
  a.add_edge(edge(x.id, y.id, "related", 0.25));

  EXPECT_EQ(b.get_scheduling(x.id), state);
  ASSERT_EQ(b.edges(y.id, EdgeDirection::kIncoming).size(), 1u);
  EXPECT_EQ(b.edges(y.id, EdgeDirection::kIncoming)[0].weight, 0.25);
}

TEST_P(HandlesContract, OneHandleIsSafeAcrossThreads) {
  MemoryStore& s = bound_store();
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 25;
  ThreadErrors errors;
  std::atomic<int> writers_left = kWriters;
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        errors.run([&] {
          for (int i = 0; i < kPerWriter; ++i) {
            const int n = w * kPerWriter + i;
            if (i % 5 == 4) {
              s.insert_batch(
                  std::vector{memory("sparrow batch " + std::to_string(n), at_angle(n * 0.01))});
            } else {
              s.insert(memory("sparrow number " + std::to_string(n), at_angle(n * 0.01)));
            }
          }
        });
        --writers_left;
      });
    }
    for (int r = 0; r < 2; ++r) {
      threads.emplace_back([&] {
        errors.run([&] {
          while (writers_left > 0) {
            s.text_search(text_query("sparrow", 20));
            s.vector_search(vector_query(vec({1}), 20));
            s.hybrid_search(hybrid_query("sparrow", vec({1}), 20));
            s.stats(now_utc());
          }
        });
      });
    }
  }

  EXPECT_EQ(errors.take(), std::vector<std::string>{});
  constexpr std::size_t kTotal = kWriters * kPerWriter;
  EXPECT_EQ(memory_count(s), static_cast<std::int64_t>(kTotal));
  EXPECT_EQ(s.text_search(text_query("sparrow", 1000)).size(), kTotal);
  EXPECT_EQ(s.vector_search(vector_query(vec({1}), 1000)).size(), kTotal);
}

TEST_P(HandlesContract, ConcurrentWritersOnSeveralHandlesAllSucceed) {
  constexpr int kHandles = 3;
  constexpr int kPerHandle = 30;
  std::vector<MemoryStore*> handles = {&bound_store()};
  for (int h = 1; h < kHandles; ++h) {
    handles.push_back(&open_handle());
    handles.back()->register_model(test_model());
  }
  ThreadErrors errors;
  {
    std::vector<std::jthread> threads;
    for (int h = 0; h < kHandles; ++h) {
      threads.emplace_back([&, h] {
        errors.run([&] {
          MemoryStore& s = *handles[h];
          for (int i = 0; i < kPerHandle; ++i) {
            const int n = h * kPerHandle + i;
            const Memory m = s.insert(memory("wren " + std::to_string(n), at_angle(n * 0.01)));
            s.upsert_scheduling(
                scheduling(m.id, 1.0, ts("2026-01-01T00:00:00Z"), ts("2026-01-02T00:00:00Z")));
          }
        });
      });
    }
  }

  EXPECT_EQ(errors.take(), std::vector<std::string>{}) << "concurrent writers must wait, not fail";
  for (MemoryStore* s : handles) {
    const StoreStats stats = s->stats(ts("2027-01-01T00:00:00Z"));
    EXPECT_EQ(stats.memories, kHandles * kPerHandle);
    EXPECT_EQ(stats.scheduled, kHandles * kPerHandle);
    EXPECT_EQ(s->vector_search(vector_query(vec({1}), 1000)).size(),
              static_cast<std::size_t>(kHandles * kPerHandle));
  }
}

}  // namespace
}  // namespace vestige::contract
