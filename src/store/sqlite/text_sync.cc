#include "store/sqlite/text_sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/change_log.h"
#include "store/sqlite/snapshot_file.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kSelectRow =
    "SELECT seq, id, content, node_type, tags FROM knowledge_nodes";

}  // namespace

TextSearchState::TextSearchState(Database& db, TextTokenizer& tokenizer)
    : db_(db), tokenizer_(tokenizer), snapshot_path_(sqlite::snapshot_path(db, kTextSnapshot)) {}

void TextSearchState::sync() {
  const CommitStamp stamp = CommitStamp::of(db_);
  if (origin_ != Origin::kNotLoaded && stamp == synced_at_) return;
  if (origin_ == Origin::kNotLoaded) {
    if (!load_snapshot()) rebuild();
  } else if (!catch_up()) {
    rebuild();
  }
  if (index_.should_compact()) index_.compact();
  synced_at_ = stamp;
}

std::uint32_t TextSearchState::tokenize_row(Statement& row, int first_column) {
  std::uint32_t length = 0;
  for (int column = 0; column < kTextColumns; ++column) {
    std::vector<std::string>& tokens = columns_[column];
    tokens.clear();
    if (row.is_null(first_column + column)) continue;  // FTS5 indexes NULL as no tokens
    tokenizer_.document_tokens(row.column_text(first_column + column),
                               [&tokens](std::string_view token) { tokens.emplace_back(token); });
    length += static_cast<std::uint32_t>(tokens.size());
  }
  return length;
}

// Reads `row` (seq, id, then content, node_type and tags as the full-text
// index is fed them) into the index.
void TextSearchState::index_row(Statement& row) {
  tokenize_row(row, 2);
  index_.upsert(row.column_int64(0), row.column_text(1), columns_);
}

// The log a position belongs to: when the ledger recorded the migration
// that created text_log. Reverting it drops the log and migrating up again
// creates a new one whose positions start again from 1 and which missed
// every change made in between, so a position in the old log says nothing
// about the new one. Empty for a database without a ledger.
std::string TextSearchState::log_identity() {
  Statement ledger = db_.prepare(
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  if (!ledger.step()) return {};
  Statement applied =
      db_.prepare("SELECT applied_at FROM schema_migrations WHERE name = 'text_log' AND success");
  return applied.step() ? applied.column_text(0) : std::string();
}

bool TextSearchState::load_snapshot() {
  if (!snapshot_path_) return false;
  const std::string identity = log_identity();
  std::optional<Snapshot> snapshot;
  try {
    snapshot = read_snapshot(*snapshot_path_, kTextSnapshot);
    if (!snapshot) return false;
    // The payload: the log's identity, a NUL, then the index.
    const std::string_view payload = snapshot->payload;
    const std::size_t end = payload.find('\0');
    if (end == std::string_view::npos || payload.substr(0, end) != identity) return false;
    index_ = TextIndex::deserialize(payload.substr(end + 1));
  } catch (const std::exception&) {
    // A damaged, foreign or unreadable snapshot only costs the shortcut.
    index_ = TextIndex();
    return false;
  }
  log_identity_ = identity;
  applied_log_seq_ = snapshot->header.log_seq;
  changed_since_snapshot_ = false;
  if (static_cast<std::uint64_t>(index_.documents()) != snapshot->header.entries || !catch_up() ||
      !matches_table()) {
    index_ = TextIndex();
    return false;
  }
  origin_ = Origin::kSnapshot;
  return true;
}

bool TextSearchState::matches_table() {
  Statement count = db_.prepare("SELECT count(*) FROM knowledge_nodes");
  count.step();
  if (count.column_int64(0) != index_.documents()) return false;
  // Once caught up, every memory must be indexed as its row reads. A sample
  // is enough to tell a snapshot of another database (one deleted and
  // created again at this path, whose log happens to reach past the
  // snapshot) from this one's: ids are random, so every sampled one would
  // differ.
  constexpr std::size_t kSamples = 32;
  const std::vector<std::int64_t> seqs = index_.seqs();
  const std::size_t step = std::max<std::size_t>(1, seqs.size() / kSamples);
  Statement row =
      db_.prepare("SELECT id, content, node_type, tags FROM knowledge_nodes WHERE seq = ?1");
  for (std::size_t i = 0; i < seqs.size(); i += step) {
    row.reset();
    row.bind(1, seqs[i]);
    const std::optional<TextIndex::Entry> entry = index_.find(seqs[i]);
    if (!row.step() || entry->id != row.column_text(0) || tokenize_row(row, 1) != entry->length) {
      return false;
    }
  }
  return true;
}

void TextSearchState::rebuild() {
  index_ = TextIndex();
  log_identity_ = log_identity();
  const std::int64_t position = last_log_position(db_, "text_log");
  Statement rows = db_.prepare(std::string(kSelectRow));
  while (rows.step()) index_row(rows);
  index_.shrink_to_fit();
  applied_log_seq_ = position;
  origin_ = Origin::kBuilt;
  changed_since_snapshot_ = true;
  ++rebuilds_;
}

bool TextSearchState::catch_up() {
  if (log_identity() != log_identity_) return false;
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
    changed_since_snapshot_ = true;
  }
  applied_log_seq_ = last;
  return true;
}

void TextSearchState::save_snapshot() {
  if (!snapshot_path_ || origin_ == Origin::kNotLoaded || !changed_since_snapshot_) return;
  // A read-only handle leaves the files beside the database alone too.
  if (sqlite3_db_readonly(db_.handle(), "main") == 1) return;
  std::string payload = log_identity_;
  payload.push_back('\0');
  payload += index_.serialize();
  write_snapshot(*snapshot_path_, kTextSnapshot,
                 {.parameter = 0,
                  .entries = static_cast<std::uint64_t>(index_.documents()),
                  .log_seq = applied_log_seq_},
                 payload);
  changed_since_snapshot_ = false;
}

}  // namespace vestige::sqlite
