#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <unordered_set>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_memory_store.h"

namespace vestige {

namespace {

// SQLite creates the database and its -wal and -shm files next to each other,
// so the directory must exist and, unless read-only, be writable. Checked
// here because SQLite's own message ("unable to open database file") does not
// say which of the two is wrong.
void check_directory(const std::filesystem::path& path, bool read_only) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorCode::kInit,
                fmt::format("cannot open the SQLite database {}: the directory {} does not exist; "
                            "create it (vestige creates its data directory on first use) or set "
                            "[storage.sqlite] path to a file in an existing directory",
                            path.string(), dir.string()));
  }
  if (!read_only && ::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw Error(ErrorCode::kInit,
                fmt::format("cannot open the SQLite database {}: the directory {} is not writable "
                            "by this user ({}), and SQLite keeps its -wal and -shm files there; "
                            "fix the directory's owner or permissions",
                            path.string(), dir.string(), std::strerror(errno)));
  }
}

sqlite::Database open_database(const SqliteStoreOptions& options) {
  check_directory(options.path, options.read_only);
  return sqlite::Database::open(options.path, {.read_only = options.read_only,
                                               .create = !options.read_only,
                                               .busy_timeout_ms = options.busy_timeout_ms});
}

// Brings the schema up to date, or checks that it is when the caller asked
// not to migrate (or cannot write).
void prepare_schema(sqlite::Database& db, const SqliteStoreOptions& options) {
  sqlite::SqliteMigrationBackend backend(db);
  MigrationRunner runner(sqlite::sqlite_migrations(), backend);
  if (options.migrate && !options.read_only) {
    runner.migrate(std::nullopt);
    return;
  }
  const int current = runner.checked_version();
  const int latest = sqlite::sqlite_migrations().latest_version();
  if (current < latest) {
    throw Error(ErrorCode::kInit,
                fmt::format("the SQLite database {} is at schema version {}, but this build needs "
                            "version {}; run `vestige db migrate` first",
                            options.path.string(), current, latest));
  }
}

}  // namespace

std::unique_ptr<MemoryStore> open_sqlite_store(const SqliteStoreOptions& options) {
  auto db = open_database(options);
  try {
    prepare_schema(db, options);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInit) throw;
    throw Error(ErrorCode::kInit, fmt::format("cannot prepare the schema of the SQLite database "
                                              "{}: {}",
                                              options.path.string(), e.what()));
  }
  return std::make_unique<sqlite::SqliteMemoryStore>(std::move(db), options.read_only);
}

std::unique_ptr<SchemaAdmin> open_sqlite_schema_admin(const std::filesystem::path& path) {
  return std::make_unique<sqlite::SqliteSchemaAdmin>(open_database({.path = path}));
}

}  // namespace vestige

namespace vestige::sqlite {

namespace {

constexpr std::string_view kSelectRegistry = R"sql(
  SELECT name, dimension, hash, created_at FROM embedding_model WHERE id = 1
)sql";

constexpr std::string_view kInsertRegistry = R"sql(
  INSERT INTO embedding_model (id, name, dimension, hash, created_at) VALUES (1, ?1, ?2, ?3, ?4)
)sql";

// The embedding is assigned only when it changes: assigning it at all fires
// the vector_log trigger, and every process would then reload the vector.
constexpr std::string_view kUpdateMemory = R"sql(
  UPDATE knowledge_nodes SET
    content = :content, node_type = :node_type, tags = :tags, metadata = :metadata,
    codebase = :codebase, domains = :domains, domain_scores = :domain_scores,
    owner_user_id = :owner_user_id, visibility = :visibility,
    shared_with_groups = :shared_with_groups, updated_at = :updated_at,
    importance = :importance, access_count = :access_count, last_accessed_at = :last_accessed_at,
    retrieval_strength = :retrieval_strength, storage_strength = :storage_strength,
    superseded_by = :superseded_by, suppressed = :suppressed
    {}
  WHERE id = :id
)sql";

bool same_vector(std::span<const std::byte> stored, const std::optional<Embedding>& embedding) {
  if (!embedding) return false;
  const auto bytes = as_blob(*embedding);
  return stored.size() == bytes.size() &&
         std::memcmp(stored.data(), bytes.data(), bytes.size()) == 0;
}

void validate_signature(const ModelSignature& model) {
  if (model.name.empty() || model.dimension <= 0 || model.hash.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("an embedding model needs a name, a positive dimension and a hash; "
                            "got {}",
                            describe(model)));
  }
}

}  // namespace

SqliteMemoryStore::SqliteMemoryStore(Database db, bool read_only)
    : db_(std::move(db)),
      read_only_(read_only),
      statements_(db_),
      search_(std::make_unique<SqliteSearch>(db_)) {
  if (!read_only_ && !db_.path().empty()) {
    try {
      checkpointer_ = std::make_unique<Checkpointer>(db_);
    } catch (const Error&) {
      // Commits then checkpoint as SQLite does by default: slower now and
      // then, never wrong.
    }
  }
}

