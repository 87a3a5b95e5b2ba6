#include "store/postgres/connection.h"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <random>

namespace vestige::postgres {

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// What an operator should do about a failed connection attempt, from libpq's
// message (it carries no SQLSTATE before the session exists).
std::string connect_advice(std::string_view message) {
  if (contains(message, "password authentication failed") ||
      contains(message, "authentication failed") || contains(message, "no password supplied") ||
      (contains(message, "role \"") && contains(message, "does not exist"))) {
    return "the server refused the credentials: check the user name and password in [storage."
           "postgres] url (or the PGPASSWORD / ~/.pgpass the URL relies on), and that pg_hba.conf "
           "lets this user connect";
  }
  if (contains(message, "database \"") && contains(message, "does not exist")) {
    return "the database does not exist: create it (createdb, or CREATE DATABASE as a superuser) "
           "or fix the database name in [storage.postgres] url";
  }
  if (contains(message, "Connection refused") || contains(message, "could not translate host") ||
      contains(message, "timeout expired") || contains(message, "No route to host") ||
      contains(message, "Network is unreachable") || contains(message, "No such file")) {
    return "the server is unreachable: check that PostgreSQL is running, that the host and port "
           "in [storage.postgres] url are right, and that no firewall blocks the port";
  }
  return "check [storage.postgres] url and that the server accepts connections from this host";
}

}  // namespace

// ---- Params -----------------------------------------------------------------

Params& Params::add(std::optional<std::string> value, bool binary) {
  if (value) {
    values_.push_back(std::make_unique<std::string>(std::move(*value)));
    pointers_.push_back(values_.back()->data());
    lengths_.push_back(static_cast<int>(values_.back()->size()));
  } else {
    values_.push_back(nullptr);
    pointers_.push_back(nullptr);
    lengths_.push_back(0);
  }
  formats_.push_back(binary ? 1 : 0);
  return *this;
}

Params& Params::text(std::string value) {
  return add(std::move(value), false);
}
Params& Params::null() {
  return add(std::nullopt, false);
}
Params& Params::optional_text(const std::optional<std::string>& value) {
  return add(value, false);
}
Params& Params::number(double value) {
  // Shortest text that reads back as the same double.
  return add(fmt::format("{}", value), false);
}
Params& Params::integer(std::int64_t value) {
  return add(std::to_string(value), false);
}
Params& Params::boolean(bool value) {
  return add(value ? "true" : "false", false);
}

Params& Params::vector(std::span<const float> values) {
  std::string bytes;
  bytes.reserve(4 + 4 * values.size());
  const auto put16 = [&bytes](std::uint16_t v) {
    bytes += static_cast<char>(v >> 8);
    bytes += static_cast<char>(v & 0xff);
  };
  put16(static_cast<std::uint16_t>(values.size()));
  put16(0);
  for (const float f : values) {
    const auto bits = std::bit_cast<std::uint32_t>(f);
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((bits >> shift) & 0xff);
  }
  return add(std::move(bytes), true);
}

Params& Params::optional_vector(const std::optional<std::vector<float>>& values) {
  return values ? vector(*values) : add(std::nullopt, true);
}

// ---- Result -----------------------------------------------------------------

std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return std::string(text(row, column));
}

std::int64_t Result::integer(int row, int column) const {
  const auto t = text(row, column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) {
    throw Error(ErrorCode::kBackend,
                fmt::format("expected an integer from PostgreSQL, got \"{}\"", t));
  }
  return value;
}

double Result::number(int row, int column) const {
  const auto t = text(row, column);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) {
    throw Error(ErrorCode::kBackend,
                fmt::format("expected a number from PostgreSQL, got \"{}\"", t));
  }
  return value;
}

bool Result::boolean(int row, int column) const {
  return text(row, column) == "t";
}

std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::stoll(n) : 0;
}

// ---- Connection -------------------------------------------------------------

