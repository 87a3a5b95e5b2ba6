#pragma once

// Reading the change logs (vector_log, text_log) that let each process keep
// its in-memory indexes in step with a database other processes write to.
//
// A trigger appends a row (log_seq, node_seq) in the writer's transaction
// for every change to what an index holds, so the log is in commit order.
// An index remembers the last log_seq it applied; catching up means
// re-reading each memory changed after it. log_seq is AUTOINCREMENT: never
// reused, so "everything after N" is always well defined.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

// What a connection reports about commits: two equal stamps mean nothing was
// committed in between, by other connections (data_version) or by this one
// (total changes; data_version ignores a connection's own commits). Taken
// before every search, so an index that is up to date costs nothing more.
struct CommitStamp {
  std::int64_t data_version = -1;
  std::int64_t total_changes = -1;

  static CommitStamp of(Database& db) {
    return {db.data_version(), sqlite3_total_changes64(db.handle())};
  }
  bool operator==(const CommitStamp&) const = default;
};

// The highest log_seq ever assigned in `log` (0 for none). sqlite_sequence
// keeps it even when rows are deleted, which max(log_seq) would not.
std::int64_t last_log_position(Database& db, std::string_view log);

// The memories changed after `position` up to `last` (last_log_position),
// each once, whatever sequence of changes the log records for it: the row
// is the truth and the log only says where to look. nullopt when the log
// cannot take an index at `position` forward, so it must be rebuilt: rows
// after it were pruned, or the log ends before it (it belongs to another
// database created at the same path).
std::optional<std::vector<std::int64_t>> changed_since(Database& db, std::string_view log,
                                                       std::int64_t position, std::int64_t last);

}  // namespace vestige::sqlite
