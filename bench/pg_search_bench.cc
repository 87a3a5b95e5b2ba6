// The PostgreSQL backend's one-statement hybrid search at 1k and (with
// VESTIGE_BENCH_LARGE=1) 100k memories: p50/p99 through the store, and the
// same statement with the same parameters run bare through libpq (prepared
// once, inside BEGIN; SET LOCAL hnsw.ef_search ...; COMMIT, as the store runs
// it), so that the store's own overhead shows as a ratio.
//
// The server is $VESTIGE_BENCH_PG_URL (else $VESTIGE_TEST_PG_URL), e.g. the
// test server: tests/postgres/pg_test_server.sh start <dir> writes its URL to
// <dir>/url. The benchmark empties that database first.

#include <libpq-fe.h>

#include <bit>
#include <map>

#include "bench_support.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/text_query.h"
#include "support/pg_test_server.h"
#include "vestige/error.h"

namespace vestige::bench {
namespace {

std::string server_url() {
  for (const char* name : {"VESTIGE_BENCH_PG_URL", "VESTIGE_TEST_PG_URL"}) {
    if (const char* url = std::getenv(name); url && *url) return url;
  }
  return {};
}

struct Seeded {
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<Embedder> embedder;
  std::vector<std::string> queries;
  std::vector<Embedding> query_vectors;
};

// Seeds a store of `size` memories (once per size and process; a database
// that already holds exactly that many memories of the same model is reused).
Seeded& seeded(const std::string& url, std::size_t size) {
  static std::map<std::size_t, std::unique_ptr<Seeded>> cache;
  auto& slot = cache[size];
  if (slot) return *slot;
  cache.clear();  // one database: the other size's store is gone now
  auto& fresh = cache[size];
  fresh = std::make_unique<Seeded>();
  fresh->embedder = resolve_embedder("builtin/hash-384", {});
  PostgresStoreOptions options{.config = testing::test_pg_config(url, 2)};
  {
    bool reuse = false;
    try {
      auto existing = open_postgres_store(options);
      const auto model = existing->registered_model();
      reuse = model && model->signature == fresh->embedder->signature() &&
              existing->stats(now_utc()).memories == static_cast<std::int64_t>(size);
    } catch (const Error&) {
    }
    if (!reuse) testing::reset_test_database(url);
  }
  fresh->store = open_postgres_store(options);
  fresh->store->register_model(fresh->embedder->signature());
  Corpus corpus;
  const bool empty = fresh->store->stats(now_utc()).memories == 0;
  std::vector<Memory> batch;
  for (std::size_t i = 0; i < size; ++i) {
    Memory m = corpus.memory();
    if (!empty) continue;  // same generator state as after a fresh seeding
    m.embedding = fresh->embedder->embed(m.content);
    batch.push_back(std::move(m));
    if (batch.size() == 1000 || i + 1 == size) {
      fresh->store->insert_batch(batch);
      batch.clear();
    }
  }
  for (int i = 0; i < 200; ++i) {
    fresh->queries.push_back(corpus.sentence(2, 6));
    fresh->query_vectors.push_back(fresh->embedder->embed(fresh->queries.back()));
  }
  return *fresh;
}

bool prepare(benchmark::State& state, std::string& url) {
  url = server_url();
  if (url.empty()) {
    state.SkipWithError(
        "set VESTIGE_BENCH_PG_URL to a PostgreSQL server with pgvector whose database may be "
        "emptied (tests/postgres/pg_test_server.sh start <dir> starts one and writes its URL "
        "to <dir>/url)");
    return false;
  }
  if (skip_large_run(state, state.range(0))) return false;
  return true;
}

void BM_PgHybridSearch(benchmark::State& state) {
  std::string url;
  if (!prepare(state, url)) return;
  Seeded& s = seeded(url, static_cast<std::size_t>(state.range(0)));
  Latencies latencies;
  std::size_t i = 0;
  for (auto _ : state) {
    SearchQuery q;
    q.limit = 10;
    const std::size_t n = i++ % s.queries.size();
    q.text = s.queries[n];
    q.embedding = s.query_vectors[n];
    const auto start = std::chrono::steady_clock::now();
    auto results = s.store->hybrid_search(q);
    latencies.add(std::chrono::steady_clock::now() - start);
    benchmark::DoNotOptimize(results);
  }
  latencies.report(state);
}

// pgvector's binary input, as the store sends it.
std::string vector_bytes(const Embedding& v) {
  std::string bytes;
  const auto put = [&bytes](std::uint32_t value, int size) {
    for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) {
      bytes += static_cast<char>((value >> shift) & 0xff);
    }
  };
  put(static_cast<std::uint32_t>(v.size()), 2);
  put(0, 2);
  for (const float f : v) put(std::bit_cast<std::uint32_t>(f), 4);
  return bytes;
}

void check(PGconn* conn, PGresult* result, const char* what) {
  const auto status = PQresultStatus(result);
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  PQclear(result);
  if (!ok) throw std::runtime_error(std::string(what) + ": " + PQerrorMessage(conn));
}

void BM_PgHybridSearchBareLibpq(benchmark::State& state) {
  std::string url;
  if (!prepare(state, url)) return;
  Seeded& s = seeded(url, static_cast<std::size_t>(state.range(0)));
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    state.SkipWithError(PQerrorMessage(conn.get()));
    return;
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  const std::string sql(postgres::hybrid_search_sql());
  // A fresh name per run: some servers (PGlite) keep one session for every
  // connection, so an earlier run's statement may still exist.
  const std::string name = "bench_hybrid_" + std::to_string(std::random_device{}());
  check(conn.get(), PQprepare(conn.get(), name.c_str(), sql.c_str(), 0, nullptr), "prepare");
  Latencies latencies;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t n = i++ % s.queries.size();
    // The store's parameters for a hybrid search with limit 10 (over-fetch 30).
    const std::string words = postgres::websearch_text(s.queries[n]).value_or("");
    const std::string vector = vector_bytes(s.query_vectors[n]);
    const std::string now = format_timestamp(now_utc());
    const char* values[14] = {words.c_str(), vector.data(), "30",        "10",    "1",
                              "1",           "60",          now.c_str(), "false", nullptr,
                              nullptr,       nullptr,       nullptr,     "hybrid"};
    int lengths[14] = {};
    lengths[1] = static_cast<int>(vector.size());
    int formats[14] = {};
    formats[1] = 1;
    const auto start = std::chrono::steady_clock::now();
    check(conn.get(),
          PQexec(conn.get(),
                 "BEGIN; SET LOCAL hnsw.ef_search = 40; SET LOCAL hnsw.iterative_scan = "
                 "strict_order"),
          "begin");
    PGresult* result =
        PQexecPrepared(conn.get(), name.c_str(), 14, values, lengths, formats, /*text*/ 0);
    benchmark::DoNotOptimize(PQntuples(result));
    check(conn.get(), result, "hybrid search");
    check(conn.get(), PQexec(conn.get(), "COMMIT"), "commit");
    latencies.add(std::chrono::steady_clock::now() - start);
  }
  latencies.report(state);
}

// Size by size, so that each size is seeded once.
BENCHMARK(BM_PgHybridSearch)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgHybridSearchBareLibpq)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgHybridSearch)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgHybridSearchBareLibpq)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vestige::bench

BENCHMARK_MAIN();
