#include "store/sqlite/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/sqlite/fts_query.h"
#include "store/sqlite/search_sql.h"
#include "store/sqlite/vector_sync.h"

namespace vestige::sqlite {

namespace {

// A hit with the memory's id, which orders ties; the store looks memories up
// by seq, so the id stays here.
struct RankedHit {
  SearchHit hit;
  std::string id;
};

std::vector<SearchHit> strip_ids(std::vector<RankedHit> ranked) {
  std::vector<SearchHit> hits;
  hits.reserve(ranked.size());
  for (RankedHit& r : ranked) hits.push_back(r.hit);
  return hits;
}

std::int64_t sql_limit(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

// At most `limit` memories matching the query's words, best first (score =
// negated bm25), ties by id.
std::vector<RankedHit> text_branch(Database& db, const SearchQuery& query, Timestamp now,
                                   std::size_t limit) {
  const std::optional<std::string> match = fts_match_expression(query.text);
  if (!match || limit == 0) return {};
  Statement select = db.prepare(text_search_sql());
  select.bind(select.parameter_index(":match"), *match);
  select.bind(select.parameter_index(":limit"), sql_limit(limit));
  bind_filter(select, query.filter, now);
  std::vector<RankedHit> ranked;
  while (select.step()) {
    RankedHit r;
    r.hit.seq = select.column_int64(0);
    r.id = select.column_text(1);
    r.hit.text_score = select.column_double(2);
    r.hit.score = *r.hit.text_score;
    r.hit.retrievability = select.column_double(3);
    r.hit.text_rank = ranked.size() + 1;
    ranked.push_back(std::move(r));
  }
  return ranked;
}

// At most `limit` memories nearest to the query vector among those passing
// the filters, nearest first (score = cosine similarity), ties by id.
std::vector<RankedHit> vector_branch(Database& db, VectorSearchState& vectors,
                                     const SearchQuery& query, Timestamp now, std::size_t limit) {
  if (!query.embedding || limit == 0) return {};
  vectors.sync();
  VectorIndex* index = vectors.index();
  if (index == nullptr) return {};
  if (index->dimension() != query.embedding->size()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("the query vector has dimension {} but the stored vectors have "
                            "dimension {}; embed the query with the registered model",
                            query.embedding->size(), index->dimension()));
  }

  // The filter check doubles as the lookup of id and retrievability, so it
  // runs even without filters; it also drops memories deleted since sync().
  struct Passed {
    std::string id;
    double retrievability = 1.0;
  };
  std::unordered_map<std::int64_t, Passed> passed;
  Statement check = db.prepare(filter_candidates_sql());
  const CandidateFilter filter = [&](std::span<const std::int64_t> seqs) {
    check.reset();
    bind_filter(check, query.filter, now);
    check.bind(check.parameter_index(":seqs"), Json(std::vector(seqs.begin(), seqs.end())).dump());
    while (check.step()) {
      passed.insert_or_assign(check.column_int64(0),
                              Passed{check.column_text(1), check.column_double(2)});
    }
    std::vector<bool> flags;
    flags.reserve(seqs.size());
    for (const std::int64_t seq : seqs) flags.push_back(passed.contains(seq));
    return flags;
  };

  std::vector<RankedHit> ranked;
  for (const VectorMatch& match : index->search(*query.embedding, limit, filter)) {
    const Passed& memory = passed.at(match.label);
    RankedHit r;
    r.hit.seq = match.label;
    r.id = memory.id;
    r.hit.vector_distance = match.distance;
    r.hit.score = 1.0 - match.distance;
    r.hit.retrievability = memory.retrievability;
    ranked.push_back(std::move(r));
  }
  // The index orders ties by seq and returns whole ties at the cut, so the
  // contract's order (distance, then id) can be applied here exactly.
  std::sort(ranked.begin(), ranked.end(), [](const RankedHit& a, const RankedHit& b) {
    return *a.hit.vector_distance != *b.hit.vector_distance
               ? *a.hit.vector_distance < *b.hit.vector_distance
               : a.id < b.id;
  });
  if (ranked.size() > limit) ranked.resize(limit);
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i].hit.vector_rank = i + 1;
  return ranked;
}

}  // namespace

SqliteSearch::SqliteSearch(Database& db)
    : db_(db), vectors_(std::make_unique<VectorSearchState>(db)) {
  register_search_functions(db_);
}

SqliteSearch::~SqliteSearch() = default;

std::vector<SearchHit> SqliteSearch::text_search(const SearchQuery& query) {
  return strip_ids(text_branch(db_, query, query.now.value_or(now_utc()), query.limit));
}

std::vector<SearchHit> SqliteSearch::vector_search(const SearchQuery& query) {
  return strip_ids(
      vector_branch(db_, *vectors_, query, query.now.value_or(now_utc()), query.limit));
}

std::vector<SearchHit> SqliteSearch::hybrid_search(const SearchQuery& query) {
  if (query.limit == 0) return {};
  const Timestamp now = query.now.value_or(now_utc());
  // Over-fetched so a memory ranked modestly by both branches can still
  // outrank one ranked well by a single branch.
  const std::size_t fetch = std::max<std::size_t>(
      query.limit > std::numeric_limits<std::size_t>::max() / 3 ? query.limit : 3 * query.limit,
      30);
  std::vector<RankedHit> text = text_branch(db_, query, now, fetch);
  std::vector<RankedHit> vector = vector_branch(db_, *vectors_, query, now, fetch);

  const double k = query.rrf_k;
  std::unordered_map<std::int64_t, RankedHit> fused;
  for (RankedHit& r : text) {
    r.hit.score = query.text_weight / (k + static_cast<double>(*r.hit.text_rank));
    fused.emplace(r.hit.seq, std::move(r));
  }
  for (RankedHit& r : vector) {
    const double share = query.vector_weight / (k + static_cast<double>(*r.hit.vector_rank));
    const auto [it, inserted] = fused.try_emplace(r.hit.seq, r);
    if (inserted) {
      it->second.hit.score = share;
    } else {
      it->second.hit.score += share;
      it->second.hit.vector_rank = r.hit.vector_rank;
      it->second.hit.vector_distance = r.hit.vector_distance;
    }
  }

  std::vector<RankedHit> ranked;
  ranked.reserve(fused.size());
  for (auto& [seq, r] : fused) ranked.push_back(std::move(r));
  std::sort(ranked.begin(), ranked.end(), [](const RankedHit& a, const RankedHit& b) {
    return a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.id < b.id;
  });
  if (ranked.size() > query.limit) ranked.resize(query.limit);
  return strip_ids(std::move(ranked));
}

void SqliteSearch::save_snapshot() {
  vectors_->save_snapshot();
}

}  // namespace vestige::sqlite
