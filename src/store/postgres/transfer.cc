#include "store/postgres/transfer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/postgres/rows.h"

namespace vestige {

std::unique_ptr<StoreTransfer> open_postgres_transfer(const PostgresConfig& config,
                                                      bool read_only) {
  if (config.url.empty()) {
    throw Error(ErrorCode::kConfig,
                "no PostgreSQL URL: pass --postgres-url or set [storage.postgres] url");
  }
  auto pool = std::make_unique<postgres::Pool>(
      postgres::PoolOptions{.conninfo = config.url,
                            .where = mask_secrets(config.url),
                            .max_connections = 1,
                            .acquire_timeout = std::chrono::seconds(config.acquire_timeout_secs)});
  // Fails here, with the server's reason, when it cannot be reached.
  pool->run([](postgres::Connection& conn) { conn.exec_script("SELECT 1"); });
  return std::make_unique<postgres::PgTransfer>(std::move(pool), read_only);
}

}  // namespace vestige

namespace vestige::postgres {

namespace {

struct Column {
  std::string_view name;
  std::string_view type;
};

// How one table is read in key order and written: its columns with their
// types (the INSERT casts every parameter), the SELECT expressions, the key
// columns (read back as text after the row, and compared as a row value).
struct TableSpec {
  std::string_view table;
  std::vector<Column> columns;
  std::string select;
  std::vector<Column> keys;
  std::string_view conflict;
};

TableSpec spec(Table table) {
  switch (table) {
    case Table::kUsers:
      return {"users",
              {{"id", "uuid"},
               {"username", "text"},
               {"display_name", "text"},
               {"created_at", "timestamptz"}},
              fmt::format("n.id, n.username, n.display_name, {}", utc_text("n.created_at")),
              {{"id", "uuid"}},
              // Every schema starts with its own bootstrap user (`local`); the
              // source's row replaces it, so the copy holds the source's values.
              "(id) DO UPDATE SET username = excluded.username, display_name = "
              "excluded.display_name, created_at = excluded.created_at WHERE "
              "(users.username, users.display_name, users.created_at) IS DISTINCT FROM "
              "(excluded.username, excluded.display_name, excluded.created_at)"};
    case Table::kGroups:
      return {"groups",
              {{"id", "uuid"}, {"name", "text"}, {"created_at", "timestamptz"}},
              fmt::format("n.id, n.name, {}", utc_text("n.created_at")),
              {{"id", "uuid"}},
              "(id) DO NOTHING"};
    case Table::kGroupMemberships:
      return {"group_memberships",
              {{"group_id", "uuid"},
               {"user_id", "uuid"},
               {"role", "text"},
               {"created_at", "timestamptz"}},
              fmt::format("n.group_id, n.user_id, n.role, {}", utc_text("n.created_at")),
              {{"group_id", "uuid"}, {"user_id", "uuid"}},
              "(group_id, user_id) DO NOTHING"};
    case Table::kMemories:
      return {"knowledge_nodes",
              {{"id", "uuid"},
               {"content", "text"},
               {"node_type", "text"},
               {"tags", "text[]"},
               {"metadata", "jsonb"},
               {"codebase", "text"},
               {"domains", "text[]"},
               {"domain_scores", "jsonb"},
               {"owner_user_id", "uuid"},
               {"visibility", "text"},
               {"shared_with_groups", "uuid[]"},
               {"created_at", "timestamptz"},
               {"updated_at", "timestamptz"},
               {"importance", "float8"},
               {"access_count", "int8"},
               {"last_accessed_at", "timestamptz"},
               {"retrieval_strength", "float8"},
               {"storage_strength", "float8"},
               {"superseded_by", "uuid"},
               {"suppressed", "boolean"},
               {"embedding", "vector"}},
              memory_columns(true),
              {{"created_at", "timestamptz"}, {"id", "uuid"}},
              "(id) DO NOTHING"};
    case Table::kScheduling:
      return {"scheduling",
              {{"memory_id", "uuid"},
               {"stability", "float8"},
               {"difficulty", "float8"},
               {"reps", "int4"},
               {"lapses", "int4"},
               {"state", "text"},
               {"last_review", "timestamptz"},
               {"next_review", "timestamptz"}},
              fmt::format("n.memory_id, n.stability, n.difficulty, n.reps, n.lapses, n.state, "
                          "{}, {}",
                          utc_text("n.last_review"), utc_text("n.next_review")),
              {{"memory_id", "uuid"}},
              "(memory_id) DO NOTHING"};
    case Table::kEdges:
      return {"edges",
              {{"source_id", "uuid"},
               {"target_id", "uuid"},
               {"edge_type", "text"},
               {"weight", "float8"},
               {"metadata", "jsonb"},
               {"created_at", "timestamptz"}},
              fmt::format("n.source_id, n.target_id, n.edge_type, n.weight, n.metadata, {}",
                          utc_text("n.created_at")),
              {{"source_id", "uuid"}, {"target_id", "uuid"}, {"edge_type", "text"}},
              "(source_id, target_id, edge_type) DO NOTHING"};
    case Table::kReviewEvents:
      return {"review_events",
              {{"id", "int8"},
               {"memory_id", "uuid"},
               {"reviewed_at", "timestamptz"},
               {"rating", "int2"},
               {"prior_state", "jsonb"},
               {"new_state", "jsonb"}},
              fmt::format("n.id, n.memory_id, {}, n.rating, n.prior_state, n.new_state",
                          utc_text("n.reviewed_at")),
              {{"id", "int8"}},
              "(id) DO NOTHING"};
    case Table::kDomains:
      return {"domains",
              {{"id", "text"},
               {"label", "text"},
               {"centroid", "vector"},
               {"metadata", "jsonb"},
               {"created_at", "timestamptz"},
               {"updated_at", "timestamptz"}},
              fmt::format("n.id, n.label, n.centroid, n.metadata, {}, {}", utc_text("n.created_at"),
                          utc_text("n.updated_at")),
              {{"id", "text"}},
              "(id) DO NOTHING"};
  }
  throw Error(ErrorCode::kInvalidInput, "unknown table");
}

// The text of a key column as it reads back into its type.
std::string key_expression(const Column& key) {
  if (key.type == "timestamptz") return utc_text(fmt::format("n.{}", key.name));
  return fmt::format("n.{}::text", key.name);
}

SchedulingState scheduling_json(std::string_view text) {
  try {
    return Json::parse(text).get<SchedulingState>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kBackend,
                fmt::format("a review event's scheduling state does not parse: {}", e.what()));
  }
}

Row read_row(Table table, const Result& r, int i) {
  switch (table) {
    case Table::kUsers:
      return UserRecord{uuid_value(r.text(i, 0)), std::string(r.text(i, 1)),
                        std::string(r.text(i, 2)), time_value(r.text(i, 3))};
    case Table::kGroups:
      return GroupRecord{uuid_value(r.text(i, 0)), std::string(r.text(i, 1)),
                         time_value(r.text(i, 2))};
    case Table::kGroupMemberships:
      return MembershipRecord{uuid_value(r.text(i, 0)), uuid_value(r.text(i, 1)),
                              std::string(r.text(i, 2)), time_value(r.text(i, 3))};
    case Table::kMemories:
      return read_memory(r, i);
    case Table::kScheduling:
      return read_scheduling(r, i);
    case Table::kEdges:
      return Edge{uuid_value(r.text(i, 0)), uuid_value(r.text(i, 1)), std::string(r.text(i, 2)),
                  r.number(i, 3),           json_value(r.text(i, 4)), time_value(r.text(i, 5))};
    case Table::kReviewEvents: {
      ReviewEvent e;
      e.id = r.integer(i, 0);
      e.memory_id = uuid_value(r.text(i, 1));
      e.reviewed_at = time_value(r.text(i, 2));
      e.rating = static_cast<int>(r.integer(i, 3));
      if (!r.is_null(i, 4)) e.prior_state = scheduling_json(r.text(i, 4));
      e.new_state = scheduling_json(r.text(i, 5));
      return e;
    }
    case Table::kDomains:
      return Domain{std::string(r.text(i, 0)), std::string(r.text(i, 1)), optional_vector(r, i, 2),
                    json_value(r.text(i, 3)),  time_value(r.text(i, 4)),  time_value(r.text(i, 5))};
  }
  throw Error(ErrorCode::kInvalidInput, "unknown table");
}

std::optional<std::string> optional_time_text(const std::optional<Timestamp>& t) {
  return t ? std::optional(format_timestamp(*t)) : std::nullopt;
}

// Adds the row's parameters in the order of spec(table).columns. Throws
// Error(kInvalidInput) for a value PostgreSQL cannot hold (a NUL character,
// invalid UTF-8 in JSON).
struct ParamWriter {
  Params& p;
  void operator()(const UserRecord& r) {
    require_text(r.username, "username");
    require_text(r.display_name, "display_name");
    p.text(r.id.to_string()).text(r.username).text(r.display_name);
    p.text(format_timestamp(r.created_at));
  }
  void operator()(const GroupRecord& r) {
    require_text(r.name, "name");
    p.text(r.id.to_string()).text(r.name).text(format_timestamp(r.created_at));
  }
  void operator()(const MembershipRecord& r) {
    p.text(r.group_id.to_string()).text(r.user_id.to_string()).text(r.role);
    p.text(format_timestamp(r.created_at));
  }
  void operator()(const Memory& m) {
    require_id(m.id, "id");
    validate_memory(m);
    add_memory_params(p, m);
    p.optional_vector(m.embedding);
  }
  void operator()(const SchedulingState& s) {
    validate_scheduling(s);
    p.text(s.memory_id.to_string()).number(s.stability).number(s.difficulty);
    p.integer(s.reps).integer(s.lapses).text(s.state);
    p.optional_text(optional_time_text(s.last_review)).text(format_timestamp(s.next_review));
  }
  void operator()(const Edge& e) {
    require_text(e.edge_type, "edge_type");
    p.text(e.source_id.to_string()).text(e.target_id.to_string()).text(e.edge_type);
    p.number(e.weight).text(json_text(e.metadata, "metadata"));
    p.text(format_timestamp(e.created_at));
  }
  void operator()(const ReviewEvent& e) {
    p.integer(e.id).text(e.memory_id.to_string()).text(format_timestamp(e.reviewed_at));
    p.integer(e.rating);
    p.optional_text(e.prior_state ? std::optional(Json(*e.prior_state).dump()) : std::nullopt);
    p.text(Json(e.new_state).dump());
  }
  void operator()(const Domain& d) {
    require_text(d.id, "id");
    require_text(d.label, "label");
    p.text(d.id).text(d.label).optional_vector(d.centroid);
    p.text(json_text(d.metadata, "metadata"));
    p.text(format_timestamp(d.created_at)).text(format_timestamp(d.updated_at));
  }
};

std::string insert_sql(const TableSpec& t, std::size_t rows) {
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.emplace_back(c.name);
  std::string values;
  int n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    values += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      values += fmt::format("{}${}::{}", c == 0 ? "" : ", ", ++n, t.columns[c].type);
    }
    values += ")";
  }
  return fmt::format("INSERT INTO {} ({}) VALUES {} ON CONFLICT {}", t.table,
                     fmt::join(names, ", "), values, t.conflict);
}

