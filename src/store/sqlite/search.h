#pragma once

// Search over a SQLite memory store: the text branch (FTS5's index, ranked
// by an in-memory copy of it), the vector branch (an in-memory HNSW index)
// and their fusion; both in-memory indexes are kept in step with the
// database across processes. Ranking only: the store turns hits into
// SearchResults.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "store/sqlite/database.h"
#include "store/sqlite/fts5_support.h"
#include "store/sqlite/statement_cache.h"
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

class TextSearchState;

// Not thread-safe: the owning store serialises calls (it holds its mutex while
// calling) and passes the connection it owns.
class SqliteSearch {
 public:
  // `db` must outlive this object. Does no I/O: the indexes are loaded or
  // built on first use.
  explicit SqliteSearch(Database& db);
  ~SqliteSearch();
  SqliteSearch(const SqliteSearch&) = delete;
  SqliteSearch& operator=(const SqliteSearch&) = delete;

  // Contracts as MemoryStore's methods of the same names (ordering, filters,
  // limit, tie-break by id), returning hits instead of results. The caller
  // has checked the model registry and the query vector's dimension.
  std::vector<SearchHit> text_search(const SearchQuery& query);
  std::vector<SearchHit> vector_search(const SearchQuery& query);
  std::vector<SearchHit> hybrid_search(const SearchQuery& query);

  // Writes the vector and text indexes to their snapshot files beside the
  // database so the next process starts without rebuilding them. Called on
  // close; safe to call any time. Throws the first Error(kBackend) of a
  // file that cannot be written, after trying both.
  void save_snapshot();

 private:
  Database& db_;
  StatementCache statements_;
  TextTokenizer tokenizer_;
  std::unique_ptr<TextSearchState> text_;
  std::unique_ptr<VectorSearchState> vectors_;
};

}  // namespace vestige::sqlite
