// The re-embed steps of the PostgreSQL StoreTransfer (see
// vestige/store_transfer.h and store/sqlite/reembed.cc, which keeps its state
// the same way).
//
// The HNSW index is dropped for the run (updating it row by row costs more
// than building it once) and built again as the last step but one; the
// registry is written last, so until then every handle refuses vector search.

#include <fmt/format.h>

#include "store/postgres/rows.h"
#include "store/postgres/schema.h"
#include "store/postgres/transfer.h"

namespace vestige::postgres {

namespace {

constexpr std::string_view kCreateState = R"sql(
  CREATE TABLE IF NOT EXISTS reembed_state (
    id                 integer PRIMARY KEY CHECK (id = 1),
    previous_name      text NOT NULL,
    previous_dimension integer NOT NULL,
    previous_hash      text NOT NULL,
    target_name        text NOT NULL,
    target_dimension   integer NOT NULL,
    target_hash        text NOT NULL,
    cursor_created_at  timestamptz,
    cursor_id          uuid,
    rows_done          bigint NOT NULL DEFAULT 0,
    started_at         timestamptz NOT NULL DEFAULT now()
  )
)sql";

std::optional<ReembedState> read_state(Connection& conn) {
  if (conn.exec("SELECT to_regclass('reembed_state') IS NULL").boolean(0, 0)) return std::nullopt;
  const Result r = conn.exec(fmt::format(
      "SELECT previous_name, previous_dimension, previous_hash, target_name, target_dimension, "
      "target_hash, {}, cursor_id, rows_done, {} FROM reembed_state WHERE id = 1",
      utc_text("cursor_created_at"), utc_text("started_at")));
  if (r.rows() == 0) return std::nullopt;
  ReembedState state;
  state.previous = {std::string(r.text(0, 0)), static_cast<int>(r.integer(0, 1)),
                    std::string(r.text(0, 2))};
  state.target = {std::string(r.text(0, 3)), static_cast<int>(r.integer(0, 4)),
                  std::string(r.text(0, 5))};
  if (!r.is_null(0, 6) && !r.is_null(0, 7)) {
    state.cursor = ExportCursor{time_value(r.text(0, 6)), uuid_value(r.text(0, 7))};
  }
  state.rows_done = r.integer(0, 8);
  state.started_at = time_value(r.text(0, 9));
  return state;
}

void write_registry(Connection& conn, const ModelSignature& model) {
  conn.exec(R"sql(
    INSERT INTO embedding_model (id, name, dimension, hash) VALUES (1, $1, $2::int4, $3)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, dimension = excluded.dimension,
      hash = excluded.hash, created_at = now()
  )sql",
            Params().text(model.name).integer(model.dimension).text(model.hash));
}

std::optional<ModelSignature> read_registry(Connection& conn) {
  const Result r = conn.exec("SELECT name, dimension, hash FROM embedding_model WHERE id = 1");
  if (r.rows() == 0) return std::nullopt;
  return ModelSignature{std::string(r.text(0, 0)), static_cast<int>(r.integer(0, 1)),
                        std::string(r.text(0, 2))};
}

}  // namespace

std::optional<ReembedState> PgTransfer::reembed_state() {
  return pool_->run([](Connection& conn) { return read_state(conn); });
}

ReembedState PgTransfer::begin_reembed(const ModelSignature& target) {
  refuse_if_read_only();
  return pool_->transaction([&](Connection& conn) {
    conn.exec_script("LOCK TABLE embedding_model IN EXCLUSIVE MODE");
    conn.exec_script(kCreateState);
    ReembedState state;
    auto existing = read_state(conn);
    if (existing && existing->target == target) {
      state = *existing;
    } else {
      state.target = target;
      state.started_at = now_utc();
      if (existing) {
        state.previous = existing->previous;
      } else if (auto model = read_registry(conn)) {
        state.previous = *model;
      }
      conn.exec("DELETE FROM reembed_state");
      conn.exec(R"sql(
        INSERT INTO reembed_state (id, previous_name, previous_dimension, previous_hash,
          target_name, target_dimension, target_hash, started_at)
        VALUES (1, $1, $2::int4, $3, $4, $5::int4, $6, $7::timestamptz)
      )sql",
                Params()
                    .text(state.previous.name)
                    .integer(state.previous.dimension)
                    .text(state.previous.hash)
                    .text(target.name)
                    .integer(target.dimension)
                    .text(target.hash)
                    .text(format_timestamp(state.started_at)));
    }
    write_registry(conn,
                   {target.name, target.dimension, std::string(kReembedMarker) + target.hash});
    conn.exec_script(fmt::format("DROP INDEX IF EXISTS {}", kHnswIndexName));
    if (embedding_column_dimension(conn) != target.dimension) {
      // Rows of both dimensions live side by side until every one is encoded.
      conn.exec_script("ALTER TABLE knowledge_nodes ALTER COLUMN embedding TYPE vector");
    }
    return state;
  });
}