bool server_refused(const SqlError& e, Connection& conn) {
  // A lost connection (no SQLSTATE) is not the row's fault: it ends the run.
  return !conn.broken() && !e.sqlstate().empty() && !e.sqlstate().starts_with("08") &&
         !e.sqlstate().starts_with("57");
}

}  // namespace

PgTransfer::PgTransfer(std::unique_ptr<Pool> pool, bool read_only)
    : pool_(std::move(pool)), read_only_(read_only) {}

void PgTransfer::refuse_if_read_only() const {
  if (read_only_) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the PostgreSQL database at {} was opened read-only; nothing was "
                            "written",
                            pool_->options().where));
  }
}

std::optional<RegisteredModel> PgTransfer::registered_model() {
  return pool_->run([](Connection& conn) -> std::optional<RegisteredModel> {
    const Result r =
        conn.exec(fmt::format("SELECT name, dimension, hash, {} FROM embedding_model WHERE id = 1",
                              utc_text("created_at")));
    if (r.rows() == 0) return std::nullopt;
    return RegisteredModel{
        ModelSignature{std::string(r.text(0, 0)), static_cast<int>(r.integer(0, 1)),
                       std::string(r.text(0, 2))},
        time_value(r.text(0, 3))};
  });
}

std::int64_t PgTransfer::count(Table table) {
  return pool_->run([&](Connection& conn) {
    return conn.exec(fmt::format("SELECT count(*) FROM {}", spec(table).table)).integer(0, 0);
  });
}

