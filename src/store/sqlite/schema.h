#pragma once

// Schema migrations of a SQLite database: the SQLite half of the runner in
// store/migration_set.h, over the scripts in store/sqlite/migrations/.

#include <functional>
#include <optional>
#include <vector>

#include "store/migration_set.h"
#include "store/sqlite/database.h"
#include "vestige/memory_store.h"

namespace vestige::sqlite {

// The migrations shipped in this build, parsed once (immutable afterwards).
const MigrationSet& sqlite_migrations();

// The ledger and transactions of one connection. Transactions are BEGIN
// IMMEDIATE, so schema changes from several processes queue on the write lock.
class SqliteMigrationBackend : public MigrationBackend {
 public:
  explicit SqliteMigrationBackend(Database& db) : db_(db) {}
  std::vector<LedgerRow> read_ledger() override;
  void transaction(const std::function<void(MigrationTransaction&)>& work) override;

 private:
  Database& db_;
};

// The schema version of the database behind `db` after checking its ledger:
// Error(kInit) when the ledger is unusable (see MigrationSet::check_ledger).
int checked_schema_version(Database& db);

// `vestige db status|migrate|revert` for one SQLite file. Not thread-safe.
class SqliteSchemaAdmin : public SchemaAdmin {
 public:
  explicit SqliteSchemaAdmin(Database db);
  std::vector<MigrationStatus> status() override;
  std::vector<int> migrate(std::optional<int> target) override;
  std::vector<int> revert(int target) override;

 private:
  Database db_;
  SqliteMigrationBackend backend_;
  MigrationRunner runner_;
};

}  // namespace vestige::sqlite
