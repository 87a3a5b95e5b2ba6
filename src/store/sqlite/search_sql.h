#pragma once

// The SQL of the search branches, and what it needs on the connection: the
// filter conditions shared by both branches and the retrievability function
// they call.

#include <string>
#include <string_view>

#include "store/sqlite/database.h"
#include "vestige/types.h"

namespace vestige::sqlite {

// Registers vestige_retrievability(stability, last_review, now) on the
// connection: FSRS retrievability of a memory whose stability (days) and
// last review (RFC 3339 text) are given, at `now` (RFC 3339 text). 1.0 when
// stability or last_review is NULL (no scheduling row, or never reviewed).
// Deterministic, so SQLite may evaluate it once per row and value.
void register_search_functions(Database& db);

// Full-text search. Parameters: :match (an FTS5 expression from
// fts_match_expression), :limit, and the filter parameters. Columns: seq, id,
// text score (negated bm25, higher is better), retrievability. Ordered by
// score, then id.
std::string_view text_search_sql();

// As text_search_sql, but scored with vestige_bm25 (term_stats.h) over the
// phrases from :first_phrase on, whose document frequencies are in
// :frequencies: :match may then put a restricting expression before them.
// Only memories with seq >= :min_seq. Same scores as text_search_sql for the
// same phrases.
std::string_view text_candidates_sql();

// The full-text index alone, no filters: the :limit best memories matching
// :match with seq >= :min_seq, scored as text_candidates_sql (same
// parameters). Columns: seq, text score; ordered by score, ties in no
// particular order. Reads no memory row, so a match costs a fraction of what
// it costs in the filtered statements.
std::string_view text_rank_sql();

// The seq of the (:offset + 1)-th newest memory matching :match; no row when
// fewer match.
std::string_view text_window_sql();

// Which of the memories whose seqs are in :seqs (a JSON array) pass the
// filters. Columns: seq, id, retrievability.
std::string_view filter_candidates_sql();

// Binds :now, :include_suppressed, :codebase, :node_types, :tags and
// :min_retrievability of either statement.
void bind_filter(Statement& statement, const SearchFilter& filter, Timestamp now);

}  // namespace vestige::sqlite
