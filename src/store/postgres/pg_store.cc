#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "vestige/config.h"

namespace vestige {

namespace {

postgres::PoolOptions pool_options(const PostgresConfig& config) {
  if (config.url.empty()) {
    throw Error(ErrorCode::kConfig,
                "[storage] backend is \"postgres\" but [storage.postgres] url is empty; set it to "
                "a libpq URL such as postgresql://vestige@db.example.com/vestige (or "
                "\"${DATABASE_URL}\")");
  }
  if (config.acquire_timeout_secs < 1) {
    throw Error(ErrorCode::kConfig,
                fmt::format("[storage.postgres] acquire_timeout_secs must be at least 1, not {}",
                            config.acquire_timeout_secs));
  }
  return {.conninfo = config.url,
          .where = mask_secrets(config.url),
          .max_connections = config.max_connections,
          .acquire_timeout = std::chrono::seconds(config.acquire_timeout_secs)};
}

}  // namespace

std::unique_ptr<MemoryStore> open_postgres_store(const PostgresStoreOptions& options) {
  auto pool = std::make_unique<postgres::Pool>(pool_options(options.config));
  postgres::ServerInfo server;
  try {
    postgres::prepare_schema(*pool, options.migrate && !options.read_only);
    server = postgres::server_info(*pool);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInit || e.code() == ErrorCode::kConfig) throw;
    throw Error(ErrorCode::kInit,
                fmt::format("cannot prepare the schema of the PostgreSQL database at {}: {}",
                            pool->options().where, e.what()));
  }
  spdlog::info("Postgres backend ready ({}, pgvector {}, {})", server.server_version,
               server.pgvector_version, pool->options().where);
  return std::make_unique<postgres::PgMemoryStore>(std::move(pool), server, options.read_only);
}

std::unique_ptr<SchemaAdmin> open_postgres_schema_admin(const PostgresConfig& config) {
  return std::make_unique<postgres::PgSchemaAdmin>(pool_options(config));
}

PostgresServerReport postgres_server_report(const MemoryStore& store) {
  const auto* pg = dynamic_cast<const postgres::PgMemoryStore*>(&store);
  if (pg == nullptr) return {};
  return {pg->server().server_version, pg->server().pgvector_version};
}

}  // namespace vestige

namespace vestige::postgres {

namespace {

// Rows per INSERT statement of a batch. 21 parameters a row keeps a full
// statement (10,500 parameters) far below the protocol's limit of 65,535,
// while a batch of a few thousand memories still takes only a few round trips.
constexpr std::size_t kRowsPerInsert = 500;

// The parameter types of one knowledge_nodes row, in the order of
// add_memory_params followed by the embedding.
constexpr std::array<std::string_view, 21> kMemoryParamTypes = {
    "uuid",  "text",        "text",   "text[]", "jsonb",       "text",        "text[]",
    "jsonb", "uuid",        "text",   "uuid[]", "timestamptz", "timestamptz", "float8",
    "int8",  "timestamptz", "float8", "float8", "uuid",        "boolean",     "vector"};

// INSERT of `rows` memories in one statement; returns the ids it inserted
// (a row whose id exists already is skipped).
std::string insert_statement(std::size_t rows) {
  std::string sql = R"sql(INSERT INTO knowledge_nodes (
    id, content, node_type, tags, metadata, codebase, domains, domain_scores,
    owner_user_id, visibility, shared_with_groups, created_at, updated_at,
    importance, access_count, last_accessed_at, retrieval_strength, storage_strength,
    superseded_by, suppressed, embedding) VALUES )sql";
  auto out = std::back_inserter(sql);
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < kMemoryParamTypes.size(); ++column) {
      fmt::format_to(out, "{}${}::{}", column == 0 ? "" : ", ",
                     row * kMemoryParamTypes.size() + column + 1, kMemoryParamTypes[column]);
    }
    sql += ")";
  }
  sql += " ON CONFLICT (id) DO NOTHING RETURNING id";
  return sql;
}

