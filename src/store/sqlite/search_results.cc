// MemoryStore's search methods: check the query, let SqliteSearch rank, and
// turn its hits into SearchResults.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/sqlite_memory_store.h"

namespace vestige::sqlite {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, message);
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

using store_checks::validate_query;

}  // namespace

std::vector<SearchResult> SqliteMemoryStore::hybrid_search(const SearchQuery& query) {
  validate_query(query);
  if (blank(query.text) && !query.embedding) {
    invalid("a hybrid search needs query text, a query embedding, or both");
  }
  return run_search(query, query.embedding.has_value(), &SqliteSearch::hybrid_search);
}

std::vector<SearchResult> SqliteMemoryStore::text_search(const SearchQuery& query) {
  validate_query(query);
  if (blank(query.text)) invalid("a text search needs query text");
  return run_search(query, false, &SqliteSearch::text_search);
}

std::vector<SearchResult> SqliteMemoryStore::vector_search(const SearchQuery& query) {
  validate_query(query);
  if (!query.embedding) invalid("a vector search needs a query embedding");
  return run_search(query, true, &SqliteSearch::vector_search);
}

std::vector<SearchResult> SqliteMemoryStore::run_search(
    SearchQuery query, bool uses_embedding,
    std::vector<SearchHit> (SqliteSearch::*branch)(const SearchQuery&)) {
  // One reference time for ranking and for the retrievability reported.
  if (!query.now) query.now = now_utc();
  std::lock_guard lock(mutex_);
  if (uses_embedding) require_model(query.embedding->size(), false);
  const auto hits = ((*search_).*branch)(query);

  std::vector<SearchResult> results;
  results.reserve(hits.size());
  ReadTransaction snapshot(db_);
  auto stmt = statements_.get(
      fmt::format("SELECT {} FROM knowledge_nodes WHERE seq = ?1", memory_columns(false)));
  for (const auto& hit : hits) {
    stmt->reset();
    stmt->bind(1, hit.seq);
    // A memory deleted by another process since the ranking is left out.
    if (!stmt->step()) continue;
    results.push_back(SearchResult{.memory = read_memory(*stmt),
                                   .score = hit.score,
                                   .text_rank = hit.text_rank,
                                   .vector_rank = hit.vector_rank,
                                   .text_score = hit.text_score,
                                   .vector_distance = hit.vector_distance,
                                   .retrievability = hit.retrievability});
  }
  return results;
}

}  // namespace vestige::sqlite
