#pragma once

// Keeps one process's in-memory vector index in step with the database it
// shares with other processes.
//
// Every change to knowledge_nodes.embedding appends a row to vector_log (by
// trigger, in the writer's transaction, so in commit order). An index knows
// the last log_seq it has applied; catching up means replaying the rows after
// it. The first use starts from the snapshot file beside the database when it
// is intact and still reachable from the log, else rebuilds from the table.
//
// The log is never pruned here. A row is about 20 bytes, one per embedding
// change, so even a million changes cost ~20 MB; pruning would make search a
// writer (on close, under other processes' write locks) to save very little.
// Pruning stays safe for anyone who adds it (a maintenance command deleting
// old rows): an index whose position falls behind the oldest row rebuilds.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "store/sqlite/change_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/vector_index.h"

namespace vestige::sqlite {

class VectorSearchState {
 public:
  // `db` must outlive this object. No I/O until the first sync().
  explicit VectorSearchState(Database& db, const VectorIndexOptions& options = {});

  // Brings the index up to date with every transaction committed so far, by
  // this connection or any other. Cheap when nothing changed.
  void sync();

  // The index after sync(); null while the database holds no vectors.
  VectorIndex* index() { return index_ ? &*index_ : nullptr; }

  // Writes the snapshot when the index changed since it was loaded or last
  // saved. Throws Error(kBackend) when the file cannot be written.
  void save_snapshot();

  // How the index came to be, for tests and diagnostics.
  enum class Origin { kNotLoaded, kSnapshot, kBuilt };
  Origin origin() const { return origin_; }
  std::int64_t applied_log_seq() const { return applied_log_seq_; }
  const std::optional<std::filesystem::path>& snapshot_path() const { return snapshot_path_; }

 private:
  bool load_snapshot();
  void rebuild();
  // Returns false when the log cannot take the index forward (pruned past
  // its position, or from another database) and it must be rebuilt.
  bool catch_up();
  // Whether the caught-up index holds exactly the table's vectors, judged
  // by their count and a sample.
  bool matches_table();
  std::optional<std::size_t> registered_dimension();

  Database& db_;
  VectorIndexOptions options_;
  std::optional<std::filesystem::path> snapshot_path_;  // none for in-memory databases
  std::optional<VectorIndex> index_;
  Origin origin_ = Origin::kNotLoaded;
  std::int64_t applied_log_seq_ = 0;
  CommitStamp synced_at_;  // at the last sync
  bool changed_since_snapshot_ = false;
};

}  // namespace vestige::sqlite