// created_at ($12) is not assigned, since update keeps it; it is mentioned
// only so that every parameter of add_memory_params has a type. The embedding is
// assigned only when it changes, which spares the HNSW index an update.
constexpr std::string_view kUpdateMemory = R"sql(
  UPDATE knowledge_nodes SET
    content = $2, node_type = $3, tags = $4::text[], metadata = $5::jsonb, codebase = $6,
    domains = $7::text[], domain_scores = $8::jsonb, owner_user_id = $9::uuid, visibility = $10,
    shared_with_groups = $11::uuid[], updated_at = $13::timestamptz, importance = $14::float8,
    access_count = $15::int8, last_accessed_at = $16::timestamptz,
    retrieval_strength = $17::float8, storage_strength = $18::float8, superseded_by = $19::uuid,
    suppressed = $20::boolean{}
  WHERE id = $1::uuid AND $12::timestamptz IS NOT DISTINCT FROM $12::timestamptz
)sql";

// One statement for a whole batch: the states travel as parallel arrays, one
// element per memory. A missing last_accessed_at or superseded_by travels as
// an empty string (array_literal quotes every element, so it cannot write a
// NULL). Only engine-state columns and updated_at are assigned, none of them
// indexed, and search_vector keeps its value: when the row's page has room,
// PostgreSQL makes this a HOT update (no new index entries at all); when it
// has not, every index, HNSW included, gets an entry for the new row version,
// as with any UPDATE, but no indexed value changes.
constexpr std::string_view kUpdateEngineState = R"sql(
  UPDATE knowledge_nodes n SET
    updated_at = $1::timestamptz, importance = u.importance, access_count = u.access_count,
    last_accessed_at = NULLIF(u.last_accessed_at, '')::timestamptz,
    retrieval_strength = u.retrieval_strength, storage_strength = u.storage_strength,
    superseded_by = NULLIF(u.superseded_by, '')::uuid, suppressed = u.suppressed
  FROM unnest($2::uuid[], $3::float8[], $4::int8[], $5::text[], $6::float8[], $7::float8[],
              $8::text[], $9::boolean[])
       AS u(id, importance, access_count, last_accessed_at, retrieval_strength,
            storage_strength, superseded_by, suppressed)
  WHERE n.id = u.id
  RETURNING n.id
)sql";

void validate_signature(const ModelSignature& model) {
  if (model.name.empty() || model.dimension <= 0 || model.hash.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("an embedding model needs a name, a positive dimension and a hash; "
                            "got {}",
                            describe(model)));
  }
}

[[noreturn]] void unknown_owner(const Uuid& owner) {
  throw Error(ErrorCode::kInvalidInput,
              fmt::format("owner_user_id {} is not a known user", owner.to_string()));
}

// The owner a foreign key violation of a multi-row INSERT names in its detail
// ("Key (owner_user_id)=(...) is not present"), else the first row's.
const Uuid& unknown_owner_of(std::span<const Memory> rows, std::string_view message) {
  for (const auto& m : rows) {
    if (message.find(m.owner_user_id.to_string()) != std::string_view::npos) {
      return m.owner_user_id;
    }
  }
  return rows.front().owner_user_id;
}

enum class InsertMode { kNew, kIfMissing };

// `memory` as it will be stored: a nil id gets a new UUIDv7, an epoch
// created_at becomes `now`; updated_at is `now`, except that import and copy
// (kIfMissing) keep the source's times, so a copied memory is identical.
Memory with_defaults(const Memory& memory, Timestamp now, InsertMode mode) {
  Memory stored = memory;
  if (stored.id.is_nil()) stored.id = Uuid::generate_v7();
  if (stored.created_at == Timestamp{}) stored.created_at = now;
  if (mode == InsertMode::kNew || stored.updated_at == Timestamp{}) stored.updated_at = now;
  return stored;
}

}  // namespace

PgMemoryStore::PgMemoryStore(std::unique_ptr<Pool> pool, ServerInfo server, bool read_only)
    : pool_(std::move(pool)), server_(std::move(server)), read_only_(read_only) {}

void PgMemoryStore::refuse_if_read_only() const {
  if (read_only_) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the PostgreSQL store at {} was opened read-only; nothing was "
                            "written. Open it without read-only to change it",
                            pool_->options().where));
  }
}

