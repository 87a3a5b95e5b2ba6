// MemoryStore's stats, health and export pages.

#include <fmt/format.h>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/rows.h"

namespace vestige::postgres {

StoreStats PgMemoryStore::stats(Timestamp now) {
  StoreStats s;
  s.backend = backend_name();
  s.schema_version = MigrationSet::current_version(PgMigrationBackend(*pool_).read_ledger());
  pool_->transaction([&](Connection& conn) {
    // One snapshot for every count.
    conn.exec_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const Result r = conn.exec(R"sql(
      SELECT (SELECT count(*) FROM knowledge_nodes),
             (SELECT count(embedding) FROM knowledge_nodes),
             (SELECT count(*) FROM scheduling),
             (SELECT count(*) FROM scheduling WHERE next_review <= $1::timestamptz),
             (SELECT count(*) FROM review_events),
             (SELECT count(*) FROM edges),
             (SELECT count(*) FROM domains),
             pg_total_relation_size('knowledge_nodes') + pg_total_relation_size('scheduling')
               + pg_total_relation_size('edges') + pg_total_relation_size('review_events')
               + pg_total_relation_size('domains')
    )sql",
                               Params().text(format_timestamp(now)));
    s.memories = r.integer(0, 0);
    s.memories_with_embedding = r.integer(0, 1);
    s.scheduled = r.integer(0, 2);
    s.due_now = r.integer(0, 3);
    s.review_events = r.integer(0, 4);
    s.edges = r.integer(0, 5);
    s.domains = r.integer(0, 6);
    s.storage_bytes = r.integer(0, 7);
    const Result types =
        conn.exec("SELECT node_type, count(*) FROM knowledge_nodes GROUP BY node_type");
    for (int i = 0; i < types.rows(); ++i) {
      s.by_node_type[std::string(types.text(i, 0))] = types.integer(i, 1);
    }
    s.model = read_registry(conn);
  });
  return s;
}

HealthReport PgMemoryStore::health() {
  HealthReport report;
  report.backend = backend_name();
  report.server_version = server_.server_version;
  const auto problem = [&report](HealthStatus status, std::string text) {
    if (status > report.status) report.status = status;
    report.problems.push_back(std::move(text));
  };
  try {
    const auto ledger = PgMigrationBackend(*pool_).read_ledger();
    report.schema_version = MigrationSet::current_version(ledger);
    report.model = registered_model();
    try {
      postgres_migrations().check_ledger(ledger);
      // Migrations past version 1 wait for a registered model by design.
      const int expected =
          report.model ? postgres_migrations().latest_version() : kLastVersionWithoutModel;
      if (report.schema_version < expected) {
        problem(HealthStatus::kDegraded,
                fmt::format("the schema is at version {} but this build expects {}; run "
                            "`vestige db migrate`",
                            report.schema_version, expected));
      }
    } catch (const Error& e) {
      problem(HealthStatus::kDegraded, e.what());
    }
    const auto model = bound();
    if (model && report.model && report.model->signature != *model) {
      problem(HealthStatus::kDegraded,
              Error::model_mismatch(report.model->signature, *model).what());
    }
    if (pool_->timed_out_recently()) {
      problem(HealthStatus::kDegraded,
              fmt::format("the connection pool timed out recently: all {} connections were busy; "
                          "raise [storage.postgres] max_connections or look for long-running "
                          "statements in pg_stat_activity",
                          pool_->options().max_connections));
    }
  } catch (const Error& e) {
    problem(HealthStatus::kDown, fmt::format("the PostgreSQL database at {} cannot be read: {}",
                                             pool_->options().where, e.what()));
  } catch (const std::exception& e) {
    problem(HealthStatus::kDown, fmt::format("the PostgreSQL database at {} cannot be read: {}",
                                             pool_->options().where, e.what()));
  }
  return report;
}

ExportPage PgMemoryStore::export_page(const std::optional<ExportCursor>& after, std::size_t limit) {
  if (limit < 1) {
    throw Error(ErrorCode::kInvalidInput, "an export page needs a limit of at least 1");
  }
  return pool_->run([&](Connection& conn) {
    // Keyset pagination on the (created_at, id) index; one extra row tells
    // whether another page follows.
    const Result r = conn.exec(
        fmt::format(R"sql(
      SELECT {} FROM knowledge_nodes n
      WHERE $1::timestamptz IS NULL OR (n.created_at, n.id) > ($1::timestamptz, $2::uuid)
      ORDER BY n.created_at, n.id
      LIMIT $3::bigint
    )sql",
                    memory_columns(true)),
        Params()
            .optional_text(after ? std::optional(format_timestamp(after->created_at))
                                 : std::nullopt)
            .optional_text(after ? std::optional(after->id.to_string()) : std::nullopt)
            .integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30) + 1)));
    ExportPage page;
    for (int i = 0; i < r.rows(); ++i) page.memories.push_back(read_memory(r, i));
    if (page.memories.size() > limit) {
      page.memories.pop_back();
      const Memory& last = page.memories.back();
      page.next = ExportCursor{last.created_at, last.id};
    }
    return page;
  });
}

}  // namespace vestige::postgres
