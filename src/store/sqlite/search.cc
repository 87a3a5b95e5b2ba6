#include "store/sqlite/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
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

// One scoring of the full-text index: memories matching `match` with seq >=
// `min_seq`, scored by vestige_bm25 over the phrases from `first_phrase` on.
struct TextScoring {
  std::string match;
  std::int64_t first_phrase = 0;
  std::string frequencies;
  std::int64_t min_seq = std::numeric_limits<std::int64_t>::min();
};

void bind_scoring(Statement& select, const TextScoring& scoring, std::size_t limit) {
  select.bind(select.parameter_index(":match"), scoring.match);
  select.bind(select.parameter_index(":first_phrase"), scoring.first_phrase);
  select.bind(select.parameter_index(":frequencies"), scoring.frequencies);
  select.bind(select.parameter_index(":min_seq"), scoring.min_seq);
  select.bind(select.parameter_index(":limit"), sql_limit(limit));
}

// The `limit` best memories of `scoring` passing the filters, best first,
// ties by id: exactly what text_candidates_sql returns.
//
// Joining every match to its memory row to check the filters costs a page
// read per match (rows carry their vectors, so few share a page), several
// times the cost of scoring it. So the index alone ranks the matches, and
// only the best few are looked up. Every match scoring above the last one
// fetched (the cut) has been fetched; when at least `limit` of those pass the
// filters they are the answer, else more are fetched, and past
// filter_check_rows (a selective filter) the filters join the scoring.
std::vector<RankedHit> score_then_filter(StatementCache& statements, const TextScoring& scoring,
                                         const SearchQuery& query, Timestamp now, std::size_t limit,
                                         const TextSearchTuning& tuning) {
  const auto check_rows = static_cast<std::size_t>(tuning.filter_check_rows);
  for (std::size_t fetch = 2 * limit + 8; limit <= check_rows; fetch *= 4) {
    if (fetch > check_rows) fetch = check_rows;
    std::vector<std::int64_t> seqs;
    std::vector<double> scores;
    {
      auto select = statements.get(text_rank_sql());
      bind_scoring(*select, scoring, fetch);
      while (select->step()) {
        seqs.push_back(select->column_int64(0));
        scores.push_back(select->column_double(1));
      }
    }
    const bool complete = seqs.size() < fetch;
    const std::unordered_map<std::int64_t, Passed> passed =
        check_filter(statements, query.filter, now, seqs);
    std::vector<RankedHit> ranked;
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      // Matches tied with the cut may have been left out in favour of others.
      if (!complete && scores[i] <= scores.back()) break;
      const auto it = passed.find(seqs[i]);
      if (it == passed.end()) continue;
      RankedHit r;
      r.hit.seq = seqs[i];
      r.id = it->second.id;
      r.hit.text_score = scores[i];
      r.hit.score = scores[i];
      r.hit.retrievability = it->second.retrievability;
      ranked.push_back(std::move(r));
    }
    if (complete || ranked.size() >= limit) {
      std::sort(ranked.begin(), ranked.end(), [](const RankedHit& a, const RankedHit& b) {
        return a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.id < b.id;
      });
      if (ranked.size() > limit) ranked.resize(limit);
      for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i].hit.text_rank = i + 1;
      return ranked;
    }
    if (fetch == check_rows) break;
  }
  auto select = statements.get(text_candidates_sql());
  bind_scoring(*select, scoring, limit);
  bind_filter(*select, query.filter, now);
  return read_text_hits(*select);
}

struct QueryWord {
  std::string word;
  std::optional<std::int64_t> frequency;  // memories holding it; unknown unless one token
  std::int64_t postings = 0;              // most memories it can match
  double bound = 0.0;                     // most it can add to a memory's score
};

