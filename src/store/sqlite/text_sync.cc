#include "store/sqlite/text_sync.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "store/sqlite/change_log.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kSelectRow =
    "SELECT seq, id, content, node_type, tags FROM knowledge_nodes";

}  // namespace

void TextSearchState::sync() {
  const std::int64_t data_version = db_.data_version();
  const std::int64_t total_changes = sqlite3_total_changes64(db_.handle());
  if (loaded_ && data_version == data_version_ && total_changes == total_changes_) return;
  if (!loaded_ || !catch_up()) rebuild();
  if (index_.should_compact()) index_.compact();
  data_version_ = data_version;
  total_changes_ = total_changes;
}

// Reads `row` (seq, id, then content, node_type and tags as the full-text
// index is fed them) into the index.
void TextSearchState::index_row(Statement& row) {
  for (int column = 0; column < kTextColumns; ++column) {
    std::vector<std::string>& tokens = columns_[column];
    tokens.clear();
    if (row.is_null(column + 2)) continue;  // FTS5 indexes NULL as no tokens
    tokenizer_.document_tokens(row.column_text(column + 2),
                               [&tokens](std::string_view token) { tokens.emplace_back(token); });
  }
  index_.upsert(row.column_int64(0), row.column_text(1), columns_);
}

void TextSearchState::rebuild() {
  index_ = TextIndex();
  const std::int64_t position = last_log_position(db_, "text_log");
  Statement rows = db_.prepare(std::string(kSelectRow));
  while (rows.step()) index_row(rows);
  index_.shrink_to_fit();
  applied_log_seq_ = position;
  loaded_ = true;
  ++rebuilds_;
}

bool TextSearchState::catch_up() {
  const std::int64_t last = last_log_position(db_, "text_log");
  const std::optional<std::vector<std::int64_t>> changed =
      changed_since(db_, "text_log", applied_log_seq_, last);
  if (!changed) return false;
  Statement row = db_.prepare(fmt::format("{} WHERE seq = ?1", kSelectRow));
  for (const std::int64_t seq : *changed) {
    row.reset();
    row.bind(1, seq);
    if (row.step()) {
      index_row(row);
    } else {
      index_.remove(seq);
    }
  }
  applied_log_seq_ = last;
  return true;
}

}  // namespace vestige::sqlite
