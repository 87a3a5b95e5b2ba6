#include "store/sqlite/database.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

namespace vestige::sqlite {

namespace {

bool is_constraint(int rc) {
  return (rc & 0xff) == SQLITE_CONSTRAINT;
}

bool is_busy(int rc) {
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

[[noreturn]] void throw_sqlite_error(int rc, const std::string& message) {
  if (is_busy(rc)) throw BusyError(ErrorCode::kBackend, message);
  throw Error(is_constraint(rc) ? ErrorCode::kInvalidInput : ErrorCode::kBackend, message);
}

// Creates the file with mode 0600 before SQLite does, so memories are never
// readable by other users, not even for the instant before a chmod.
void create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorCode::kInit, fmt::format("cannot create the database file {}: {}",
                                              path.string(), std::strerror(errno)));
  }
  ::close(fd);
}

}  // namespace

// ---- Statement --------------------------------------------------------------

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  db.check(rc, "preparing a statement");
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::check(int rc) const {
  db_->check(rc, "binding a parameter");
}

Statement& Statement::bind(int index, std::nullptr_t) {
  check(sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::byte> blob) {
  check(sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT));
  return *this;
}

int Statement::parameter_index(const char* name) const {
  const int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0) {
    throw Error(ErrorCode::kBackend, fmt::format("statement has no parameter {}", name));
  }
  return index;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The error is reported by sqlite3_reset in the v2 interface, but the
  // connection's message is already set; reset so the statement is reusable.
  sqlite3_reset(stmt_);
  db_->check(rc, "running a statement");
  return false;
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

std::span<const std::byte> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return {data, static_cast<std::size_t>(size)};
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

// ---- Database ---------------------------------------------------------------

namespace {

// Switching a new file to WAL needs the exclusive lock. When several
// processes open the same new file at once, SQLite may answer SQLITE_BUSY at
// once instead of waiting in the busy handler (waiting could deadlock two
// connections that each hold a shared lock), so the switch is retried here,
// within the same busy timeout.
void switch_to_wal(sqlite3* db, int busy_timeout_ms) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, &message);
    const std::string reason = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      throw_sqlite_error(rc, fmt::format("SQLite error: {}", reason));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Database Database::open(const std::filesystem::path& path, const DatabaseOptions& options) {
  if (!options.read_only && options.create && !std::filesystem::exists(path)) {
    create_private_file(path);
  }
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);
  if (rc != SQLITE_OK) {
    throw Error(ErrorCode::kInit,
                fmt::format("cannot open the SQLite database {}: {}", path.string(),
                            raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  // The busy timeout must be in place before anything that takes a lock,
  // including switching the journal mode.
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  try {
    if (!options.read_only) {
      switch_to_wal(raw, options.busy_timeout_ms);
      // NORMAL is durable across application crashes in WAL mode; only an OS
      // crash or power loss can lose the last transactions.
      db.exec("PRAGMA synchronous = NORMAL");
    }
    db.exec("PRAGMA foreign_keys = ON");
    // Search reads rows scattered over the file (each carries its vector, so
    // few share a page). Mapping the file saves a copy per page read, and a
    // larger page cache keeps the hot rows of a big store in memory; both
    // only use memory as pages are touched.
    db.exec("PRAGMA mmap_size = 1073741824");
    db.exec("PRAGMA cache_size = -65536");
  } catch (const Error& e) {
    throw Error(ErrorCode::kInit,
                fmt::format("cannot open the SQLite database {}: {}", path.string(), e.what()));
  }
  return db;
}

Database::Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      data_version_stmt_(std::exchange(other.data_version_stmt_, nullptr)),
      path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(data_version_stmt_);
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    data_version_stmt_ = std::exchange(other.data_version_stmt_, nullptr);
  }
  return *this;
}

Database::~Database() {
  sqlite3_finalize(data_version_stmt_);
  sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string reason = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw_sqlite_error(rc, fmt::format("SQLite error: {}", reason));
  }
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

std::int64_t Database::data_version() {
  if (data_version_stmt_ == nullptr) {
    check(sqlite3_prepare_v3(db_, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
                             &data_version_stmt_, nullptr),
          "preparing PRAGMA data_version");
  }
  const int rc = sqlite3_step(data_version_stmt_);
  const std::int64_t version = sqlite3_column_int64(data_version_stmt_, 0);
  // Reset at once: a statement left mid-run would hold a read snapshot open.
  sqlite3_reset(data_version_stmt_);
  check(rc, "reading PRAGMA data_version");
  return version;
}

void Database::check(int rc, std::string_view context) const {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw_sqlite_error(rc, fmt::format("SQLite error while {}: {}", context, sqlite3_errmsg(db_)));
}

// ---- Transactions -----------------------------------------------------------

WriteTransaction::WriteTransaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  db_.exec("BEGIN DEFERRED");
}

ReadTransaction::~ReadTransaction() {
  sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr);
}

// ---- Vectors ----------------------------------------------------------------

std::span<const std::byte> as_blob(std::span<const float> vector) {
  return std::as_bytes(vector);
}

std::vector<float> floats_from_blob(std::span<const std::byte> blob) {
  if (blob.size() % sizeof(float) != 0) {
    throw Error(ErrorCode::kBackend,
                fmt::format("a stored embedding has {} bytes, not a whole number of float32 "
                            "values; the database is damaged",
                            blob.size()));
  }
  std::vector<float> out(blob.size() / sizeof(float));
  std::memcpy(out.data(), blob.data(), blob.size());
  return out;
}

}  // namespace vestige::sqlite