SqliteMemoryStore::~SqliteMemoryStore() {
  checkpointer_.reset();
  // A snapshot only saves the next process a rebuild of an index, so
  // failing to write one must not turn closing the store into an error.
  try {
    std::lock_guard lock(mutex_);
    search_->save_snapshot();
  } catch (...) {
  }
}

void SqliteMemoryStore::refuse_if_read_only() const {
  if (read_only_) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the SQLite store {} was opened read-only; nothing was written. "
                            "Open it without read-only to change it",
                            db_.path().string()));
  }
}

// ---- Registry -------------------------------------------------------------------

std::optional<RegisteredModel> SqliteMemoryStore::read_registry() {
  auto stmt = statements_.get(kSelectRegistry);
  if (!stmt->step()) return std::nullopt;
  return RegisteredModel{
      ModelSignature{stmt->column_text(0), static_cast<int>(stmt->column_int64(1)),
                     stmt->column_text(2)},
      time_column(*stmt, 3)};
}

RegisteredModel SqliteMemoryStore::insert_registry(const ModelSignature& model) {
  const RegisteredModel registered{model, now_utc()};
  auto stmt = statements_.get(kInsertRegistry);
  stmt->bind(1, model.name)
      .bind(2, model.dimension)
      .bind(3, model.hash)
      .bind(4, format_timestamp(registered.created_at));
  stmt->run();
  return registered;
}

std::optional<RegisteredModel> SqliteMemoryStore::registered_model() {
  std::lock_guard lock(mutex_);
  return read_registry();
}

RegisteredModel SqliteMemoryStore::register_model(const ModelSignature& model) {
  validate_signature(model);
  std::lock_guard lock(mutex_);
  bound_.reset();
  auto row = read_registry();
  if (!row) {
    // Registering takes the write lock; checking again inside it decides a
    // race between two processes registering different models.
    row = write([&] {
      if (auto existing = read_registry()) return *existing;
      return insert_registry(model);
    });
  }
  if (row->signature != model) throw Error::model_mismatch(row->signature, model);
  bound_ = model;
  return *row;
}

void SqliteMemoryStore::require_model(std::size_t dimension, bool writing) {
  if (!bound_) {
    throw Error(ErrorCode::kInvalidInput,
                "this store handle has no embedding model bound, so it cannot write or query "
                "vectors; call register_model with the embedder's signature first");
  }
  const auto row = read_registry();
  if (row && row->signature != *bound_) throw Error::model_mismatch(row->signature, *bound_);
  if (dimension != static_cast<std::size_t>(bound_->dimension)) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("a vector has {} dimensions, but the embedding model {} has {}",
                            dimension, describe(*bound_), bound_->dimension));
  }
  if (!row && writing) {
    // Someone emptied the registry (a revert or a re-embed in progress
    // elsewhere); the vector about to be written registers its model again.
    insert_registry(*bound_);
  }
}

// ---- Memories -------------------------------------------------------------------

bool SqliteMemoryStore::memory_exists(const Uuid& id) {
  auto stmt = statements_.get("SELECT 1 FROM knowledge_nodes WHERE id = ?1");
  stmt->bind(1, id.to_string());
  return stmt->step();
}

void SqliteMemoryStore::require_user(const Uuid& id) {
  auto stmt = statements_.get("SELECT 1 FROM users WHERE id = ?1");
  stmt->bind(1, id.to_string());
  if (!stmt->step()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("owner_user_id {} is not a known user", id.to_string()));
  }
}

std::optional<Memory> SqliteMemoryStore::load(const Uuid& id) {
  auto stmt = statements_.get(
      fmt::format("SELECT {} FROM knowledge_nodes WHERE id = ?1", memory_columns(true)));
  stmt->bind(1, id.to_string());
  if (!stmt->step()) return std::nullopt;
  return read_memory(*stmt);
}

std::optional<Memory> SqliteMemoryStore::insert_row(const Memory& memory, Timestamp now,
                                                    InsertMode mode) {
  Memory stored = memory;
  if (stored.id.is_nil()) stored.id = Uuid::generate_v7();
  if (stored.created_at == Timestamp{}) stored.created_at = now;
  // Import and copy keep the source's times, so a copied memory is identical.
  if (mode == InsertMode::kNew || stored.updated_at == Timestamp{}) stored.updated_at = now;
  if (stored.embedding) require_model(stored.embedding->size(), true);
  require_user(stored.owner_user_id);
  auto stmt = statements_.get(kInsertMemory);
  bind_memory(*stmt, stored);
  bind_embedding(*stmt, stmt->parameter_index(":embedding"), stored.embedding);
  stmt->bind(stmt->parameter_index(":created_at"), format_timestamp(stored.created_at));
  stmt->run();
  if (db_.changes() == 0) {
    if (mode == InsertMode::kIfMissing) return std::nullopt;
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("a memory with id {} already exists; use update to change it",
                            stored.id.to_string()));
  }
  return stored;
}

