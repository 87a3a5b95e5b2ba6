#pragma once

// Keeps one process's in-memory text index (text_index.h) in step with the
// database it shares with other processes, as VectorSearchState does for
// vectors: every change to a memory's content, type or tags appends a row
// to text_log (by trigger, in the writer's transaction), and catching up
// means re-indexing the memories changed after the last position applied.
// The first use starts from the snapshot file beside the database
// (`<database>.text`, snapshot_file.h) when it is intact, still reachable
// from the log and describes this database; else it reads every memory
// from the table.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "store/sqlite/change_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/fts5_support.h"
#include "store/sqlite/text_index.h"

namespace vestige::sqlite {

// Per connection; not thread-safe, like the connection.
class TextSearchState {
 public:
  // `db` and `tokenizer` must outlive this object. No I/O until sync().
  TextSearchState(Database& db, TextTokenizer& tokenizer);

  // Brings the index up to date with every transaction committed so far, by
  // this connection or any other. Cheap when nothing changed. Call inside
  // the read transaction the search runs in, so that the index and FTS5
  // (for phrases) describe the same commit.
  void sync();

  TextIndex& index() { return index_; }

  // Writes the snapshot when the index changed since it was loaded or last
  // saved; read-only handles and in-memory databases write nothing. Throws
  // Error(kBackend) when the file cannot be written.
  void save_snapshot();

  // How the index came to be, for tests and diagnostics.
  enum class Origin { kNotLoaded, kSnapshot, kBuilt };
  Origin origin() const { return origin_; }
  std::int64_t applied_log_seq() const { return applied_log_seq_; }
  std::int64_t rebuilds() const { return rebuilds_; }
  const std::optional<std::filesystem::path>& snapshot_path() const { return snapshot_path_; }

 private:
  bool load_snapshot();
  void rebuild();
  // Returns false when the log cannot take the index forward (pruned past
  // its position, or from another database) and it must be rebuilt.
  bool catch_up();
  // Whether the caught-up index describes the table, judged by the number
  // of memories and a sample of them.
  bool matches_table();
  // Which text_log this is: see the definition.
  std::string log_identity();
  // Tokenizes (content, node_type, tags) at `first_column` of `row` into
  // columns_; returns the number of tokens.
  std::uint32_t tokenize_row(Statement& row, int first_column);
  void index_row(Statement& row);

  Database& db_;
  TextTokenizer& tokenizer_;
  std::optional<std::filesystem::path> snapshot_path_;  // none for in-memory databases
  TextIndex index_;
  Origin origin_ = Origin::kNotLoaded;
  std::int64_t applied_log_seq_ = 0;
  std::int64_t rebuilds_ = 0;
  CommitStamp synced_at_;  // at the last sync
  bool changed_since_snapshot_ = false;
  std::string log_identity_;  // of the log applied_log_seq_ is a position in
  // Reused between memories, so tokenizing allocates only for new words.
  std::vector<std::string> columns_[kTextColumns];
};

}  // namespace vestige::sqlite