std::optional<ModelSignature> PgMemoryStore::bound() const {
  std::lock_guard lock(bound_mutex_);
  return bound_;
}

// ---- Registry -------------------------------------------------------------------

std::optional<RegisteredModel> PgMemoryStore::read_registry(Connection& conn) {
  const Result r =
      conn.exec(fmt::format("SELECT name, dimension, hash, {} FROM embedding_model WHERE id = 1",
                            utc_text("created_at")));
  if (r.rows() == 0) return std::nullopt;
  return RegisteredModel{
      ModelSignature{std::string(r.text(0, 0)), static_cast<int>(r.integer(0, 1)),
                     std::string(r.text(0, 2))},
      time_value(r.text(0, 3))};
}

std::optional<RegisteredModel> PgMemoryStore::registered_model() {
  return pool_->run([](Connection& conn) { return read_registry(conn); });
}

RegisteredModel PgMemoryStore::register_model(const ModelSignature& model) {
  validate_signature(model);
  {
    std::lock_guard lock(bound_mutex_);
    bound_.reset();
  }
  auto row = registered_model();
  if (!row) {
    // The table lock decides a race between processes registering different
    // models; the column gets its dimension in the same transaction, so no
    // vector of another dimension can slip in between.
    row = write([&](Connection& conn) {
      conn.exec_script("LOCK TABLE embedding_model IN EXCLUSIVE MODE");
      if (auto existing = read_registry(conn)) return *existing;
      conn.exec("INSERT INTO embedding_model (id, name, dimension, hash) VALUES (1, $1, $2, $3)",
                Params().text(model.name).integer(model.dimension).text(model.hash));
      if (embedding_column_dimension(conn) != model.dimension) {
        conn.exec_script(fmt::format(
            "ALTER TABLE knowledge_nodes ALTER COLUMN embedding TYPE vector({})", model.dimension));
      }
      return *read_registry(conn);
    });
  }
  if (row->signature != model) throw Error::model_mismatch(row->signature, model);
  if (!read_only_) {
    PgMigrationBackend backend(*pool_);
    if (MigrationSet::current_version(backend.read_ledger()) <
        postgres_migrations().latest_version()) {
      apply_model_migrations(*pool_);
    }
  }
  std::lock_guard lock(bound_mutex_);
  bound_ = model;
  return *row;
}

void PgMemoryStore::require_model(Connection& conn, std::size_t dimension, bool writing) {
  const auto model = bound();
  if (!model) {
    throw Error(ErrorCode::kInvalidInput,
                "this store handle has no embedding model bound, so it cannot write or query "
                "vectors; call register_model with the embedder's signature first");
  }
  const auto row = read_registry(conn);
  if (row && row->signature != *model) throw Error::model_mismatch(row->signature, *model);
  if (dimension != static_cast<std::size_t>(model->dimension)) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("a vector has {} dimensions, but the embedding model {} has {}",
                            dimension, describe(*model), model->dimension));
  }
  if (!row && writing) {
    // Someone emptied the registry (a revert or a re-embed in progress
    // elsewhere); the vector about to be written registers its model again.
    conn.exec("INSERT INTO embedding_model (id, name, dimension, hash) VALUES (1, $1, $2, $3)",
              Params().text(model->name).integer(model->dimension).text(model->hash));
  }
}

// ---- Memories -------------------------------------------------------------------

std::unordered_set<Uuid> PgMemoryStore::insert_rows(Connection& conn,
                                                    std::span<const Memory> memories) {
  // The registry check reads one row, so it runs once per distinct dimension
  // (normally one), not once per memory.
  std::set<std::size_t> dimensions;
  for (const auto& m : memories) {
    if (m.embedding) dimensions.insert(m.embedding->size());
  }
  for (const std::size_t dimension : dimensions) require_model(conn, dimension, true);

  std::unordered_set<Uuid> inserted;
  for (std::size_t first = 0; first < memories.size(); first += kRowsPerInsert) {
    const auto rows = memories.subspan(first, std::min(kRowsPerInsert, memories.size() - first));
    Params params;
    for (const auto& m : rows) {
      add_memory_params(params, m);
      params.optional_vector(m.embedding);
    }
    try {
      const Result r = conn.exec_unprepared(insert_statement(rows.size()), params);
      for (int i = 0; i < r.rows(); ++i) inserted.insert(uuid_value(r.text(i, 0)));
    } catch (const SqlError& e) {
      if (e.sqlstate() == kForeignKeyViolation) unknown_owner(unknown_owner_of(rows, e.what()));
      throw;
    }
  }
  return inserted;
}

