#pragma once

// Search over a SQLite memory store: the FTS5 text branch, the vector branch
// (an in-memory HNSW index kept in step with the database across processes)
// and their fusion. Ranking only: the store turns hits into SearchResults.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "store/sqlite/database.h"
#include "store/sqlite/statement_cache.h"
#include "store/sqlite/term_stats.h"
#include "vestige/types.h"

namespace vestige::sqlite {

// One ranked memory, identified by knowledge_nodes.seq.
struct SearchHit {
  std::int64_t seq = 0;
  double score = 0.0;
  std::optional<std::size_t> text_rank;
  std::optional<std::size_t> vector_rank;
  std::optional<double> text_score;
  std::optional<double> vector_distance;
  double retrievability = 1.0;
};

class VectorSearchState;

// Where the text branch changes strategy (see text_branch in search.cc). The
// defaults suit stores of any size; tests lower them to reach every path with
// a small corpus.
struct TextSearchTuning {
  // Below this many memories every match is scored and filtered in one
  // statement: exact, and well under a millisecond.
  std::int64_t fast_path_memories = 4096;
  // How many postings the candidate-generating words may hold together at
  // first: each candidate costs a seek in every query word's posting list.
  std::int64_t candidate_budget = 1000;
  // The most postings an exact answer may score (about half a microsecond
  // each); a query whose exact answer needs more is answered from its newest
  // matches (see text_branch).
  std::int64_t exact_postings = 8000;
  // How many of the newest matches such a query scores at first.
  std::int64_t window_postings = 2000;
  // The most unfiltered top matches whose filters are checked before the
  // filters move into the scoring statement (a selective filter).
  std::int64_t filter_check_rows = 2048;
};

// Not thread-safe: the owning store serialises calls (it holds its mutex while
// calling) and passes the connection it owns.
class SqliteSearch {
 public:
  // `db` must outlive this object. Does no I/O: the vector index is loaded or
  // built on first use.
  explicit SqliteSearch(Database& db, TextSearchTuning tuning = {});
  ~SqliteSearch();
  SqliteSearch(const SqliteSearch&) = delete;
  SqliteSearch& operator=(const SqliteSearch&) = delete;

  // Contracts as MemoryStore's methods of the same names (ordering, filters,
  // limit, tie-break by id), returning hits instead of results. The caller
  // has checked the model registry and the query vector's dimension.
  std::vector<SearchHit> text_search(const SearchQuery& query);
  std::vector<SearchHit> vector_search(const SearchQuery& query);
  std::vector<SearchHit> hybrid_search(const SearchQuery& query);

  // Writes the vector index to its snapshot file beside the database so the
  // next process starts without rebuilding it. Called on close; safe to call
  // any time.
  void save_snapshot();

 private:
  Database& db_;
  TextSearchTuning tuning_;
  StatementCache statements_;
  TermStats terms_;
  std::unique_ptr<VectorSearchState> vectors_;
};

}  // namespace vestige::sqlite
