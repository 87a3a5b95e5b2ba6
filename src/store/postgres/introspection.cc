// MemoryStore's stats, health and export pages.

#include <fmt/format.h>

#include <cmath>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/rows.h"
#include "vestige/fsrs.h"

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

RetentionSummary PgMemoryStore::retention_summary(const RetentionModel& model, Timestamp now) {
  // The whole model in one statement, so that a summary of any number of
  // memories is one row on the wire. A reviewed memory's stability is clamped
  // like the engine clamps it; the reference time is the later of (last
  // review, else creation) and the last access (GREATEST skips NULLs).
  const Result r = pool_->run([&](Connection& conn) {
    return conn.exec(
        R"sql(
      WITH inputs AS (
        SELECT n.storage_strength AS storage,
               CASE WHEN s.last_review IS NOT NULL
                    THEN LEAST(GREATEST(s.stability, $2::float8), $3::float8)
                    ELSE $4::float8 END AS stability,
               (extract(epoch FROM $1::timestamptz
                  - GREATEST(coalesce(s.last_review, n.created_at), n.last_accessed_at))
                / 86400.0)::float8 AS days
        FROM knowledge_nodes n LEFT JOIN scheduling s ON s.memory_id = n.id
      ), retention AS (
        SELECT $5::float8 * LEAST(GREATEST(
                 CASE WHEN days <= 0 THEN 1.0
                      WHEN stability <= 0 THEN 0.0
                      ELSE power(1.0 + $6::float8 * days / stability, -$7::float8) END,
                 0.0), 1.0)
               + $8::float8 * LEAST(GREATEST(storage / $9::float8, 0.0), 1.0) AS value
        FROM inputs
      )
      SELECT count(*), coalesce(avg(value), 0),
             count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 1),
             count(*) FILTER (WHERE state = 2), count(*) FILTER (WHERE state = 3)
      FROM (SELECT value,
                   CASE WHEN value > $10::float8 THEN 0
                        WHEN value > $11::float8 THEN 1
                        WHEN value > $12::float8 THEN 2
                        ELSE 3 END AS state
            FROM retention) states
    )sql",
        Params()
            .text(format_timestamp(now))
            .number(fsrs::kMinStability)
            .number(fsrs::kMaxStability)
            .number(model.unscheduled_stability_days)
            .number(model.retrieval_weight)
            .number(std::pow(fsrs::kDesiredRetention, -1.0 / fsrs::kDefaultWeights[20]) - 1.0)
            .number(fsrs::kDefaultWeights[20])
            .number(model.storage_weight)
            .number(model.storage_saturation)
            .number(model.active_above)
            .number(model.dormant_above)
            .number(model.silent_above));
  });
  RetentionSummary summary;
  summary.memories = r.integer(0, 0);
  summary.mean = r.number(0, 1);
  for (std::size_t i = 0; i < summary.by_state.size(); ++i) {
    summary.by_state[i] = r.integer(0, static_cast<int>(i) + 2);
  }
  return summary;
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