Memory PgMemoryStore::insert(const Memory& memory) {
  return insert_batch(std::span(&memory, 1)).front();
}

std::vector<Memory> PgMemoryStore::insert_batch(std::span<const Memory> memories) {
  for (const auto& memory : memories) validate_memory(memory);
  if (memories.empty()) return {};
  return write([&](Connection& conn) {
    const Timestamp now = now_utc();
    std::vector<Memory> stored;
    stored.reserve(memories.size());
    for (const auto& memory : memories)
      stored.push_back(with_defaults(memory, now, InsertMode::kNew));
    std::unordered_set<Uuid> inserted = insert_rows(conn, stored);
    // Every id must have been inserted, and only once: an id that existed, or
    // that the batch repeats, is refused (and the transaction rolled back).
    for (const auto& m : stored) {
      if (inserted.erase(m.id) == 0) {
        throw Error(ErrorCode::kInvalidInput,
                    fmt::format("a memory with id {} already exists; use update to change it",
                                m.id.to_string()));
      }
    }
    return stored;
  });
}

std::size_t PgMemoryStore::insert_missing(std::span<const Memory> memories) {
  for (const auto& memory : memories) {
    require_id(memory.id, "insert_missing needs every memory's id; id");
    validate_memory(memory);
  }
  if (memories.empty()) return 0;
  return write([&](Connection& conn) {
    const Timestamp now = now_utc();
    std::vector<Memory> stored;
    stored.reserve(memories.size());
    for (const auto& memory : memories) {
      stored.push_back(with_defaults(memory, now, InsertMode::kIfMissing));
    }
    return insert_rows(conn, stored).size();
  });
}

std::optional<Memory> PgMemoryStore::get(const Uuid& id) {
  return pool_->run([&](Connection& conn) -> std::optional<Memory> {
    const Result r = conn.exec(
        fmt::format("SELECT {} FROM knowledge_nodes n WHERE n.id = $1::uuid", memory_columns(true)),
        Params().text(id.to_string()));
    if (r.rows() == 0) return std::nullopt;
    return read_memory(r, 0);
  });
}

std::vector<Memory> PgMemoryStore::get_batch(std::span<const Uuid> ids) {
  if (ids.empty()) return {};
  std::vector<std::string> texts;
  for (const auto& id : ids) texts.push_back(id.to_string());
  std::unordered_map<Uuid, Memory> found = pool_->run([&](Connection& conn) {
    const Result r = conn.exec(fmt::format("SELECT {} FROM knowledge_nodes n WHERE n.id = "
                                           "ANY($1::uuid[])",
                                           memory_columns(true)),
                               Params().text(array_literal(texts)));
    std::unordered_map<Uuid, Memory> out;
    for (int i = 0; i < r.rows(); ++i) {
      Memory m = read_memory(r, i);
      out.emplace(m.id, std::move(m));
    }
    return out;
  });
  std::unordered_set<Uuid> seen;
  std::vector<Memory> out;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    if (auto it = found.find(id); it != found.end()) out.push_back(it->second);
  }
  return out;
}

