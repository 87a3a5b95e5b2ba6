// Several processes writing one SQLite database at once, as several MCP
// servers sharing a data directory do: no writer may fail or lose a write,
// and a handle opened before the writes must see all of them afterwards,
// vector search included (its in-memory index catches up from the log).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "workload.h"

namespace vestige::multiprocess {
namespace {

constexpr int kWriters = 4;
constexpr int kMemoriesPerWriter = 200;
const char* const kWorker = VESTIGE_WORKER_PATH;

using ::vestige::testing::TempDir;

std::string prefix_of(int writer) {
  static const char* const kPrefixes[] = {"alphaworker", "betaworker", "gammaworker",
                                          "deltaworker"};
  return kPrefixes[writer];
}

void expect_clean_exit(const testing::ProcessResult& result, const std::string& name) {
  EXPECT_EQ(result.exit_code, 0) << name << " failed:\n" << result.err;
  EXPECT_EQ(result.err.find("database is locked"), std::string::npos) << name << ":\n"
                                                                      << result.err;
}

// Every worker's memories, found through both branches of `store`.
void expect_finds_everything(MemoryStore& store, Embedder& embedder) {
  for (int w = 0; w < kWriters; ++w) {
    const std::string prefix = prefix_of(w);
    SCOPED_TRACE(prefix);
    SearchQuery by_word;
    by_word.text = prefix;
    by_word.limit = 2 * kMemoriesPerWriter;
    const auto words = store.text_search(by_word);
    EXPECT_EQ(words.size(), static_cast<std::size_t>(kMemoriesPerWriter));
    for (const SearchResult& r : words) EXPECT_TRUE(r.memory.content.starts_with(prefix));

    for (int i = 0; i < kMemoriesPerWriter; ++i) {
      SearchQuery nearest;
      nearest.embedding = embedder.embed(workload_content(prefix, i));
      nearest.limit = 1;
      const auto found = store.vector_search(nearest);
      ASSERT_EQ(found.size(), 1u) << i;
      EXPECT_EQ(found[0].memory.content, workload_content(prefix, i));
      EXPECT_NEAR(*found[0].vector_distance, 0.0, 1e-5);
    }

    SearchQuery filtered;
    filtered.embedding = embedder.embed(workload_content(prefix_of((w + 1) % kWriters), 0));
    filtered.filter.tags = {prefix};
    filtered.limit = 2 * kMemoriesPerWriter;
    const auto tagged = store.vector_search(filtered);
    EXPECT_EQ(tagged.size(), static_cast<std::size_t>(kMemoriesPerWriter));
    for (const SearchResult& r : tagged) EXPECT_TRUE(r.memory.content.starts_with(prefix));
  }
}

TEST(MultiProcessTest, ConcurrentWritersLoseNothingAndOpenHandlesCatchUp) {
  TempDir dir;
  const std::string db = (dir.path() / "shared.db").string();
  const std::string stop_file = (dir.path() / "stop").string();
  auto embedder = workload_embedder();

  // Opened before any write and kept open throughout; its vector index is
  // built (empty) now, so everything later reaches it through the log.
  auto reader = open_sqlite_store({.path = db});
  reader->register_model(embedder->signature());
  SearchQuery probe;
  probe.text = "runbook step";
  probe.embedding = embedder->embed(probe.text);
  ASSERT_TRUE(reader->vector_search(probe).empty());

  const auto started = std::chrono::steady_clock::now();
  auto read_process = std::async(std::launch::async, [&] {
    return testing::run_process(kWorker, {"read", db, stop_file});
  });
  std::vector<std::future<testing::ProcessResult>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::async(std::launch::async, [&, w] {
      return testing::run_process(kWorker,
                                  {"write", db, prefix_of(w), std::to_string(kMemoriesPerWriter)});
    }));
  }

  // Search through the open handle while the writers write.
  int searches_during_writes = 0;
  const auto all_done = [&] {
    for (auto& f : writers) {
      if (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    }
    return true;
  };
  while (!all_done()) {
    reader->hybrid_search(probe);
    reader->vector_search(probe);
    ++searches_during_writes;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int w = 0; w < kWriters; ++w) expect_clean_exit(writers[w].get(), prefix_of(w));
  std::ofstream(stop_file) << "stop\n";
  expect_clean_exit(read_process.get(), "reader process");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  RecordProperty("searches_during_writes", searches_during_writes);
  RecordProperty(
      "elapsed_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));

  // No lost writes.
  const StoreStats stats = reader->stats(now_utc());
  EXPECT_EQ(stats.memories, kWriters * kMemoriesPerWriter);
  EXPECT_EQ(stats.memories_with_embedding, kWriters * kMemoriesPerWriter);

  expect_finds_everything(*reader, *embedder);

  // A handle opened afterwards starts from the snapshot the exiting workers
  // wrote (or rebuilds) and finds the same.
  auto late = open_sqlite_store({.path = db});
  late->register_model(embedder->signature());
  expect_finds_everything(*late, *embedder);
}

}  // namespace
}  // namespace vestige::multiprocess
