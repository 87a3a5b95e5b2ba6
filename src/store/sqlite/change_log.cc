#include "store/sqlite/change_log.h"

#include <fmt/format.h>

namespace vestige::sqlite {

std::int64_t last_log_position(Database& db, std::string_view log) {
  Statement select = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?1");
  select.bind(1, std::string(log));
  return select.step() ? select.column_int64(0) : 0;
}

std::optional<std::vector<std::int64_t>> changed_since(Database& db, std::string_view log,
                                                       std::int64_t position, std::int64_t last) {
  if (last < position) return std::nullopt;
  std::vector<std::int64_t> changed;
  if (last == position) return changed;
  Statement oldest = db.prepare(fmt::format("SELECT min(log_seq) FROM {}", log));
  oldest.step();
  if (oldest.is_null(0) || oldest.column_int64(0) > position + 1) return std::nullopt;
  Statement select = db.prepare(
      fmt::format("SELECT DISTINCT node_seq FROM {} WHERE log_seq > ?1 AND log_seq <= ?2", log));
  select.bind(1, position).bind(2, last);
  while (select.step()) changed.push_back(select.column_int64(0));
  return changed;
}

}  // namespace vestige::sqlite