Memory PgMemoryStore::update(const Memory& memory) {
  require_id(memory.id, "update needs the memory's id; id");
  validate_memory(memory);
  return write([&](Connection& conn) {
    Memory stored = memory;
    const Result current = conn.exec(
        fmt::format("SELECT {}, embedding FROM knowledge_nodes WHERE id = $1::uuid FOR UPDATE",
                    utc_text("created_at")),
        Params().text(memory.id.to_string()));
    if (current.rows() == 0) {
      throw Error(ErrorCode::kNotFound,
                  fmt::format("no memory with id {} to update", memory.id.to_string()));
    }
    stored.created_at = time_value(current.text(0, 0));
    const auto old_embedding = optional_vector(current, 0, 1);
    bool embedding_changed = old_embedding.has_value() != memory.embedding.has_value();
    if (!embedding_changed && old_embedding) {
      embedding_changed = old_embedding->size() != memory.embedding->size() ||
                          std::memcmp(old_embedding->data(), memory.embedding->data(),
                                      old_embedding->size() * sizeof(float)) != 0;
    }
    if (embedding_changed && memory.embedding) {
      require_model(conn, memory.embedding->size(), true);
    }
    stored.updated_at = now_utc();
    Params params;
    add_memory_params(params, stored);
    if (embedding_changed) params.optional_vector(stored.embedding);
    try {
      conn.exec(fmt::format(kUpdateMemory, embedding_changed ? ", embedding = $21::vector" : ""),
                params);
    } catch (const SqlError& e) {
      if (e.sqlstate() == kForeignKeyViolation) unknown_owner(stored.owner_user_id);
      throw;
    }
    return stored;
  });
}

EngineStateWrite PgMemoryStore::update_engine_state(std::span<const EngineStateUpdate> updates) {
  for (const auto& update : updates) {
    require_id(update.id, "update_engine_state needs every memory's id; id");
    validate_engine_state(update.engine);
  }
  if (updates.empty()) return {};
  // A repeated id gets its last entry: one UPDATE must not assign a row twice
  // (PostgreSQL would pick one of the entries arbitrarily).
  std::unordered_map<Uuid, std::size_t> last;
  for (std::size_t i = 0; i < updates.size(); ++i) last[updates[i].id] = i;
  std::vector<std::string> ids, importance, access_count, last_accessed_at, retrieval_strength,
      storage_strength, superseded_by, suppressed;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (last.at(updates[i].id) != i) continue;
    const EngineState& e = updates[i].engine;
    ids.push_back(updates[i].id.to_string());
    // fmt's shortest form reads back as the same double.
    importance.push_back(fmt::format("{}", e.importance));
    access_count.push_back(std::to_string(e.access_count));
    last_accessed_at.push_back(e.last_accessed_at ? format_timestamp(*e.last_accessed_at) : "");
    retrieval_strength.push_back(fmt::format("{}", e.retrieval_strength));
    storage_strength.push_back(fmt::format("{}", e.storage_strength));
    superseded_by.push_back(e.superseded_by ? e.superseded_by->to_string() : "");
    suppressed.push_back(e.suppressed ? "true" : "false");
  }
  return write([&](Connection& conn) {
    EngineStateWrite result;
    result.updated_at = now_utc();
    const Result r = conn.exec(kUpdateEngineState, Params()
                                                       .text(format_timestamp(result.updated_at))
                                                       .text(array_literal(ids))
                                                       .text(array_literal(importance))
                                                       .text(array_literal(access_count))
                                                       .text(array_literal(last_accessed_at))
                                                       .text(array_literal(retrieval_strength))
                                                       .text(array_literal(storage_strength))
                                                       .text(array_literal(superseded_by))
                                                       .text(array_literal(suppressed)));
    std::unordered_set<Uuid> written;
    for (int row = 0; row < r.rows(); ++row) written.insert(uuid_value(r.text(row, 0)));
    result.written = written.size();
    std::unordered_set<Uuid> reported;
    for (const auto& update : updates) {
      if (!written.contains(update.id) && reported.insert(update.id).second) {
        result.missing.push_back(update.id);
      }
    }
    return result;
  });
}

bool PgMemoryStore::remove(const Uuid& id) {
  return write([&](Connection& conn) {
    // Scheduling, review events and edges go with it (ON DELETE CASCADE).
    return conn.exec("DELETE FROM knowledge_nodes WHERE id = $1::uuid",
                     Params().text(id.to_string()))
               .affected() > 0;
  });
}

}  // namespace vestige::postgres
