#include "store/sqlite/vector_sync.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/change_log.h"
#include "store/sqlite/snapshot_file.h"

namespace vestige::sqlite {

namespace {

// The vector stored for `seq`, empty when the row or its embedding is gone.
std::vector<float> read_embedding(Statement& select, std::int64_t seq) {
  select.reset();
  select.bind(1, seq);
  if (!select.step() || select.is_null(0)) return {};
  return floats_from_blob(select.column_blob(0));
}

}  // namespace

VectorSearchState::VectorSearchState(Database& db, const VectorIndexOptions& options)
    : db_(db), options_(options), snapshot_path_(sqlite::snapshot_path(db, kVectorSnapshot)) {}

void VectorSearchState::sync() {
  const CommitStamp stamp = CommitStamp::of(db_);
  if (origin_ != Origin::kNotLoaded && stamp == synced_at_) return;
  {
    // One read transaction, so the log position recorded and the vectors
    // read for it come from the same commit. Inside a caller's transaction
    // that transaction already gives this.
    std::optional<ReadTransaction> read;
    if (sqlite3_get_autocommit(db_.handle()) != 0) read.emplace(db_);
    if (origin_ == Origin::kNotLoaded) {
      if (!load_snapshot()) rebuild();
    } else if (!catch_up()) {
      rebuild();
    }
  }
  if (index_ && index_->should_compact()) {
    index_->compact();
    changed_since_snapshot_ = true;
  }
  synced_at_ = stamp;
}

bool VectorSearchState::load_snapshot() {
  if (!snapshot_path_) return false;
  std::optional<Snapshot> snapshot;
  std::optional<VectorIndex> loaded;
  try {
    snapshot = read_snapshot(*snapshot_path_, kVectorSnapshot);
    if (!snapshot) return false;
    loaded = VectorIndex::deserialize(snapshot->payload, snapshot->header.parameter, options_);
    if (loaded->size() != snapshot->header.entries) return false;
  } catch (const std::exception&) {
    // A damaged, foreign or unreadable snapshot only costs the shortcut.
    return false;
  }
  const std::optional<std::size_t> registered = registered_dimension();
  if (registered && *registered != loaded->dimension()) return false;

  index_ = std::move(loaded);
  applied_log_seq_ = snapshot->header.log_seq;
  changed_since_snapshot_ = false;
  if (!catch_up() || !matches_table()) {
    index_.reset();
    return false;
  }
  origin_ = Origin::kSnapshot;
  return true;
}

bool VectorSearchState::matches_table() {
  Statement count = db_.prepare(
      "SELECT count(*) FROM knowledge_nodes WHERE embedding IS NOT NULL AND length(embedding) = ?");
  count.bind(1, static_cast<std::int64_t>(index_->dimension() * sizeof(float)));
  count.step();
  if (count.column_int64(0) != static_cast<std::int64_t>(index_->size())) return false;
  // Once caught up, every stored vector must equal its row's. A sample is
  // enough to tell a snapshot of another database (one deleted and created
  // again at this path, whose log happens to reach past the snapshot) from
  // this one's: nearly every sampled vector would differ.
  constexpr std::size_t kSamples = 32;
  std::vector<std::int64_t> labels = index_->labels();
  std::sort(labels.begin(), labels.end());
  const std::size_t step = std::max<std::size_t>(1, labels.size() / kSamples);
  Statement select = db_.prepare("SELECT embedding FROM knowledge_nodes WHERE seq = ?");
  for (std::size_t i = 0; i < labels.size(); i += step) {
    const std::vector<float> vector = read_embedding(select, labels[i]);
    if (vector.size() != index_->dimension()) return false;
    // A zero vector has no direction to compare.
    if (std::all_of(vector.begin(), vector.end(), [](float x) { return x == 0.0f; })) continue;
    if (*index_->distance(labels[i], vector) > 1e-6) return false;
  }
  return true;
}

void VectorSearchState::rebuild() {
  const std::int64_t position = last_log_position(db_, "vector_log");
  const std::optional<std::size_t> registered = registered_dimension();
  std::optional<VectorIndex> fresh;
  Statement rows = db_.prepare(
      "SELECT seq, embedding FROM knowledge_nodes "
      "WHERE embedding IS NOT NULL AND (?1 IS NULL OR length(embedding) = ?1)");
  if (registered) rows.bind(1, static_cast<std::int64_t>(*registered * sizeof(float)));
  while (rows.step()) {
    const std::vector<float> vector = floats_from_blob(rows.column_blob(1));
    if (vector.empty()) continue;
    // Without a registered model the first vector decides; stragglers of
    // another length cannot be compared with it.
    if (!fresh) fresh.emplace(vector.size(), options_);
    if (vector.size() != fresh->dimension()) continue;
    fresh->upsert(rows.column_int64(0), vector);
  }
  index_ = std::move(fresh);
  applied_log_seq_ = position;
  origin_ = Origin::kBuilt;
  changed_since_snapshot_ = true;
}

bool VectorSearchState::catch_up() {
  // Another process re-embedded everything with a model of another
  // dimension: replaying would mix the two, so start over.
  const std::optional<std::size_t> registered = registered_dimension();
  if (index_ && registered && *registered != index_->dimension()) return false;

  const std::int64_t last = last_log_position(db_, "vector_log");
  const std::optional<std::vector<std::int64_t>> changed =
      changed_since(db_, "vector_log", applied_log_seq_, last);
  if (!changed) return false;
  Statement select = db_.prepare("SELECT embedding FROM knowledge_nodes WHERE seq = ?");
  for (const std::int64_t seq : *changed) {
    const std::vector<float> vector = read_embedding(select, seq);
    if (!index_ && !vector.empty()) {
      index_.emplace(registered.value_or(vector.size()), options_);
    }
    if (!index_) continue;
    // A vector of another length (written ahead of a model change the
    // registry does not show yet) cannot be compared; leave it out.
    if (vector.size() == index_->dimension()) {
      index_->upsert(seq, vector);
      changed_since_snapshot_ = true;
    } else if (index_->remove(seq)) {
      changed_since_snapshot_ = true;
    }
  }
  applied_log_seq_ = last;
  return true;
}

std::optional<std::size_t> VectorSearchState::registered_dimension() {
  Statement select = db_.prepare("SELECT dimension FROM embedding_model WHERE id = 1");
  if (!select.step()) return std::nullopt;
  return static_cast<std::size_t>(select.column_int64(0));
}

void VectorSearchState::save_snapshot() {
  if (!snapshot_path_ || !index_ || !changed_since_snapshot_) return;
  // A read-only handle leaves the files beside the database alone too.
  if (sqlite3_db_readonly(db_.handle(), "main") == 1) return;
  const std::string payload = index_->serialize();
  write_snapshot(*snapshot_path_, kVectorSnapshot,
                 {.parameter = static_cast<std::uint32_t>(index_->dimension()),
                  .entries = index_->size(),
                  .log_seq = applied_log_seq_},
                 payload);
  changed_since_snapshot_ = false;
}

}  // namespace vestige::sqlite
