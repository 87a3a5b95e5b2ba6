// MemoryStore's scheduling rows and review log.

#include <fmt/format.h>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/rows.h"

namespace vestige::postgres {

namespace {

[[noreturn]] void no_memory(const Uuid& id, std::string_view action) {
  throw Error(ErrorCode::kNotFound,
              fmt::format("cannot {}: no memory with id {}", action, id.to_string()));
}

SchedulingState scheduling_from_json(std::string_view text) {
  try {
    return json_value(text).get<SchedulingState>();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the database holds a review event whose scheduling state does not "
                            "read back ({}); it was modified outside Vestige or is damaged",
                            e.what()));
  }
}

std::optional<std::string> optional_time_text(const std::optional<Timestamp>& t) {
  return t ? std::optional(format_timestamp(*t)) : std::nullopt;
}

}  // namespace

std::optional<SchedulingState> PgMemoryStore::get_scheduling(const Uuid& memory_id) {
  return pool_->run([&](Connection& conn) -> std::optional<SchedulingState> {
    const Result r = conn.exec(
        fmt::format("SELECT {} FROM scheduling WHERE memory_id = $1::uuid", scheduling_select()),
        Params().text(memory_id.to_string()));
    if (r.rows() == 0) return std::nullopt;
    return read_scheduling(r, 0);
  });
}

void PgMemoryStore::upsert_scheduling(const SchedulingState& state) {
  validate_scheduling(state);
  write([&](Connection& conn) {
    try {
      conn.exec(R"sql(
        INSERT INTO scheduling (memory_id, stability, difficulty, reps, lapses, state,
                                last_review, next_review)
        VALUES ($1::uuid, $2::float8, $3::float8, $4::integer, $5::integer, $6,
                $7::timestamptz, $8::timestamptz)
        ON CONFLICT (memory_id) DO UPDATE SET
          stability = excluded.stability, difficulty = excluded.difficulty,
          reps = excluded.reps, lapses = excluded.lapses, state = excluded.state,
          last_review = excluded.last_review, next_review = excluded.next_review
      )sql",
                Params()
                    .text(state.memory_id.to_string())
                    .number(state.stability)
                    .number(state.difficulty)
                    .integer(state.reps)
                    .integer(state.lapses)
                    .text(state.state)
                    .optional_text(optional_time_text(state.last_review))
                    .text(format_timestamp(state.next_review)));
    } catch (const SqlError& e) {
      if (e.sqlstate() == kForeignKeyViolation) no_memory(state.memory_id, "schedule the memory");
      throw;
    }
  });
}

std::vector<SchedulingState> PgMemoryStore::due(Timestamp now, std::size_t limit) {
  std::vector<SchedulingState> out;
  if (limit == 0) return out;
  return pool_->run([&](Connection& conn) {
    const Result r =
        conn.exec(fmt::format(R"sql(
      SELECT {} FROM scheduling WHERE next_review <= $1::timestamptz
      ORDER BY next_review, memory_id LIMIT $2::bigint
    )sql",
                              scheduling_select()),
                  Params()
                      .text(format_timestamp(now))
                      .integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30))));
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_scheduling(r, i));
    return out;
  });
}

ReviewEvent PgMemoryStore::append_review_event(const ReviewEvent& event) {
  require_id(event.memory_id, "a review event's memory_id");
  if (event.rating < 1 || event.rating > 4) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("rating {} is not a review rating; use 1 (again), 2 (hard), 3 (good) "
                            "or 4 (easy)",
                            event.rating));
  }
  if (event.prior_state) validate_scheduling(*event.prior_state);
  validate_scheduling(event.new_state);
  return write([&](Connection& conn) {
    ReviewEvent stored = event;
    if (stored.reviewed_at == Timestamp{}) stored.reviewed_at = now_utc();
    try {
      const Result r = conn.exec(
          R"sql(
        INSERT INTO review_events (memory_id, reviewed_at, rating, prior_state, new_state)
        VALUES ($1::uuid, $2::timestamptz, $3::smallint, $4::jsonb, $5::jsonb)
        RETURNING id
      )sql",
          Params()
              .text(stored.memory_id.to_string())
              .text(format_timestamp(stored.reviewed_at))
              .integer(stored.rating)
              .optional_text(stored.prior_state ? std::optional(Json(*stored.prior_state).dump())
                                                : std::nullopt)
              .text(Json(stored.new_state).dump()));
      stored.id = r.integer(0, 0);
    } catch (const SqlError& e) {
      if (e.sqlstate() == kForeignKeyViolation) no_memory(stored.memory_id, "record a review");
      throw;
    }
    return stored;
  });
}

std::vector<ReviewEvent> PgMemoryStore::review_events(const Uuid& memory_id) {
  return pool_->run([&](Connection& conn) {
    const Result r = conn.exec(fmt::format(R"sql(
      SELECT id, memory_id, {}, rating, prior_state, new_state
      FROM review_events WHERE memory_id = $1::uuid ORDER BY id
    )sql",
                                           utc_text("reviewed_at")),
                               Params().text(memory_id.to_string()));
    std::vector<ReviewEvent> out;
    for (int i = 0; i < r.rows(); ++i) {
      ReviewEvent e;
      e.id = r.integer(i, 0);
      e.memory_id = uuid_value(r.text(i, 1));
      e.reviewed_at = time_value(r.text(i, 2));
      e.rating = static_cast<int>(r.integer(i, 3));
      if (!r.is_null(i, 4)) e.prior_state = scheduling_from_json(r.text(i, 4));
      e.new_state = scheduling_from_json(r.text(i, 5));
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace vestige::postgres