Memory SqliteMemoryStore::insert(const Memory& memory) {
  return insert_batch(std::span(&memory, 1)).front();
}

std::vector<Memory> SqliteMemoryStore::insert_batch(std::span<const Memory> memories) {
  for (const auto& memory : memories) validate_memory(memory);
  if (memories.empty()) return {};
  std::lock_guard lock(mutex_);
  return write([&] {
    const Timestamp now = now_utc();
    std::vector<Memory> stored;
    stored.reserve(memories.size());
    for (const auto& memory : memories) {
      stored.push_back(*insert_row(memory, now, InsertMode::kNew));
    }
    return stored;
  });
}

std::size_t SqliteMemoryStore::insert_missing(std::span<const Memory> memories) {
  for (const auto& memory : memories) {
    require_id(memory.id, "insert_missing needs every memory's id; id");
    validate_memory(memory);
  }
  if (memories.empty()) return 0;
  std::lock_guard lock(mutex_);
  return write([&] {
    const Timestamp now = now_utc();
    std::size_t inserted = 0;
    for (const auto& memory : memories) {
      if (insert_row(memory, now, InsertMode::kIfMissing)) ++inserted;
    }
    return inserted;
  });
}

std::optional<Memory> SqliteMemoryStore::get(const Uuid& id) {
  std::lock_guard lock(mutex_);
  return load(id);
}

std::vector<Memory> SqliteMemoryStore::get_batch(std::span<const Uuid> ids) {
  std::lock_guard lock(mutex_);
  ReadTransaction snapshot(db_);
  std::unordered_set<Uuid> seen;
  std::vector<Memory> out;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    if (auto memory = load(id)) out.push_back(std::move(*memory));
  }
  return out;
}

Memory SqliteMemoryStore::update(const Memory& memory) {
  require_id(memory.id, "update needs the memory's id; id");
  validate_memory(memory);
  std::lock_guard lock(mutex_);
  return write([&] {
    Memory stored = memory;
    bool embedding_changed = false;
    {
      auto current =
          statements_.get("SELECT created_at, embedding FROM knowledge_nodes WHERE id = ?1");
      current->bind(1, memory.id.to_string());
      if (!current->step()) {
        throw Error(ErrorCode::kNotFound,
                    fmt::format("no memory with id {} to update", memory.id.to_string()));
      }
      stored.created_at = time_column(*current, 0);
      embedding_changed = current->is_null(1)
                              ? memory.embedding.has_value()
                              : !same_vector(current->column_blob(1), memory.embedding);
    }
    if (embedding_changed && memory.embedding) require_model(memory.embedding->size(), true);
    require_user(stored.owner_user_id);
    stored.updated_at = now_utc();
    auto stmt = statements_.get(
        fmt::format(kUpdateMemory, embedding_changed ? ", embedding = :embedding" : ""));
    bind_memory(*stmt, stored);
    if (embedding_changed) {
      bind_embedding(*stmt, stmt->parameter_index(":embedding"), stored.embedding);
    }
    stmt->run();
    return stored;
  });
}

EngineStateWrite SqliteMemoryStore::update_engine_state(
    std::span<const EngineStateUpdate> updates) {
  for (const auto& update : updates) {
    require_id(update.id, "update_engine_state needs every memory's id; id");
    validate_engine_state(update.engine);
  }
  if (updates.empty()) return {};
  std::lock_guard lock(mutex_);
  return write([&] {
    EngineStateWrite result;
    result.updated_at = now_utc();
    const std::string updated_at = format_timestamp(result.updated_at);
    // In order, so that a repeated id ends with its last entry.
    std::unordered_set<Uuid> written;
    std::unordered_set<Uuid> missing;
    for (const auto& update : updates) {
      auto stmt = statements_.get(kUpdateEngineState);
      stmt->bind(stmt->parameter_index(":id"), update.id.to_string())
          .bind(stmt->parameter_index(":updated_at"), updated_at);
      bind_engine_state(*stmt, update.engine);
      stmt->run();
      if (db_.changes() > 0) {
        written.insert(update.id);
      } else if (missing.insert(update.id).second) {
        result.missing.push_back(update.id);
      }
    }
    result.written = written.size();
    return result;
  });
}

bool SqliteMemoryStore::remove(const Uuid& id) {
  std::lock_guard lock(mutex_);
  return write([&] {
    // Scheduling, review events and edges go with it (ON DELETE CASCADE).
    auto stmt = statements_.get("DELETE FROM knowledge_nodes WHERE id = ?1");
    stmt->bind(1, id.to_string());
    stmt->run();
    return db_.changes() > 0;
  });
}

}  // namespace vestige::sqlite
