// The recall pipeline end to end (engine::Recaller over the SQLite store) at
// 1k and (with VESTIGE_BENCH_LARGE=1) 100k memories: query embedding, hybrid
// search, session-neighbour evidence, re-ranking, supersession, spreading
// activation, rendering and access recording. The store's memories are linked
// in sessions of kSessionLength by temporal edges, as ingest links them, so
// the graph steps have edges to read.

#include <map>
#include <sstream>

#include "bench_support.h"
#include "engine/access_recorder.h"
#include "engine/ingest.h"
#include "engine/recall.h"

namespace vestige::bench {
namespace {

constexpr std::size_t kSessionLength = 8;

struct Seeded {
  std::filesystem::path path;
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<Embedder> embedder;
  std::vector<std::string> queries;  // six words of a stored memory
};

// Seeds (once per size; reused across runs while the size and model match) a
// store of `size` corpus memories with temporal edges.
Seeded& seeded(std::size_t size) {
  static std::map<std::size_t, std::unique_ptr<Seeded>> cache;
  auto& slot = cache[size];
  if (slot) return *slot;
  slot = std::make_unique<Seeded>();
  const auto dir = bench_dir("recall-" + std::to_string(size));
  slot->embedder = resolve_embedder("builtin/hash-384", {});
  {
    auto existing = open_sqlite_store({.path = dir / "vestige.db"});
    const auto model = existing->registered_model();
    const StoreStats stats = existing->stats(now_utc());
    if (!model || model->signature != slot->embedder->signature() ||
        stats.memories != static_cast<std::int64_t>(size) ||
        stats.edges < static_cast<std::int64_t>(size / 2)) {
      existing.reset();
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
    }
  }
  slot->path = dir / "vestige.db";
  slot->store = open_sqlite_store({.path = slot->path});
  slot->store->register_model(slot->embedder->signature());
  std::vector<Uuid> ids;
  if (slot->store->stats(now_utc()).memories == 0) {
    Corpus corpus;
    std::vector<Memory> batch;
    for (std::size_t i = 0; i < size; ++i) {
      Memory m = corpus.memory();
      m.embedding = slot->embedder->embed(m.content);
      batch.push_back(std::move(m));
      if (batch.size() == 1000 || i + 1 == size) {
        for (const Memory& stored : slot->store->insert_batch(batch)) ids.push_back(stored.id);
        batch.clear();
      }
    }
    for (std::size_t i = 1; i < ids.size(); ++i) {
      if (i % kSessionLength == 0) continue;
      Edge e;
      e.source_id = ids[i - 1];
      e.target_id = ids[i];
      e.edge_type = std::string(engine::kTemporalEdge);
      slot->store->add_edge(e);
    }
  } else {
    for (std::optional<ExportCursor> cursor;;) {
      ExportPage page = slot->store->export_page(cursor, 5000);
      for (const Memory& m : page.memories) ids.push_back(m.id);
      if (!page.next) break;
      cursor = page.next;
    }
  }
  std::mt19937 pick(7);
  for (int i = 0; i < 200; ++i) {
    const std::string content = slot->store->get(ids[pick() % ids.size()])->content;
    std::istringstream words(content);
    std::string query, word;
    for (int w = 0; w < 6 && words >> word; ++w) query += (w ? " " : "") + word;
    slot->queries.push_back(query);
  }
  // Warm the vector index so that its build is not measured as a recall.
  SearchQuery warm;
  warm.embedding = slot->embedder->embed(slot->queries[0]);
  slot->store->vector_search(warm);
  return *slot;
}

enum class Access { kNone, kSynchronous, kBackground };

void run_recall(benchmark::State& state, Access access,
                engine::DetailLevel detail = engine::DetailLevel::kSummary,
                std::optional<std::size_t> budget = std::nullopt) {
  const auto size = static_cast<std::size_t>(state.range(0));
  if (skip_large_run(state, static_cast<std::int64_t>(size))) return;
  Seeded& s = seeded(size);
  // The background writes go through a second handle, as a server would
  // set it up, so they do not queue behind the recall's reads.
  std::unique_ptr<MemoryStore> writer;
  std::unique_ptr<engine::AccessRecorder> recorder;
  if (access == Access::kBackground) {
    writer = open_sqlite_store({.path = s.path});
    recorder = std::make_unique<engine::AccessRecorder>(*writer);
  }
  engine::Recaller recaller(*s.store, *s.embedder, nullptr, {}, recorder.get());
  Latencies latencies;
  std::size_t i = 0;
  double candidates = 0, associations = 0;
  for (auto _ : state) {
    engine::RecallRequest request;
    request.query = s.queries[i++ % s.queries.size()];
    request.record_access = access != Access::kNone;
    request.detail = detail;
    request.token_budget = budget;
    const Stopwatch watch;
    engine::RecallResult result = recaller.recall(request, now_utc());
    latencies.add(watch);
    candidates += static_cast<double>(result.candidates);
    associations += static_cast<double>(result.associations.size());
    benchmark::DoNotOptimize(result);
  }
  if (recorder) recorder->flush();
  latencies.report(state);
  const double n = static_cast<double>(std::max<std::size_t>(i, 1));
  state.counters["candidates"] = candidates / n;
  state.counters["associations"] = associations / n;
}

// The full pipeline, access written before recall returns.
void BM_Recall(benchmark::State& state) {
  run_recall(state, Access::kSynchronous);
}
// Access written in the background by an AccessRecorder.
void BM_RecallBackgroundAccess(benchmark::State& state) {
  run_recall(state, Access::kBackground);
}
// Without access recording (its writes are the pipeline's only writes).
void BM_RecallNoAccess(benchmark::State& state) {
  run_recall(state, Access::kNone);
}
// Brief results within a small budget, as session_start would ask.
void BM_RecallBriefBudget(benchmark::State& state) {
  run_recall(state, Access::kBackground, engine::DetailLevel::kBrief, 300);
}

// The store's hybrid search alone, same queries and candidate count: what the
// pipeline adds is the difference.
void BM_HybridSearchOnly(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  if (skip_large_run(state, static_cast<std::int64_t>(size))) return;
  Seeded& s = seeded(size);
  Latencies latencies;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& text = s.queries[i++ % s.queries.size()];
    const Stopwatch watch;
    SearchQuery query;
    query.text = text;
    query.embedding = s.embedder->embed(text);
    query.limit = engine::RecallOptions{}.min_candidates;
    auto results = s.store->hybrid_search(query);
    latencies.add(watch);
    benchmark::DoNotOptimize(results);
  }
  latencies.report(state);
}

BENCHMARK(BM_HybridSearchOnly)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Recall)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RecallBackgroundAccess)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RecallNoAccess)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RecallBriefBudget)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vestige::bench

BENCHMARK_MAIN();
