// The re-embed steps of the SQLite StoreTransfer (see vestige/store_transfer.h).
//
// The progress lives in a table reembed_state that exists only while a run is
// under way (created by begin_reembed, dropped by complete_reembed), so a store
// that never re-embeds carries no trace of it. The registry row holds the
// marker for the same span, which every handle's model check refuses.

#include <fmt/format.h>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/transfer.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kCreateState = R"sql(
  CREATE TABLE IF NOT EXISTS reembed_state (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    previous_name      TEXT NOT NULL,
    previous_dimension INTEGER NOT NULL,
    previous_hash      TEXT NOT NULL,
    target_name        TEXT NOT NULL,
    target_dimension   INTEGER NOT NULL,
    target_hash        TEXT NOT NULL,
    cursor_created_at  TEXT,
    cursor_id          TEXT,
    rows_done          INTEGER NOT NULL DEFAULT 0,
    started_at         TEXT NOT NULL
  )
)sql";

bool state_table_exists(Database& db) {
  Statement s = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  s.bind(1, "reembed_state");
  return s.step();
}

std::optional<ReembedState> read_state(Database& db) {
  if (!state_table_exists(db)) return std::nullopt;
  Statement s = db.prepare(R"sql(
    SELECT previous_name, previous_dimension, previous_hash, target_name, target_dimension,
           target_hash, cursor_created_at, cursor_id, rows_done, started_at
    FROM reembed_state WHERE id = 1
  )sql");
  if (!s.step()) return std::nullopt;
  ReembedState state;
  state.previous = {s.column_text(0), static_cast<int>(s.column_int64(1)), s.column_text(2)};
  state.target = {s.column_text(3), static_cast<int>(s.column_int64(4)), s.column_text(5)};
  if (!s.is_null(6) && !s.is_null(7)) {
    state.cursor = ExportCursor{time_column(s, 6), uuid_column(s, 7)};
  }
  state.rows_done = s.column_int64(8);
  state.started_at = time_column(s, 9);
  return state;
}

void write_registry(Database& db, const ModelSignature& model) {
  Statement s = db.prepare(R"sql(
    INSERT INTO embedding_model (id, name, dimension, hash, created_at) VALUES (1, ?1, ?2, ?3, ?4)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, dimension = excluded.dimension,
      hash = excluded.hash, created_at = excluded.created_at
  )sql");
  s.bind(1, model.name)
      .bind(2, model.dimension)
      .bind(3, model.hash)
      .bind(4, format_timestamp(now_utc()));
  s.run();
}

}  // namespace

std::optional<ReembedState> SqliteTransfer::reembed_state() {
  return read_state(db_);
}

ReembedState SqliteTransfer::begin_reembed(const ModelSignature& target) {
  refuse_if_read_only();
  ReembedState state;
  {
    WriteTransaction tx(db_);
    db_.exec(kCreateState);
    auto existing = read_state(db_);
    if (existing && existing->target == target) {
      state = *existing;
    } else {
      // A new run, or a run towards another model than the interrupted one:
      // the previous model stays the one before the first run.
      state.target = target;
      state.started_at = now_utc();
      if (existing) {
        state.previous = existing->previous;
      } else if (auto model = registered_model()) {
        state.previous = model->signature;
      }
      Statement s = db_.prepare(R"sql(
        INSERT OR REPLACE INTO reembed_state (id, previous_name, previous_dimension,
          previous_hash, target_name, target_dimension, target_hash, cursor_created_at,
          cursor_id, rows_done, started_at)
        VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, 0, ?7)
      )sql");
      s.bind(1, state.previous.name)
          .bind(2, state.previous.dimension)
          .bind(3, state.previous.hash)
          .bind(4, target.name)
          .bind(5, target.dimension)
          .bind(6, target.hash)
          .bind(7, format_timestamp(state.started_at));
      s.run();
    }
    write_registry(db_, {target.name, target.dimension, std::string(kReembedMarker) + target.hash});
    tx.commit();
  }
  drop_vector_index();
  return state;
}

std::vector<ReembedRow> SqliteTransfer::reembed_page(const std::optional<ExportCursor>& after,
                                                     std::size_t limit) {
  Statement s = db_.prepare(
      after ? "SELECT id, content, created_at FROM knowledge_nodes WHERE (created_at, id) > "
              "(?2, ?3) ORDER BY created_at, id LIMIT ?1"
            : "SELECT id, content, created_at FROM knowledge_nodes ORDER BY created_at, id "
              "LIMIT ?1");
  s.bind(1, static_cast<std::int64_t>(limit));
  if (after) s.bind(2, format_timestamp(after->created_at)).bind(3, after->id.to_string());
  std::vector<ReembedRow> rows;
  while (s.step()) rows.push_back({uuid_column(s, 0), s.column_text(1), time_column(s, 2)});
  return rows;
}

void SqliteTransfer::write_embeddings(std::span<const std::pair<Uuid, Embedding>> vectors,
                                      const ExportCursor& progress) {
  refuse_if_read_only();
  for (const auto& [id, vector] : vectors) validate_vector(vector, "a re-embedded vector");
  WriteTransaction tx(db_);
  Statement update = db_.prepare("UPDATE knowledge_nodes SET embedding = ?1 WHERE id = ?2");
  for (const auto& [id, vector] : vectors) {
    update.reset();
    update.bind_blob(1, as_blob(vector)).bind(2, id.to_string());
    update.run();
  }
  Statement s = db_.prepare(
      "UPDATE reembed_state SET cursor_created_at = ?1, cursor_id = ?2, "
      "rows_done = rows_done + ?3 WHERE id = 1");
  s.bind(1, format_timestamp(progress.created_at))
      .bind(2, progress.id.to_string())
      .bind(3, static_cast<std::int64_t>(vectors.size()));
  s.run();
  tx.commit();
}

void SqliteTransfer::seal_reembed(const ModelSignature& target) {
  Statement missing = db_.prepare(
      "SELECT count(*) FROM knowledge_nodes WHERE embedding IS NULL OR length(embedding) <> ?1");
  missing.bind(1, static_cast<std::int64_t>(target.dimension) * 4);
  missing.step();
  if (const std::int64_t n = missing.column_int64(0); n > 0) {
    throw Error(ErrorCode::kBackend,
                fmt::format("{} memories still lack a vector of dimension {} from {}; nothing "
                            "was finished. Run the re-embed again to encode them",
                            n, target.dimension, target.name));
  }
}

void SqliteTransfer::complete_reembed(const ModelSignature& target) {
  refuse_if_read_only();
  WriteTransaction tx(db_);
  write_registry(db_, target);
  db_.exec("DROP TABLE IF EXISTS reembed_state");
  tx.commit();
}

}  // namespace vestige::sqlite
