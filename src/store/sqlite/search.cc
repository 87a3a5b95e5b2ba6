#include "store/sqlite/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/sqlite/fts_query.h"
#include "store/sqlite/search_sql.h"
#include "store/sqlite/text_sync.h"
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

// Which of `seqs` pass the query's filters, with the id and retrievability
// the results need. Seqs of memories deleted meanwhile do not pass.
struct Passed {
  std::string id;
  double retrievability = 1.0;
};
std::unordered_map<std::int64_t, Passed> check_filter(StatementCache& statements,
                                                      const SearchFilter& filter, Timestamp now,
                                                      std::span<const std::int64_t> seqs) {
  std::unordered_map<std::int64_t, Passed> passed;
  auto check = statements.get(filter_candidates_sql());
  bind_filter(*check, filter, now);
  check->bind(check->parameter_index(":seqs"), Json(std::vector(seqs.begin(), seqs.end())).dump());
  while (check->step()) {
    passed.insert_or_assign(check->column_int64(0),
                            Passed{check->column_text(1), check->column_double(2)});
  }
  return passed;
}

// The memories holding `word`, a word the tokenizer splits into several
// tokens (the index keeps no positions), with its weighted frequency.
std::vector<std::pair<std::int64_t, double>> phrase_rows(StatementCache& statements,
                                                         const std::string& word) {
  std::vector<std::pair<std::int64_t, double>> rows;
  auto select = statements.get(phrase_rows_sql());
  select->bind(select->parameter_index(":phrase"), fts_or_expression({word}));
  while (select->step()) rows.emplace_back(select->column_int64(0), select->column_double(1));
  return rows;
}

// The `limit` best of `matches` passing the filters, best first, ties by id.
//
// Looking a memory up to check its filters costs far more than scoring it
// (a row read), so the best matches are checked a few at a time: the best
// 2 * limit + 8 first, four times as many more while fewer than `limit`
// pass. Only as many matches as are checked get sorted; the index knows the
// ids, so ties are ordered without reading rows.
std::vector<RankedHit> best_passing(StatementCache& statements, const SearchFilter& filter,
                                    Timestamp now, const TextIndex& index,
                                    std::vector<TextIndex::Match> matches, std::size_t limit) {
  const auto by_score = [](const TextIndex::Match& a, const TextIndex::Match& b) {
    return a.score > b.score;
  };
  const auto by_score_then_id = [&index](const TextIndex::Match& a, const TextIndex::Match& b) {
    return a.score != b.score ? a.score > b.score : index.id(a.slot) < index.id(b.slot);
  };
  std::vector<RankedHit> ranked;
  // matches[0, sorted) are in their final order, and ahead of all the rest.
  std::size_t sorted = 0;
  std::size_t checked = 0;
  for (std::size_t batch = 2 * limit + 8; checked < matches.size() && ranked.size() < limit;
       batch *= 4) {
    const std::size_t wanted = std::min(matches.size() - checked, batch) + checked;
    if (sorted < wanted) {
      // The best of the rest by score alone, then every match tied with the
      // last of them, which the id may put ahead of it.
      const auto first = matches.begin() + static_cast<std::ptrdiff_t>(sorted);
      const auto nth = matches.begin() + static_cast<std::ptrdiff_t>(wanted - 1);
      std::nth_element(first, nth, matches.end(), by_score);
      const double cut = nth->score;
      const auto last = std::partition(nth + 1, matches.end(),
                                       [cut](const TextIndex::Match& m) { return m.score == cut; });
      std::sort(first, last, by_score_then_id);
      sorted = static_cast<std::size_t>(last - matches.begin());
    }
    std::vector<std::int64_t> seqs;
    for (std::size_t i = checked; i < wanted; ++i) seqs.push_back(index.seq(matches[i].slot));
    const std::unordered_map<std::int64_t, Passed> passed =
        check_filter(statements, filter, now, seqs);
    for (std::size_t i = checked; i < wanted && ranked.size() < limit; ++i) {
      const auto found = passed.find(seqs[i - checked]);
      if (found == passed.end()) continue;
      RankedHit r;
      r.hit.seq = seqs[i - checked];
      r.id = found->second.id;
      r.hit.text_score = matches[i].score;
      r.hit.score = matches[i].score;
      r.hit.retrievability = found->second.retrievability;
      r.hit.text_rank = ranked.size() + 1;
      ranked.push_back(std::move(r));
    }
    checked = wanted;
  }
  return ranked;
}

