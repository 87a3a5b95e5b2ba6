#pragma once

// Schema migrations of a PostgreSQL database: the PostgreSQL half of the
// runner in store/migration_set.h, over the scripts in
// store/postgres/migrations/, plus the checks that run before them.
//
// Startup order (postgres.md): migration 1 -> register the model (which gives
// the embedding column its dimension) -> the remaining migrations, since the
// HNSW index of migration 2 needs a dimensioned column.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/migration_set.h"
#include "store/postgres/pool.h"
#include "vestige/memory_store.h"

namespace vestige::postgres {

// The migrations shipped in this build, parsed once (immutable afterwards).
const MigrationSet& postgres_migrations();

// The last migration that can run before a model is registered.
inline constexpr int kLastVersionWithoutModel = 1;

// The lowest pgvector release with HNSW indexes, and the one with iterative
// index scans (used when present).
inline constexpr int kMinimumPgvector = 500;        // 0.5.0
inline constexpr int kIterativeScanPgvector = 800;  // 0.8.0

// "0.8.7" -> 807; nullopt when it does not parse.
std::optional<int> parse_extension_version(std::string_view version);

// Ledger and transactions over a pool. Every migration transaction takes a
// transaction-level advisory lock first, so schema changes from several
// processes queue instead of racing.
class PgMigrationBackend : public MigrationBackend {
 public:
  explicit PgMigrationBackend(Pool& pool) : pool_(pool) {}
  std::vector<LedgerRow> read_ledger() override;
  void transaction(const std::function<void(MigrationTransaction&)>& work) override;

 private:
  Pool& pool_;
};

// What the server offers, checked before anything is migrated.
struct ServerInfo {
  std::string server_version;    // "PostgreSQL 16.4"
  std::string pgvector_version;  // installed version, "0.8.0"
  int pgvector = 0;              // 800
};

// Checks the server Vestige is about to use and returns what it found.
// Error(kInit) saying what to do when: the vector extension is not available
// on the server, is older than 0.5.0, is not installed and this role may not
// create it, or this role may not create tables in schema public while the
// schema still needs migrating.
ServerInfo check_server(Pool& pool, bool needs_migration);

// The server and pgvector versions as installed (no checks).
ServerInfo server_info(Pool& pool);

// The dimension of knowledge_nodes.embedding, or nullopt while it is plain
// `vector`.
std::optional<int> embedding_column_dimension(Connection& conn);

// Brings the schema up to date in the startup order: migration 1, then, when
// a model is registered, the column's dimension and the remaining migrations.
// With migrate = false, checks instead and throws Error(kInit) naming
// `vestige db migrate` when the schema is behind.
void prepare_schema(Pool& pool, bool migrate);

// After a model was registered: applies the migrations that waited for it.
void apply_model_migrations(Pool& pool);

// `vestige db status|migrate|revert` for one PostgreSQL database.
class PgSchemaAdmin : public SchemaAdmin {
 public:
  explicit PgSchemaAdmin(PoolOptions options);
  std::vector<MigrationStatus> status() override;
  // Migrations past version 1 need a registered model; without one they stay
  // pending (an explicit target past 1 is Error(kInit) saying so).
  std::vector<int> migrate(std::optional<int> target) override;
  std::vector<int> revert(int target) override;

 private:
  Pool pool_;
  PgMigrationBackend backend_;
  MigrationRunner runner_;
};

}  // namespace vestige::postgres
