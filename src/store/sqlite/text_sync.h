#pragma once

// Keeps one process's in-memory text index (text_index.h) in step with the
// database it shares with other processes, as VectorSearchState does for
// vectors: every change to a memory's content, type or tags appends a row
// to text_log (by trigger, in the writer's transaction), and catching up
// means re-indexing the memories changed after the last position applied.
// The first use reads every memory from the table.

#include <cstdint>
#include <optional>

#include "store/sqlite/database.h"
#include "store/sqlite/fts5_support.h"
#include "store/sqlite/text_index.h"

namespace vestige::sqlite {

// Per connection; not thread-safe, like the connection.
class TextSearchState {
 public:
  // `db` and `tokenizer` must outlive this object. No I/O until sync().
  TextSearchState(Database& db, TextTokenizer& tokenizer) : db_(db), tokenizer_(tokenizer) {}

  // Brings the index up to date with every transaction committed so far, by
  // this connection or any other. Cheap when nothing changed. Call inside
  // the read transaction the search runs in, so that the index and FTS5
  // (for phrases) describe the same commit.
  void sync();

  TextIndex& index() { return index_; }

  // How the index came to be, for tests and diagnostics.
  bool loaded() const { return loaded_; }
  std::int64_t applied_log_seq() const { return applied_log_seq_; }
  std::int64_t rebuilds() const { return rebuilds_; }

 private:
  void rebuild();
  bool catch_up();
  void index_row(Statement& row);

  Database& db_;
  TextTokenizer& tokenizer_;
  TextIndex index_;
  bool loaded_ = false;
  std::int64_t applied_log_seq_ = 0;
  std::int64_t rebuilds_ = 0;
  // As VectorSearchState: unchanged values mean nothing was committed since.
  std::int64_t data_version_ = -1;
  std::int64_t total_changes_ = -1;
  // Reused between memories, so tokenizing allocates only for new words.
  std::vector<std::string> columns_[kTextColumns];
};

}  // namespace vestige::sqlite
