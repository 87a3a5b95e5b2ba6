#pragma once

// The backend-neutral half of the schema migration runner (postgres.md,
// "Migration runner"). Migrations are numbered SQL scripts embedded in the
// binary, NNNN_name.up.sql and NNNN_name.down.sql, applied in order, each in
// its own transaction together with its row in the ledger table
//
//   schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
//                      checksum TEXT NOT NULL, applied_at TEXT NOT NULL,
//                      success INTEGER NOT NULL)
//
// This file decides what to run and what the ledger means; a backend only
// supplies a MigrationBackend: read the ledger, and run a script plus a ledger
// change in one transaction. So `vestige db status|migrate|revert` behave and
// read the same on SQLite and PostgreSQL.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/clock.h"
#include "vestige/embedded_file.h"
#include "vestige/memory_store.h"

namespace vestige {

struct Migration {
  int version = 0;
  std::string name;       // "initial" for 0001_initial.up.sql
  std::string_view up;    // points into the embedded file
  std::string_view down;  // points into the embedded file
  std::string checksum;   // lowercase hex SHA-256 of `up`

  // "0001_initial", as the files are named.
  std::string label() const;
};

// One row of the ledger.
struct LedgerRow {
  int version = 0;
  std::string name;
  std::string checksum;
  Timestamp applied_at{};
  bool success = true;

  friend bool operator==(const LedgerRow&, const LedgerRow&) = default;
};

// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

// The ledger operations a backend runs inside one transaction.
class MigrationTransaction {
 public:
  virtual ~MigrationTransaction() = default;
  // The ledger row of `version` as seen inside this transaction.
  virtual std::optional<LedgerRow> ledger_row(int version) = 0;
  // Runs a migration script (several statements, no transaction control).
  virtual void execute(std::string_view script) = 0;
  // Inserts the row, replacing one of the same version.
  virtual void write_ledger_row(const LedgerRow& row) = 0;
  virtual void delete_ledger_row(int version) = 0;
};

// What a backend supplies to the runner.
class MigrationBackend {
 public:
  virtual ~MigrationBackend() = default;
  // Every ledger row, ascending by version; empty when there is no ledger yet.
  virtual std::vector<LedgerRow> read_ledger() = 0;
  // Runs `work` in one transaction that holds the lock serialising schema
  // changes across connections and processes, creating the ledger table first
  // if needed. Commits when `work` returns; rolls back and rethrows when it
  // throws.
  virtual void transaction(const std::function<void(MigrationTransaction&)>& work) = 0;
};

// The migrations shipped in this build, validated, ascending by version.
class MigrationSet {
 public:
  // Parses embedded files named NNNN_name.up.sql / NNNN_name.down.sql. Throws
  // Error(kInit) when a name does not follow the pattern, an up script has no
  // down script (or the reverse), a version repeats, or versions are not
  // contiguous from 1: all of them mistakes in the build, not in the database.
  static MigrationSet parse(std::span<const EmbeddedFile> files);

  const std::vector<Migration>& migrations() const { return migrations_; }
  // The newest shipped version (0 when none are shipped).
  int latest_version() const;
  const Migration* find(int version) const;

  // The schema version the ledger describes: the highest version such that it
  // and every version below it were applied successfully.
  static int current_version(std::span<const LedgerRow> ledger);

  // Every shipped migration with its ledger state (`applied` means the ledger
  // has a row, `success` whether that row records a success), then any ledger
  // rows of versions this build does not ship (a newer Vestige migrated the
  // database; checksum_ok is false since there is no script to compare with).
  std::vector<MigrationStatus> status(std::span<const LedgerRow> ledger) const;

  // Throws Error(kInit) when the ledger records a failed migration, a
  // checksum that differs from the shipped script, a version this build does
  // not know, or a gap; the message says what to do. Otherwise returns.
  void check_ledger(std::span<const LedgerRow> ledger) const;

  // The part of check_ledger about each row on its own (a known version,
  // applied successfully, from the shipped script), for rows read without
  // the rest of the ledger.
  void check_rows(std::span<const LedgerRow> rows) const;

  // The part of check_ledger that revert needs too: Error(kInit) when the
  // ledger holds a version this build does not ship.
  void reject_unknown_versions(std::span<const LedgerRow> ledger) const;

 private:
  std::vector<Migration> migrations_;
};

// Runs a MigrationSet against one database through its backend.
class MigrationRunner {
 public:
  // Both must outlive the runner.
  MigrationRunner(const MigrationSet& set, MigrationBackend& backend);

  std::vector<MigrationStatus> status();

  // The ledger's schema version after check_ledger passed (kInit otherwise).
  int checked_version();

  // Applies pending migrations up to `target` (every one when nullopt), each
  // in its own transaction, and returns the versions applied. A target at or
  // below the current version applies nothing. kInvalidInput for a target
  // this build does not ship; kInit when the ledger is not usable
  // (check_ledger). When a script fails, its transaction is rolled back, a
  // failed ledger row (success = 0) is recorded in a separate transaction and
  // Error(kInit) names the migration and the database's error.
  // A migration another process applied meanwhile is skipped, so concurrent
  // starts are safe.
  std::vector<int> migrate(std::optional<int> target);

  // Runs down scripts newest first until the schema is at `target`, each in a
  // transaction that also deletes the migration's ledger row, and returns the
  // versions reverted. A failed ledger row above `target` is removed without
  // running its down script, since its up script was rolled back. kInvalidInput
  // for a target below 0 or above the latest shipped version; kInit when the
  // ledger holds versions this build does not ship.
  std::vector<int> revert(int target);

 private:
  void apply(const Migration& migration, std::vector<int>& applied);

  const MigrationSet& set_;
  MigrationBackend& backend_;
};

}  // namespace vestige
