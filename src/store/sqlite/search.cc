#include "store/sqlite/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
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

// Reads a text statement's rows (see text_search_sql) in order.
std::vector<RankedHit> read_text_hits(Statement& select) {
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

// Below this many memories scoring every match costs well under a
// millisecond, and the plain statement is the simplest exact answer.
constexpr std::int64_t kFastPathMemories = 4096;
// How many postings the candidate-generating words may hold together at
// first: each candidate costs a seek in every query word's posting list.
constexpr std::int64_t kCandidateBudget = 1000;

struct QueryWord {
  std::string word;
  std::optional<std::int64_t> frequency;  // memories holding it; unknown unless one token
  double bound = 0.0;                     // most it can add to a memory's score
};

// At most `limit` memories matching the query's words, best first (score =
// negated bm25), ties by id.
//
// bm25 over everything a common word matches costs ~2 us a memory, so at
// 100k memories "the"-like words make a query cost 100 ms. The fast path
// follows the "common terms" idea: the rarest words generate candidates,
// and the candidates are scored with bm25 over all the words (by
// vestige_bm25, which takes the words' frequencies instead of counting
// them; see term_stats.h). The answer is exact, not approximate: a word adds
// at most idf * (k1 + 1) = 2.2 * idf to a memory's score (idf clamped to
// 1e-6, as FTS5 does, for words in most memories), so a memory holding none
// of the generating words scores below the sum of the other words' bounds.
// When the limit-th candidate (filters applied) scores above that sum, no
// such memory can enter the top; otherwise the next rarest word joins the
// generators and the query runs again, down to the plain statement.
std::vector<RankedHit> text_branch(StatementCache& statements, TermStats& terms,
                                   const SearchQuery& query, Timestamp now, std::size_t limit) {
  const std::vector<std::string> words = fts_match_words(query.text);
  if (words.empty() || limit == 0) return {};
  const std::string all = fts_or_expression(words);
  const auto plain = [&] {
    auto select = statements.get(text_search_sql());
    select->bind(select->parameter_index(":match"), all);
    select->bind(select->parameter_index(":limit"), sql_limit(limit));
    bind_filter(*select, query.filter, now);
    return read_text_hits(*select);
  };
  if (words.size() < 2) return plain();

  // More than the number of memories (FTS5's N) unless seqs were chosen by
  // hand; a larger N only raises the bounds, so this stays exact.
  std::int64_t memories = 0;
  {
    auto count = statements.get("SELECT max(seq) - min(seq) + 1 FROM knowledge_nodes");
    if (count->step() && !count->is_null(0)) memories = count->column_int64(0);
  }
  if (memories < kFastPathMemories) return plain();

  terms.forget_if_changed();
  std::vector<QueryWord> ranked_words;
  std::string frequencies;  // in the words' order, as vestige_bm25 wants them
  for (const std::string& word : words) {
    QueryWord w;
    w.word = word;
    const std::vector<std::string> tokens = terms.tokens(word);
    // A word the tokenizer splits is a multi-token phrase: its count is not
    // in the vocabulary, so it always generates candidates.
    if (tokens.size() == 1) {
      w.frequency = terms.document_frequency(tokens[0]);
      const double n = static_cast<double>(memories);
      const double f = static_cast<double>(*w.frequency);
      w.bound = 2.2 * std::max(std::log((n - f + 0.5) / (f + 0.5)), 1e-6);
    }
    if (!frequencies.empty()) frequencies += ',';
    frequencies += std::to_string(w.frequency.value_or(-1));
    ranked_words.push_back(std::move(w));
  }
  std::stable_sort(ranked_words.begin(), ranked_words.end(),
                   [](const QueryWord& a, const QueryWord& b) {
                     return a.frequency.value_or(-1) < b.frequency.value_or(-1);
                   });

  std::size_t generators = 0;
  std::int64_t postings = 0;
  while (generators < ranked_words.size()) {
    const QueryWord& w = ranked_words[generators];
    if (w.frequency && generators > 0 && postings + *w.frequency > kCandidateBudget) break;
    postings += w.frequency.value_or(0);
    ++generators;
  }
  for (; generators < ranked_words.size(); ++generators) {
    double excluded = 0.0;
    std::vector<std::string> generating;
    for (std::size_t i = 0; i < ranked_words.size(); ++i) {
      if (i < generators) {
        generating.push_back(ranked_words[i].word);
      } else {
        excluded += ranked_words[i].bound;
      }
    }
    auto select = statements.get(text_candidates_sql());
    select->bind(select->parameter_index(":match"),
                 fmt::format("({}) AND ({})", fts_or_expression(generating), all));
    select->bind(select->parameter_index(":first_phrase"), static_cast<std::int64_t>(generators));
    select->bind(select->parameter_index(":frequencies"), frequencies);
    select->bind(select->parameter_index(":limit"), sql_limit(limit));
    bind_filter(*select, query.filter, now);
    std::vector<RankedHit> ranked = read_text_hits(*select);
    if (ranked.size() == limit && *ranked.back().hit.text_score > excluded) return ranked;
  }
  return plain();
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
  struct Passed {
    std::string id;
    double retrievability = 1.0;
  };
  std::unordered_map<std::int64_t, Passed> passed;
  const CandidateFilter filter = [&](std::span<const std::int64_t> seqs) {
    auto check = statements.get(filter_candidates_sql());
    bind_filter(*check, query.filter, now);
    check->bind(check->parameter_index(":seqs"),
                Json(std::vector(seqs.begin(), seqs.end())).dump());
    while (check->step()) {
      passed.insert_or_assign(check->column_int64(0),
                              Passed{check->column_text(1), check->column_double(2)});
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
    : db_(db), statements_(db), terms_(db), vectors_(std::make_unique<VectorSearchState>(db)) {
  register_search_functions(db_);
}

SqliteSearch::~SqliteSearch() = default;

std::vector<SearchHit> SqliteSearch::text_search(const SearchQuery& query) {
  return strip_ids(
      text_branch(statements_, terms_, query, query.now.value_or(now_utc()), query.limit));
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
  std::vector<RankedHit> text = text_branch(statements_, terms_, query, now, fetch);
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
  vectors_->save_snapshot();
}

}  // namespace vestige::sqlite