std::unique_ptr<Connection> Connection::open(const std::string& conninfo,
                                             const std::string& where) {
  // Keywords after the URL or conninfo override what it says, so Vestige's
  // connections are always recognisable in pg_stat_activity.
  const char* keywords[] = {"dbname", "application_name", "options", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), "vestige", "-c TimeZone=UTC", "10", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) throw Error(ErrorCode::kInit, "libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    throw Error(ErrorCode::kInit, fmt::format("cannot connect to PostgreSQL at {}: {}; {}", where,
                                              message, connect_advice(message)));
  }
  // Server notices ("relation already exists, skipping") would go to stderr,
  // which MCP clients show to users; they carry nothing to act on.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  auto out = std::unique_ptr<Connection>(new Connection(conn));
  // Statement names only need to be unique per session, but some servers
  // that speak the protocol (PGlite) share one session between connections,
  // so every connection names its statements with a random prefix.
  std::random_device random;
  out->name_prefix_ = fmt::format("{:08x}{:08x}", random(), random());
  return out;
}

Connection::~Connection() {
  PQfinish(conn_);
}

bool Connection::broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

void Connection::fail(PGresult* result, bool stale_plan) {
  std::string sqlstate;
  std::string message;
  if (result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    sqlstate = state ? state : "";
    message = trimmed(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  if (broken()) {
    throw SqlError(sqlstate, fmt::format("the connection to PostgreSQL was lost ({}); the pool "
                                         "replaces it, so retrying the operation should work once "
                                         "the server is back",
                                         message));
  }
  throw SqlError(
      sqlstate,
      fmt::format("PostgreSQL error{}: {}", sqlstate.empty() ? "" : " " + sqlstate, message),
      stale_plan);
}

Result Connection::check(PGresult* result) {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result);
  ++succeeded_;
  return Result(result);
}

namespace {

bool is_stale_plan(const PGresult* result) {
  if (result == nullptr || PQresultStatus(result) != PGRES_FATAL_ERROR) return false;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  return state && std::string_view(state) == "0A000" && primary &&
         std::string_view(primary).starts_with("cached plan must not change result type");
}

}  // namespace

Result Connection::exec(std::string_view sql, const Params& params) {
  const std::string key(sql);
  for (int attempt = 1;; ++attempt) {
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      // Names are never reused, so a statement given up below cannot clash
      // with a new one.
      const std::string name = fmt::format("vestige_{}_{}", name_prefix_, ++statements_named_);
      PGresult* prepared = PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr);
      if (!prepared || PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared);
      PQclear(prepared);
      it = prepared_.emplace(key, name).first;
    }
    PGresult* result = PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(),
                                      params.lengths(), params.formats(), 0);
    if (is_stale_plan(result)) {
      // Every statement of this connection is prepared afresh from now on,
      // so that a unit of work run again cannot meet another stale one. The
      // old statements stay on the server (they cannot be closed inside a
      // failed transaction); this happens once per model registration.
      prepared_.clear();
      // Outside a transaction the failed statement ran alone and changed
      // nothing: run it again. Inside one, the caller's transaction is lost;
      // the pool runs the whole unit of work again (Pool::run).
      if (attempt == 1 && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
        PQclear(result);
        continue;
      }
      fail(result, /*stale_plan=*/true);
    }
    return check(result);
  }
}

Result Connection::exec_unprepared(std::string_view sql, const Params& params) {
  const std::string text(sql);
  return check(PQexecParams(conn_, text.c_str(), params.size(), nullptr, params.values(),
                            params.lengths(), params.formats(), 0));
}

void Connection::exec_script(std::string_view sql) {
  const std::string text(sql);
  check(PQexec(conn_, text.c_str()));
}

std::string array_literal(std::span<const std::string> values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string utc_text(std::string_view column) {
  return fmt::format(R"(to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))", column);
}

}  // namespace vestige::postgres