RowPage PgTransfer::read_page(Table table, const std::optional<PageKey>& after, std::size_t limit) {
  const TableSpec t = spec(table);
  std::vector<std::string> key_names, key_exprs, marks;
  Params params;
  params.integer(static_cast<std::int64_t>(limit));
  for (std::size_t i = 0; i < t.keys.size(); ++i) {
    key_names.push_back(fmt::format("n.{}", t.keys[i].name));
    key_exprs.push_back(key_expression(t.keys[i]));
    marks.push_back(fmt::format("${}::{}", i + 2, t.keys[i].type));
    if (after) params.text(i < after->size() ? (*after)[i] : std::string());
  }
  const std::string where =
      after ? fmt::format("WHERE ({}) > ({})", fmt::join(key_names, ", "), fmt::join(marks, ", "))
            : std::string();
  const std::string sql =
      fmt::format("SELECT {}, {} FROM {} n {} ORDER BY {} LIMIT $1", t.select,
                  fmt::join(key_exprs, ", "), t.table, where, fmt::join(key_names, ", "));
  return pool_->run([&](Connection& conn) {
    const Result r = conn.exec(sql, params);
    RowPage page;
    PageKey last;
    for (int i = 0; i < r.rows(); ++i) {
      last.clear();
      // The SELECT list has one expression per column, then the keys.
      const int first_key = static_cast<int>(t.columns.size());
      for (std::size_t k = 0; k < t.keys.size(); ++k) {
        last.emplace_back(r.text(i, first_key + static_cast<int>(k)));
      }
      try {
        page.rows.push_back(read_row(table, r, i));
      } catch (const Error& e) {
        page.errors.push_back({table, fmt::format("{}", fmt::join(last, " ")), e.what()});
      }
    }
    if (static_cast<std::size_t>(r.rows()) == limit) page.next = last;
    return page;
  });
}

