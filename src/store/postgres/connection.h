#pragma once

// RAII wrappers over libpq: a connection with its own prepared statements, a
// result, and statement parameters. Every failure throws SqlError (an
// Error(kBackend)) carrying the server's SQLSTATE, so callers can turn the few
// states they expect (a unique or foreign key violation) into their own codes.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vestige/error.h"

namespace vestige::postgres {

// SQLSTATEs the store reacts to.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kInsufficientPrivilege = "42501";

class SqlError : public Error {
 public:
  SqlError(std::string sqlstate, const std::string& message, bool stale_plan = false)
      : Error(ErrorCode::kBackend, message),
        sqlstate_(std::move(sqlstate)),
        stale_plan_(stale_plan) {}
  // Five characters, or empty when the failure was not a server error (a lost
  // connection, a protocol failure).
  const std::string& sqlstate() const { return sqlstate_; }
  // A prepared statement outlived a change of the columns it returns ("cached
  // plan must not change result type"): another process registered the
  // embedding model, which gives the embedding column its dimension. The
  // statement is prepared afresh on its next use, so running the unit of
  // work again succeeds.
  bool stale_plan() const { return stale_plan_; }

 private:
  std::string sqlstate_;
  bool stale_plan_;
};

// Statement parameters: text values (or NULL), plus pgvector's binary format
// for vectors, which carries every float bit for bit.
class Params {
 public:
  Params& text(std::string value);
  Params& null();
  Params& optional_text(const std::optional<std::string>& value);
  Params& number(double value);
  Params& integer(std::int64_t value);
  Params& boolean(bool value);
  // pgvector's binary input: int16 dimension, int16 unused, float4 values,
  // big-endian. The statement must cast the parameter ($n::vector).
  Params& vector(std::span<const float> values);
  Params& optional_vector(const std::optional<std::vector<float>>& values);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& add(std::optional<std::string> value, bool binary);

  // Stable addresses: a deque-like list of strings owned here.
  std::vector<std::unique_ptr<std::string>> values_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One statement's result, text format.
class Result {
 public:
  explicit Result(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  double number(int row, int column) const;
  bool boolean(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One server connection. Not thread-safe: the pool hands it to one thread at a
// time.
class Connection {
 public:
  // Connects with application_name=vestige and the session settings the store
  // relies on (UTC). Throws Error(kInit) with an operator-grade message when
  // the server cannot be reached or refuses the credentials; `where` names
  // the server in it (the URL with its password masked).
  static std::unique_ptr<Connection> open(const std::string& conninfo, const std::string& where);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with parameters, prepared once per connection and
  // reused after that.
  Result exec(std::string_view sql, const Params& params = {});
  // The same without keeping a prepared statement: for statements whose
  // text varies (a multi-row INSERT of however many rows a batch has), which
  // would otherwise pile up prepared statements on the server.
  Result exec_unprepared(std::string_view sql, const Params& params);
  // Runs a script of several statements without parameters (migrations,
  // transaction control).
  void exec_script(std::string_view sql);

  // True once the connection is known to be unusable (the server went away).
  bool broken() const;
  // Statements that succeeded since the last reset: zero means a failure hit
  // the first statement of a unit of work, before anything reached the server.
  int succeeded() const { return succeeded_; }
  void reset_counter() { succeeded_ = 0; }

  PGconn* handle() { return conn_; }
  int server_version() const { return PQserverVersion(conn_); }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  // Throws SqlError for a failed statement (and frees `result`).
  [[noreturn]] void fail(PGresult* result, bool stale_plan = false);
  Result check(PGresult* result);

  PGconn* conn_;
  std::string name_prefix_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  std::uint64_t statements_named_ = 0;
  int succeeded_ = 0;
};

// `{"a","b\"c"}`: a text[] literal whose elements are taken literally.
std::string array_literal(std::span<const std::string> values);

// The SELECT expression that reads a timestamptz column as RFC 3339 UTC text,
// whatever the session's TimeZone and DateStyle.
std::string utc_text(std::string_view column);

}  // namespace vestige::postgres
