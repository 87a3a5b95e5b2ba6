// Search through the SQLite store at 1k and (with VESTIGE_BENCH_LARGE=1) 100k
// memories: hybrid, vector-only and text-only, so the cost of fusion is
// visible; plus ANN recall@10 of the vector branch against exact search.

#include <map>
#include <sstream>

#include "bench_support.h"

namespace vestige::bench {
namespace {

struct Seeded {
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<Embedder> embedder;
  std::vector<std::string> queries;
  std::vector<Embedding> query_vectors;
  // Queries made of words from stored memories: they have real neighbours,
  // as an agent's recall usually does. The random-word queries above mostly
  // do not, which makes them the hard case for an approximate index.
  std::vector<Embedding> related_query_vectors;
  std::vector<Embedding> corpus_vectors;  // for exact recall
  std::vector<Uuid> corpus_ids;
};

// Seeds (once per size, kept for every benchmark of that size) a store of
// `size` memories embedded with the builtin embedder. A store seeded by an
// earlier run (same size, same model) is reused, with its saved vector index,
// so re-running the 100k benchmarks does not pay minutes of seeding again.
Seeded& seeded(std::size_t size) {
  static std::map<std::size_t, std::unique_ptr<Seeded>> cache;
  auto& slot = cache[size];
  if (slot) return *slot;
  slot = std::make_unique<Seeded>();
  const auto dir = bench_dir("search-" + std::to_string(size));
  slot->embedder = resolve_embedder("builtin/hash-384", {});
  Corpus corpus;
  {
    auto existing = open_sqlite_store({.path = dir / "vestige.db"});
    const auto model = existing->registered_model();
    if (!model || model->signature != slot->embedder->signature() ||
        existing->stats(now_utc()).memories != static_cast<std::int64_t>(size)) {
      existing.reset();
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
    }
  }
  slot->store = open_sqlite_store({.path = dir / "vestige.db"});
  slot->store->register_model(slot->embedder->signature());
  if (slot->store->stats(now_utc()).memories == 0) {
    std::vector<Memory> batch;
    for (std::size_t i = 0; i < size; ++i) {
      Memory m = corpus.memory();
      m.embedding = slot->embedder->embed(m.content);
      batch.push_back(std::move(m));
      if (batch.size() == 1000 || i + 1 == size) {
        slot->store->insert_batch(batch);
        batch.clear();
      }
    }
  } else {
    // Advance the generator past the corpus, so the queries are the same as
    // after a fresh seeding.
    for (std::size_t i = 0; i < size; ++i) corpus.memory();
  }
  for (std::optional<ExportCursor> cursor;;) {
    ExportPage page = slot->store->export_page(cursor, 5000);
    for (Memory& m : page.memories) {
      slot->corpus_vectors.push_back(std::move(*m.embedding));
      slot->corpus_ids.push_back(m.id);
    }
    if (!page.next) break;
    cursor = page.next;
  }
  for (int i = 0; i < 200; ++i) {
    slot->queries.push_back(corpus.sentence(2, 6));
    slot->query_vectors.push_back(slot->embedder->embed(slot->queries.back()));
  }
  std::mt19937 pick(7);
  for (int i = 0; i < 200; ++i) {
    const Uuid& id = slot->corpus_ids[pick() % slot->corpus_ids.size()];
    const std::string content = slot->store->get(id)->content;
    std::istringstream words(content);
    std::string query, word;
    for (int w = 0; w < 6 && words >> word; ++w) query += (w ? " " : "") + word;
    slot->related_query_vectors.push_back(slot->embedder->embed(query));
  }
  // Warm both in-memory indexes so that their builds are not measured as
  // queries (vestige-mcp warms them while the client initializes).
  SearchQuery warm;
  warm.embedding = slot->query_vectors[0];
  slot->store->vector_search(warm);
  warm.text = slot->queries[0];
  slot->store->text_search(warm);
  return *slot;
}

enum class Mode { kHybrid, kVector, kText };

void run_search(benchmark::State& state, Mode mode) {
  const auto size = static_cast<std::size_t>(state.range(0));
  if (skip_large_run(state, static_cast<std::int64_t>(size))) return;
  Seeded& s = seeded(size);
  Latencies latencies;
  std::size_t i = 0;
  for (auto _ : state) {
    SearchQuery q;
    q.limit = 10;
    const std::size_t n = i++ % s.queries.size();
    if (mode != Mode::kVector) q.text = s.queries[n];
    if (mode != Mode::kText) q.embedding = s.query_vectors[n];
    const Stopwatch watch;
    auto results = mode == Mode::kHybrid   ? s.store->hybrid_search(q)
                   : mode == Mode::kVector ? s.store->vector_search(q)
                                           : s.store->text_search(q);
    latencies.add(watch);
    benchmark::DoNotOptimize(results);
  }
  latencies.report(state);
}

void BM_HybridSearch(benchmark::State& state) {
  run_search(state, Mode::kHybrid);
}
void BM_VectorSearch(benchmark::State& state) {
  run_search(state, Mode::kVector);
}
void BM_TextSearch(benchmark::State& state) {
  run_search(state, Mode::kText);
}

// Fraction of the exact top 10 (brute-force cosine) that the store's vector
// search returns, over 50 queries.
double recall_at_10(Seeded& s, const std::vector<Embedding>& queries) {
  double found = 0, wanted = 0;
  for (std::size_t n = 0; n < 50; ++n) {
    const Embedding& q = queries[n];
    std::vector<std::pair<float, std::size_t>> exact;
    exact.reserve(s.corpus_vectors.size());
    for (std::size_t j = 0; j < s.corpus_vectors.size(); ++j) {
      float dot = 0;
      for (std::size_t d = 0; d < q.size(); ++d) dot += q[d] * s.corpus_vectors[j][d];
      exact.emplace_back(-dot, j);
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end());
    SearchQuery query;
    query.embedding = q;
    query.limit = 10;
    const auto results = s.store->vector_search(query);
    for (int k = 0; k < 10; ++k) {
      const Uuid& id = s.corpus_ids[exact[k].second];
      wanted += 1;
      for (const auto& r : results) found += r.memory.id == id ? 1 : 0;
    }
  }
  return found / wanted;
}

void BM_VectorRecallAt10(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  if (skip_large_run(state, static_cast<std::int64_t>(size))) return;
  Seeded& s = seeded(size);
  for (auto _ : state) {
    state.counters["recall_random_words"] = recall_at_10(s, s.query_vectors);
    state.counters["recall_related"] = recall_at_10(s, s.related_query_vectors);
  }
}

BENCHMARK(BM_HybridSearch)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VectorSearch)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TextSearch)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VectorRecallAt10)
    ->Arg(1000)
    ->Arg(100000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vestige::bench

BENCHMARK_MAIN();