WriteOutcome PgTransfer::write_rows(Table table, std::span<const Row> rows) {
  refuse_if_read_only();
  WriteOutcome out;
  if (rows.empty()) return out;
  const TableSpec t = spec(table);
  std::optional<int> dimension;
  if (table == Table::kMemories) {
    if (auto model = registered_model()) dimension = model->signature.dimension;
  }
  // Rows PostgreSQL could not even be sent are reported first.
  std::vector<const Row*> good;
  Params batch;
  for (const Row& row : rows) {
    try {
      if (const auto* m = std::get_if<Memory>(&row);
          m && m->embedding && dimension &&
          m->embedding->size() != static_cast<std::size_t>(*dimension)) {
        throw Error(ErrorCode::kInvalidInput,
                    fmt::format("its embedding has {} dimensions, but the registered model has {}",
                                m->embedding->size(), *dimension));
      }
      Params probe;
      std::visit(ParamWriter{probe}, row);
      std::visit(ParamWriter{batch}, row);
      good.push_back(&row);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInvalidInput && e.code() != ErrorCode::kBackend) throw;
      out.errors.push_back({table, row_key(row), e.what()});
    }
  }
  if (good.empty()) return out;
  pool_->transaction([&](Connection& conn) {
    // A failed statement aborts the transaction; the savepoint keeps the
    // batch alive, and the rows are then tried one by one to find the bad ones.
    conn.exec_script("SAVEPOINT batch");
    try {
      const Result r = conn.exec(insert_sql(t, good.size()), batch);
      out.inserted += static_cast<std::size_t>(r.affected());
      out.present += good.size() - static_cast<std::size_t>(r.affected());
      conn.exec_script("RELEASE SAVEPOINT batch");
      return;
    } catch (const SqlError& e) {
      if (!server_refused(e, conn)) throw;
      conn.exec_script("ROLLBACK TO SAVEPOINT batch");
    }
    const std::string one = insert_sql(t, 1);
    for (const Row* row : good) {
      Params p;
      std::visit(ParamWriter{p}, *row);
      conn.exec_script("SAVEPOINT one");
      try {
        const Result r = conn.exec(one, p);
        if (r.affected() > 0) {
          ++out.inserted;
        } else {
          ++out.present;
        }
        conn.exec_script("RELEASE SAVEPOINT one");
      } catch (const SqlError& e) {
        if (!server_refused(e, conn)) throw;
        conn.exec_script("ROLLBACK TO SAVEPOINT one");
        out.errors.push_back({table, row_key(*row), e.what()});
      }
    }
  });
  return out;
}