// At most `limit` memories matching the query's words, best first (score =
// negated bm25), ties by id; exact except for queries of only very common
// words (below).
//
// bm25 over everything a common word matches costs ~1 us a memory, so at
// 100k memories "the"-like words make a query cost 100 ms. The fast path
// follows the "common terms" idea: the rarest words generate candidates,
// and the candidates are scored with bm25 over all the words (by
// vestige_bm25, which takes the words' frequencies instead of counting
// them; see term_stats.h). A word adds at most idf * (k1 + 1) = 2.2 * idf
// to a memory's score (idf clamped to 1e-6, as FTS5 does, for words in most
// memories), so a memory holding none of the generating words scores below
// the sum of the other words' bounds. When the limit-th candidate (filters
// applied) scores above that sum, no such memory can enter the top, and the
// answer is exact; otherwise the next rarest word joins the generators.
//
// The approximation: when the generators would hold more than
// exact_postings postings (every word is common, say "what is it"), the
// query scores only its newest window_postings matches (more while fewer
// than `limit` of them pass the filters). What can differ from the exact
// answer: an older memory scoring higher than a returned one is missed.
// What cannot: every result matches, passes the filters, is scored exactly
// as bm25 over the whole store would score it, and the results are the
// exact best `limit` of the window in the contract's order.
std::vector<RankedHit> text_branch(StatementCache& statements, TermStats& terms,
                                   const TextSearchTuning& tuning, const SearchQuery& query,
                                   Timestamp now, std::size_t limit) {
  const std::vector<std::string> words = fts_match_words(query.text);
  if (words.empty() || limit == 0) return {};
  const std::string all = fts_or_expression(words);

  // More than the number of memories (FTS5's N) unless seqs were chosen by
  // hand; a larger N only raises the bounds, so this stays exact.
  // Two subqueries: SQLite answers a lone min() or max() from the end of the
  // rowid b-tree, but both in one SELECT scan the whole table.
  std::int64_t memories = 0;
  std::int64_t first_seq = 0;
  {
    auto count = statements.get(
        "SELECT (SELECT min(seq) FROM knowledge_nodes), (SELECT max(seq) FROM knowledge_nodes)");
    if (count->step() && !count->is_null(0)) {
      first_seq = count->column_int64(0);
      memories = count->column_int64(1) - first_seq + 1;
    }
  }
  if (memories < tuning.fast_path_memories) {
    auto select = statements.get(text_search_sql());
    select->bind(select->parameter_index(":match"), all);
    select->bind(select->parameter_index(":limit"), sql_limit(limit));
    bind_filter(*select, query.filter, now);
    return read_text_hits(*select);
  }

  terms.forget_if_changed();
  std::vector<QueryWord> ranked_words;
  std::string frequencies;  // in the words' order, as vestige_bm25 wants them
  for (const std::string& word : words) {
    QueryWord w;
    w.word = word;
    const std::vector<std::string> tokens = terms.tokens(word);
    // A word the tokenizer splits is a multi-token phrase: its count is not
    // in the vocabulary, so it always generates candidates, and it matches
    // at most what its rarest token matches.
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::int64_t f = terms.document_frequency(tokens[i]);
      w.postings = i == 0 ? f : std::min(w.postings, f);
    }
    if (tokens.size() == 1) {
      w.frequency = w.postings;
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
    if (w.frequency && generators > 0 && postings + w.postings > tuning.candidate_budget) break;
    postings += w.postings;
    ++generators;
  }
  for (; postings <= tuning.exact_postings; postings += ranked_words[generators++].postings) {
    if (generators == ranked_words.size()) {
      return score_then_filter(statements, {.match = all, .frequencies = frequencies}, query, now,
                               limit, tuning);
    }
    double excluded = 0.0;
    double generating_bound = 0.0;
    std::vector<std::string> generating;
    for (std::size_t i = 0; i < ranked_words.size(); ++i) {
      if (i < generators) {
        generating.push_back(ranked_words[i].word);
        generating_bound += ranked_words[i].bound;
      } else {
        excluded += ranked_words[i].bound;
      }
    }
    // Unknown bounds (phrases) are 0 here, which only makes an attempt
    // likelier. An attempt whose candidates reach the excluded words' bound
    // only by holding excluded words too (limit of them, each scoring near
    // its bound) almost always fails and costs as much as it scores: skip
    // it. Skipping never changes the answer, only which attempt gives it.
    if (generating_bound <= excluded) continue;
    const TextScoring scoring{
        .match = fmt::format("({}) AND ({})", fts_or_expression(generating), all),
        .first_phrase = static_cast<std::int64_t>(generators),
        .frequencies = frequencies};
    std::vector<RankedHit> ranked =
        score_then_filter(statements, scoring, query, now, limit, tuning);
    if (ranked.size() == limit && *ranked.back().hit.text_score > excluded) return ranked;
  }

  for (std::int64_t window = tuning.window_postings;; window *= 4) {
    std::optional<std::int64_t> oldest;
    {
      auto boundary = statements.get(text_window_sql());
      boundary->bind(boundary->parameter_index(":match"), all);
      boundary->bind(boundary->parameter_index(":offset"), window - 1);
      if (boundary->step()) oldest = boundary->column_int64(0);
    }
    std::vector<RankedHit> ranked = score_then_filter(
        statements,
        {.match = all, .frequencies = frequencies, .min_seq = oldest.value_or(first_seq)}, query,
        now, limit, tuning);
    if (!oldest || ranked.size() == limit) return ranked;
  }
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

SqliteSearch::SqliteSearch(Database& db, TextSearchTuning tuning)
    : db_(db),
      tuning_(tuning),
      statements_(db),
      terms_(db),
      vectors_(std::make_unique<VectorSearchState>(db)) {
  register_search_functions(db_);
}

SqliteSearch::~SqliteSearch() = default;

std::vector<SearchHit> SqliteSearch::text_search(const SearchQuery& query) {
  return strip_ids(
      text_branch(statements_, terms_, tuning_, query, query.now.value_or(now_utc()), query.limit));
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
  std::vector<RankedHit> text = text_branch(statements_, terms_, tuning_, query, now, fetch);
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