std::vector<ReembedRow> PgTransfer::reembed_page(const std::optional<ExportCursor>& after,
                                                 std::size_t limit) {
  Params params;
  params.integer(static_cast<std::int64_t>(limit));
  if (after) params.text(format_timestamp(after->created_at)).text(after->id.to_string());
  const std::string sql = fmt::format(
      "SELECT id, content, {} FROM knowledge_nodes {} ORDER BY created_at, id LIMIT $1",
      utc_text("created_at"), after ? "WHERE (created_at, id) > ($2::timestamptz, $3::uuid)" : "");
  return pool_->run([&](Connection& conn) {
    const Result r = conn.exec(sql, params);
    std::vector<ReembedRow> rows;
    rows.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      rows.push_back(
          {uuid_value(r.text(i, 0)), std::string(r.text(i, 1)), time_value(r.text(i, 2))});
    }
    return rows;
  });
}

void PgTransfer::write_embeddings(std::span<const std::pair<Uuid, Embedding>> vectors,
                                  const ExportCursor& progress) {
  refuse_if_read_only();
  Params params;
  std::string values;
  int n = 0;
  for (const auto& [id, vector] : vectors) {
    validate_vector(vector, "a re-embedded vector");
    values += fmt::format("{}(${}::uuid, ${}::vector)", values.empty() ? "" : ", ", n + 1, n + 2);
    n += 2;
    params.text(id.to_string()).vector(vector);
  }
  pool_->transaction([&](Connection& conn) {
    if (!vectors.empty()) {
      conn.exec(fmt::format("UPDATE knowledge_nodes AS n SET embedding = v.e FROM (VALUES {}) "
                            "AS v(id, e) WHERE n.id = v.id",
                            values),
                params);
    }
    conn.exec(
        "UPDATE reembed_state SET cursor_created_at = $1::timestamptz, cursor_id = $2::uuid, "
        "rows_done = rows_done + $3::int8 WHERE id = 1",
        Params()
            .text(format_timestamp(progress.created_at))
            .text(progress.id.to_string())
            .integer(static_cast<std::int64_t>(vectors.size())));
  });
}

void PgTransfer::seal_reembed(const ModelSignature& target) {
  refuse_if_read_only();
  pool_->transaction([&](Connection& conn) {
    const std::int64_t missing =
        conn.exec(
                "SELECT count(*) FROM knowledge_nodes WHERE embedding IS NULL OR "
                "vector_dims(embedding) <> $1::int4",
                Params().integer(target.dimension))
            .integer(0, 0);
    if (missing > 0) {
      throw Error(ErrorCode::kBackend,
                  fmt::format("{} memories still lack a vector of dimension {} from {}; nothing "
                              "was finished. Run the re-embed again to encode them",
                              missing, target.dimension, target.name));
    }
    if (embedding_column_dimension(conn) != target.dimension) {
      conn.exec_script(fmt::format(
          "ALTER TABLE knowledge_nodes ALTER COLUMN embedding TYPE vector({})", target.dimension));
    }
  });
}

void PgTransfer::complete_reembed(const ModelSignature& target) {
  refuse_if_read_only();
  pool_->transaction([&](Connection& conn) {
    write_registry(conn, target);
    conn.exec_script("DROP TABLE IF EXISTS reembed_state");
  });
}

}  // namespace vestige::postgres
