// MemoryStore's stats, health and export pages.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_memory_store.h"
#include "vestige/fsrs.h"

namespace vestige::sqlite {

namespace {

std::int64_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

// The retention of one memory under `model` (RetentionModel in types.h):
// `stability` is already the reviewed memory's clamped stability or the
// model's unscheduled one, `days` the time since its reference time.
double retention_of(const RetentionModel& model, double storage, double stability, double days) {
  const double retrieval = std::clamp(fsrs::retrievability(stability, days), 0.0, 1.0);
  return model.retrieval_weight * retrieval +
         model.storage_weight * std::clamp(storage / model.storage_saturation, 0.0, 1.0);
}

}  // namespace

StoreStats SqliteMemoryStore::stats(Timestamp now) {
  std::lock_guard lock(mutex_);
  StoreStats s;
  s.backend = backend_name();
  s.schema_version = MigrationSet::current_version(SqliteMigrationBackend(db_).read_ledger());

  ReadTransaction snapshot(db_);
  const auto count = [this](std::string_view sql) {
    auto stmt = statements_.get(sql);
    stmt->step();
    return stmt->column_int64(0);
  };
  {
    auto stmt = statements_.get("SELECT count(*), count(embedding) FROM knowledge_nodes");
    stmt->step();
    s.memories = stmt->column_int64(0);
    s.memories_with_embedding = stmt->column_int64(1);
  }
  {
    auto stmt =
        statements_.get("SELECT node_type, count(*) FROM knowledge_nodes GROUP BY node_type");
    while (stmt->step()) s.by_node_type[stmt->column_text(0)] = stmt->column_int64(1);
  }
  {
    auto stmt = statements_.get(
        "SELECT count(*), count(*) FILTER (WHERE next_review <= ?1) FROM scheduling");
    stmt->bind(1, format_timestamp(now));
    stmt->step();
    s.scheduled = stmt->column_int64(0);
    s.due_now = stmt->column_int64(1);
  }
  s.review_events = count("SELECT count(*) FROM review_events");
  s.edges = count("SELECT count(*) FROM edges");
  s.domains = count("SELECT count(*) FROM domains");
  s.model = read_registry();
  const auto& path = db_.path();
  s.storage_bytes = file_size_or_zero(path) + file_size_or_zero(path.string() + "-wal");
  return s;
}

RetentionSummary SqliteMemoryStore::retention_summary(const RetentionModel& model, Timestamp now) {
  std::lock_guard lock(mutex_);
  ReadTransaction snapshot(db_);
  // Three numbers per memory, read in one pass: SQLite computes the elapsed
  // days (julianday, millisecond precision) and this loop the power curve,
  // since SQLite's math functions are a compile-time option. Columns after
  // the embedding blob are read without copying the blob or parsing JSON.
  auto stmt = statements_.get(R"sql(
    SELECT n.storage_strength,
           s.last_review IS NOT NULL,
           s.stability,
           julianday(?1) - max(julianday(coalesce(s.last_review, n.created_at)),
                               coalesce(julianday(n.last_accessed_at), -1e300))
    FROM knowledge_nodes n LEFT JOIN scheduling s ON s.memory_id = n.id
  )sql");
  stmt->bind(1, format_timestamp(now));
  RetentionSummary summary;
  double sum = 0.0;
  while (stmt->step()) {
    const double stability =
        stmt->column_int64(1) != 0
            ? std::clamp(stmt->column_double(2), fsrs::kMinStability, fsrs::kMaxStability)
            : model.unscheduled_stability_days;
    const double r = retention_of(model, stmt->column_double(0), stability, stmt->column_double(3));
    sum += r;
    ++summary.memories;
    ++summary.by_state[r > model.active_above    ? 0
                       : r > model.dormant_above ? 1
                       : r > model.silent_above  ? 2
                                                 : 3];
  }
  if (summary.memories > 0) summary.mean = sum / static_cast<double>(summary.memories);
  return summary;
}

HealthReport SqliteMemoryStore::health() {
  HealthReport report;
  report.backend = backend_name();
  report.server_version = std::string("SQLite ") + sqlite3_libversion();
  const auto problem = [&report](HealthStatus status, std::string text) {
    if (status > report.status) report.status = status;
    report.problems.push_back(std::move(text));
  };
  try {
    std::lock_guard lock(mutex_);
    // Reading the schema table touches the file header and the first page: a
    // cheap proof that the file is there, readable and a database. A full
    // PRAGMA quick_check reads every page, which is too slow for a probe.
    db_.exec("SELECT count(*) FROM sqlite_schema");
    const auto ledger = SqliteMigrationBackend(db_).read_ledger();
    report.schema_version = MigrationSet::current_version(ledger);
    try {
      sqlite_migrations().check_ledger(ledger);
      const int latest = sqlite_migrations().latest_version();
      if (report.schema_version < latest) {
        problem(HealthStatus::kDegraded,
                fmt::format("the schema is at version {} but this build expects {}; run "
                            "`vestige db migrate`",
                            report.schema_version, latest));
      }
    } catch (const Error& e) {
      problem(HealthStatus::kDegraded, e.what());
    }
    report.model = read_registry();
    if (bound_ && report.model && report.model->signature != *bound_) {
      problem(HealthStatus::kDegraded,
              Error::model_mismatch(report.model->signature, *bound_).what());
    }
  } catch (const std::exception& e) {
    problem(HealthStatus::kDown,
            fmt::format("the SQLite database {} cannot be read: {}. Check that the file exists, "
                        "that this user may read it, and that it is not damaged "
                        "(sqlite3 <file> 'PRAGMA integrity_check')",
                        db_.path().string(), e.what()));
  }
  return report;
}

ExportPage SqliteMemoryStore::export_page(const std::optional<ExportCursor>& after,
                                          std::size_t limit) {
  if (limit < 1)
    throw Error(ErrorCode::kInvalidInput, "an export page needs a limit of at least 1");
  std::lock_guard lock(mutex_);
  // Keyset pagination on the (created_at, id) index. The first page starts
  // after ('', ''), which sorts before every stored time. One extra row tells
  // whether another page follows.
  auto stmt = statements_.get(fmt::format(R"sql(
    SELECT {} FROM knowledge_nodes
    WHERE (created_at, id) > (?1, ?2)
    ORDER BY created_at, id
    LIMIT ?3
  )sql",
                                          memory_columns(true)));
  stmt->bind(1, after ? format_timestamp(after->created_at) : std::string())
      .bind(2, after ? after->id.to_string() : std::string())
      .bind(3, static_cast<std::int64_t>(limit) + 1);
  ExportPage page;
  while (page.memories.size() <= limit && stmt->step()) page.memories.push_back(read_memory(*stmt));
  if (page.memories.size() > limit) {
    page.memories.pop_back();
    const Memory& last = page.memories.back();
    page.next = ExportCursor{last.created_at, last.id};
  }
  return page;
}

}  // namespace vestige::sqlite
