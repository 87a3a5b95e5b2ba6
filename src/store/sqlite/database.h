#pragma once

// RAII wrappers over the SQLite C API: a connection, prepared statements and
// transactions. Every failure throws vestige::Error with SQLite's message.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vestige/error.h"

namespace vestige::sqlite {

class Database;

// Thrown (code kBackend) instead of a plain Error when SQLite answers
// SQLITE_BUSY or SQLITE_LOCKED: another connection held a lock past the busy
// timeout, or a case the busy handler does not cover (WAL recovery, a stale
// snapshot). The transaction was not applied and may be retried as a whole.
class BusyError : public Error {
 public:
  using Error::Error;
};

// A prepared statement. Parameters are 1-based, columns 0-based (as in SQLite).
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::nullptr_t);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind_blob(int index, std::span<const std::byte> blob);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }
  // Index of a named parameter (":name"); throws kBackend when absent.
  int parameter_index(const char* name) const;

  // Runs to the next row: true when a row is available, false when done.
  bool step();
  // Steps until done, for statements that return no rows.
  void run();
  // Makes the statement ready to run again; bindings are cleared.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  std::span<const std::byte> column_blob(int column) const;  // valid until the next step/reset
  int column_count() const;

  sqlite3_stmt* handle() const { return stmt_; }

 private:
  void check(int rc) const;
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

struct DatabaseOptions {
  bool read_only = false;
  bool create = true;  // create the file (mode 0600) when missing
  // How long a writer waits for another connection's write lock before the
  // operation fails. Long on purpose: several MCP servers sharing one file is
  // the normal case, and waiting is better than "database is locked".
  int busy_timeout_ms = 30000;
};

// One connection. Opened in WAL mode with foreign keys on and the busy
// timeout set. Not thread-safe by itself: the owner serialises access.
class Database {
 public:
  static Database open(const std::filesystem::path& path, const DatabaseOptions& options = {});
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(*this, sql); }

  std::int64_t last_insert_rowid() const;
  int changes() const;
  // Changes whenever another connection commits to this database file
  // (PRAGMA data_version): a cheap way to know caches may be stale.
  std::int64_t data_version();
  const std::filesystem::path& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Throws Error(kBackend) (kInvalidInput for constraint violations,
  // BusyError for SQLITE_BUSY / SQLITE_LOCKED) with SQLite's message, prefixed
  // with `context`, unless rc is OK/ROW/DONE.
  void check(int rc, std::string_view context) const;

 private:
  Database(sqlite3* db, std::filesystem::path path);
  sqlite3* db_ = nullptr;
  // Prepared on first use and kept: data_version() runs before every search,
  // and preparing the pragma each time cost more than running it. A raw
  // handle rather than a Statement, which would point at this object and
  // dangle when the Database is moved.
  sqlite3_stmt* data_version_stmt_ = nullptr;
  std::filesystem::path path_;
};

// A write transaction. BEGIN IMMEDIATE takes the write lock up front, so the
// busy timeout applies; a deferred transaction that upgrades from read to
// write can fail at once with SQLITE_BUSY, which is exactly the "database is
// locked" users of other memory servers see. Rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& db);
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// A read transaction: a consistent snapshot across several statements.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();

 private:
  Database& db_;
};

// float32 vectors are stored as little-endian blobs (the in-memory layout on
// every platform Vestige builds for).
std::span<const std::byte> as_blob(std::span<const float> vector);
std::vector<float> floats_from_blob(std::span<const std::byte> blob);

}  // namespace vestige::sqlite