void PgTransfer::advance_review_event_ids() {
  refuse_if_read_only();
  pool_->run([](Connection& conn) {
    conn.exec_script(
        "SELECT setval(pg_get_serial_sequence('review_events', 'id'), COALESCE(max(id), 0) + 1, "
        "false) FROM review_events");
  });
}

bool PgTransfer::drop_vector_index() {
  refuse_if_read_only();
  return pool_->run([](Connection& conn) {
    const bool existed =
        conn.exec("SELECT to_regclass($1) IS NOT NULL", Params().text(std::string(kHnswIndexName)))
            .boolean(0, 0);
    conn.exec_script(fmt::format("DROP INDEX IF EXISTS {}", kHnswIndexName));
    return existed;
  });
}

int PgTransfer::vector_index_count() {
  return static_cast<int>(pool_->run([](Connection& conn) {
    return conn
        .exec(R"sql(
          SELECT count(*) FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_am a ON a.oid = c.relam
          WHERE i.indrelid = 'knowledge_nodes'::regclass AND a.amname = 'hnsw' AND i.indisvalid
        )sql")
        .integer(0, 0);
  }));
}

void PgTransfer::build_vector_index(bool concurrently) {
  refuse_if_read_only();
  pool_->run([&](Connection& conn) {
    const Result model = conn.exec("SELECT dimension FROM embedding_model WHERE id = 1");
    if (model.rows() == 0) return;
    // An index left INVALID by an interrupted CREATE INDEX CONCURRENTLY is
    // dropped: IF NOT EXISTS would otherwise keep it.
    const Result invalid =
        conn.exec("SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid",
                  Params().text(std::string(kHnswIndexName)));
    if (invalid.rows() > 0) conn.exec_script(fmt::format("DROP INDEX {}", kHnswIndexName));
    // The definition of migration 2 (0002_hnsw_index.up.sql).
    conn.exec_script(
        fmt::format("CREATE INDEX {}IF NOT EXISTS {} ON knowledge_nodes USING hnsw "
                    "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
                    concurrently ? "CONCURRENTLY " : "", kHnswIndexName));
  });
}

}  // namespace vestige::postgres
