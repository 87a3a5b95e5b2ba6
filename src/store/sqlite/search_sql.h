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

// The reference text ranking: bm25 over every memory matching :match (an
// FTS5 expression from fts_match_expression), filters joined, :limit rows.
// Columns: seq, id, text score (negated bm25, higher is better),
// retrievability; ordered by score, then id. The search ranks in memory
// (text_index.h); the tests hold it to what this statement returns.
std::string_view text_search_sql();

// The memories holding the phrase :phrase (an FTS5 string), with its
// weighted frequency in each. Columns: seq, frequency.
std::string_view phrase_rows_sql();

// Which of the memories whose seqs are in :seqs (a JSON array) pass the
// filters. Columns: seq, id, retrievability.
std::string_view filter_candidates_sql();

// Binds :now, :include_suppressed, :codebase, :node_types, :tags and
// :min_retrievability of either statement.
void bind_filter(Statement& statement, const SearchFilter& filter, Timestamp now);

}  // namespace vestige::sqlite
