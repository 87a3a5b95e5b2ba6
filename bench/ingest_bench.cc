// Ingest throughput with the builtin embedder (embed + insert, one memory per
// transaction, as `vestige ingest` and the MCP server do), and batch import
// (embed + insert in transactions of 500) of 10k or, with
// VESTIGE_BENCH_LARGE=1, 100k memories.

#include "bench_support.h"

namespace vestige::bench {
namespace {

void BM_IngestOneByOne(benchmark::State& state) {
  const auto dir = bench_dir("ingest");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = open_sqlite_store({.path = dir / "vestige.db"});
  auto embedder = resolve_embedder("builtin/hash-384", {});
  store->register_model(embedder->signature());
  Corpus corpus;
  Latencies latencies;
  for (auto _ : state) {
    Memory m = corpus.memory();
    const auto start = std::chrono::steady_clock::now();
    m.embedding = embedder->embed(m.content);
    store->insert(m);
    latencies.add(std::chrono::steady_clock::now() - start);
  }
  latencies.report(state);
  state.SetItemsProcessed(state.iterations());
}

void BM_BatchImport(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  if (skip_large_run(state, static_cast<std::int64_t>(size))) return;
  Corpus corpus;
  std::vector<Memory> memories;
  for (std::size_t i = 0; i < size; ++i) memories.push_back(corpus.memory());
  auto embedder = resolve_embedder("builtin/hash-384", {});
  for (auto _ : state) {
    state.PauseTiming();
    const auto dir = bench_dir("import");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto store = open_sqlite_store({.path = dir / "vestige.db"});
    store->register_model(embedder->signature());
    state.ResumeTiming();
    for (std::size_t i = 0; i < size; i += 500) {
      std::vector<std::string> texts;
      std::vector<Memory> batch(memories.begin() + i, memories.begin() + std::min(size, i + 500));
      for (const Memory& m : batch) texts.push_back(m.content);
      auto vectors = embedder->embed_batch(texts);
      for (std::size_t j = 0; j < batch.size(); ++j) batch[j].embedding = std::move(vectors[j]);
      store->insert_batch(batch);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

BENCHMARK(BM_IngestOneByOne)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
BENCHMARK(BM_BatchImport)->Arg(10000)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vestige::bench

BENCHMARK_MAIN();