// At most `limit` memories matching any of the query's words, best first
// (score = negated bm25 over all of them, as FTS5 computes it), ties by id.
// Exact: every match is scored, in memory (text_index.h).
std::vector<RankedHit> text_branch(Database& db, StatementCache& statements,
                                   TextTokenizer& tokenizer, TextSearchState& text,
                                   const SearchQuery& query, Timestamp now, std::size_t limit) {
  const std::vector<std::string> words = fts_match_words(query.text);
  if (words.empty() || limit == 0) return {};
  // The index and FTS5 (for phrases) must describe the same commit.
  std::optional<ReadTransaction> read;
  if (sqlite3_get_autocommit(db.handle()) != 0) read.emplace(db);
  text.sync();
  std::vector<TextIndex::Phrase> phrases;
  for (const std::string& word : words) {
    std::vector<std::string> tokens = tokenizer.query_tokens(word);
    // A word the tokenizer drops entirely matches nothing.
    if (tokens.size() == 1) {
      phrases.push_back({.token = std::move(tokens.front()), .rows = {}});
    } else if (tokens.size() > 1) {
      phrases.push_back({.token = std::nullopt, .rows = phrase_rows(statements, word)});
    }
  }
  return best_passing(statements, query.filter, now, text.index(), text.index().score(phrases),
                      limit);
}

// At most `limit` memories nearest to the query vector among those passing
// the filters, nearest first (score = cosine similarity), ties by id.
std::vector<RankedHit> vector_branch(StatementCache& statements, VectorSearchState& vectors,
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
  std::unordered_map<std::int64_t, Passed> passed;
  const CandidateFilter filter = [&](std::span<const std::int64_t> seqs) {
    passed.merge(check_filter(statements, query.filter, now, seqs));
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
    : db_(db),
      statements_(db),
      tokenizer_(db),
      text_(std::make_unique<TextSearchState>(db, tokenizer_)),
      vectors_(std::make_unique<VectorSearchState>(db)) {
  register_search_functions(db_);
  register_phrase_frequency(db_);
}

SqliteSearch::~SqliteSearch() = default;

std::vector<SearchHit> SqliteSearch::text_search(const SearchQuery& query) {
  return strip_ids(text_branch(db_, statements_, tokenizer_, *text_, query,
                               query.now.value_or(now_utc()), query.limit));
}

std::vector<SearchHit> SqliteSearch::vector_search(const SearchQuery& query) {
  return strip_ids(
      vector_branch(statements_, *vectors_, query, query.now.value_or(now_utc()), query.limit));
}

std::vector<SearchHit> SqliteSearch::hybrid_search(const SearchQuery& query) {
  if (query.limit == 0) return {};
  const Timestamp now = query.now.value_or(now_utc());
  // Over-fetched so a memory ranked modestly by both branches can still
  // outrank one ranked well by a single branch.
  const std::size_t fetch = std::max<std::size_t>(
      query.limit > std::numeric_limits<std::size_t>::max() / 3 ? query.limit : 3 * query.limit,
      30);
  std::vector<RankedHit> text =
      text_branch(db_, statements_, tokenizer_, *text_, query, now, fetch);
  std::vector<RankedHit> vector = vector_branch(statements_, *vectors_, query, now, fetch);

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
  // One snapshot failing to be written must not keep the other from it.
  std::exception_ptr failure;
  try {
    vectors_->save_snapshot();
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    text_->save_snapshot();
  } catch (...) {
    if (!failure) failure = std::current_exception();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace vestige::sqlite
