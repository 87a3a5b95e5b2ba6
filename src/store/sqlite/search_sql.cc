#include "store/sqlite/search_sql.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "store/sqlite/fts5_support.h"
#include "vestige/fsrs.h"

namespace vestige::sqlite {

namespace {

// Spliced into both statements, so the text and vector branches cannot drift
// apart on what a filter means. Every filter is a parameter that is NULL when
// unset, so each statement is prepared as is and reads as plain SQL. A memory
// has all wanted tags when no wanted tag is missing from its tag array.
constexpr std::string_view kFilterSql = R"sql(
      (:include_suppressed OR n.suppressed = 0)
  AND (:codebase IS NULL OR n.codebase = :codebase)
  AND (:node_types IS NULL OR n.node_type IN (SELECT value FROM json_each(:node_types)))
  AND (:tags IS NULL OR NOT EXISTS (
        SELECT 1 FROM json_each(:tags) AS wanted
        WHERE wanted.value NOT IN (SELECT value FROM json_each(n.tags))))
  AND (:min_retrievability IS NULL
       OR vestige_retrievability(s.stability, s.last_review, :now) >= :min_retrievability))sql";

void retrievability_function(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL || sqlite3_value_type(args[1]) == SQLITE_NULL) {
    sqlite3_result_double(context, 1.0);
    return;
  }
  const auto text = [](sqlite3_value* value) {
    const auto* data = reinterpret_cast<const char*>(sqlite3_value_text(value));
    return std::string_view(data ? data : "", static_cast<std::size_t>(sqlite3_value_bytes(value)));
  };
  const std::optional<Timestamp> last_review = parse_timestamp(text(args[1]));
  const std::optional<Timestamp> now = parse_timestamp(text(args[2]));
  if (!last_review || !now) {
    const std::string message = fmt::format(
        "vestige_retrievability: '{}' or '{}' is not an RFC 3339 time; scheduling.last_review "
        "must hold times written by Vestige",
        text(args[1]), text(args[2]));
    sqlite3_result_error(context, message.c_str(), static_cast<int>(message.size()));
    return;
  }
  sqlite3_result_double(context, fsrs::retrievability(sqlite3_value_double(args[0]),
                                                      days_between(*last_review, *now)));
}

std::optional<std::string> json_array(const std::vector<std::string>& values) {
  if (values.empty()) return std::nullopt;
  return Json(values).dump();
}

std::string column_weights() {
  return fmt::format("{}", fmt::join(kTextColumnWeights, ", "));
}

std::string text_sql(std::string_view score) {
  return fmt::format(R"sql(
SELECT n.seq, n.id,
       -{} AS text_score,
       vestige_retrievability(s.stability, s.last_review, :now)
FROM knowledge_nodes_fts
JOIN knowledge_nodes AS n ON n.seq = knowledge_nodes_fts.rowid
LEFT JOIN scheduling AS s ON s.memory_id = n.id
WHERE knowledge_nodes_fts MATCH :match
  AND {}
ORDER BY text_score DESC, n.id
LIMIT :limit)sql",
                     score, kFilterSql);
}

}  // namespace

std::string_view text_search_sql() {
  static const std::string sql =
      text_sql(fmt::format("bm25(knowledge_nodes_fts, {})", column_weights()));
  return sql;
}

std::string_view phrase_rows_sql() {
  static const std::string sql = fmt::format(R"sql(
SELECT rowid, {}(knowledge_nodes_fts, {})
FROM knowledge_nodes_fts
WHERE knowledge_nodes_fts MATCH :phrase)sql",
                                             kPhraseFrequencyFunction, column_weights());
  return sql;
}

std::string_view filter_candidates_sql() {
  static const std::string sql = fmt::format(R"sql(
SELECT n.seq, n.id, vestige_retrievability(s.stability, s.last_review, :now)
FROM knowledge_nodes AS n
LEFT JOIN scheduling AS s ON s.memory_id = n.id
WHERE n.seq IN (SELECT value FROM json_each(:seqs))
  AND {})sql",
                                             kFilterSql);
  return sql;
}

void register_search_functions(Database& db) {
  const int rc = sqlite3_create_function_v2(db.handle(), "vestige_retrievability", 3,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                            retrievability_function, nullptr, nullptr, nullptr);
  db.check(rc, "registering vestige_retrievability");
}

void bind_filter(Statement& statement, const SearchFilter& filter, Timestamp now) {
  statement.bind(statement.parameter_index(":now"), format_timestamp(now));
  statement.bind(statement.parameter_index(":include_suppressed"),
                 filter.include_suppressed ? 1 : 0);
  statement.bind(statement.parameter_index(":codebase"), filter.codebase);
  statement.bind(statement.parameter_index(":node_types"), json_array(filter.node_types));
  statement.bind(statement.parameter_index(":tags"), json_array(filter.tags));
  statement.bind(statement.parameter_index(":min_retrievability"), filter.min_retrievability);
}

}  // namespace vestige::sqlite
