// MemoryStore's scheduling rows and review log.

#include <fmt/format.h>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/sqlite_memory_store.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kSchedulingColumns =
    "memory_id, stability, difficulty, reps, lapses, state, last_review, next_review";

[[noreturn]] void no_memory(const Uuid& id, std::string_view action) {
  throw Error(ErrorCode::kNotFound,
              fmt::format("cannot {}: no memory with id {}", action, id.to_string()));
}

SchedulingState scheduling_from_json(const Json& json) {
  try {
    return json.get<SchedulingState>();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the database holds a review event whose scheduling state does not "
                            "read back ({}); it was modified outside Vestige or is damaged",
                            e.what()));
  }
}

}  // namespace

std::optional<SchedulingState> SqliteMemoryStore::get_scheduling(const Uuid& memory_id) {
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(
      fmt::format("SELECT {} FROM scheduling WHERE memory_id = ?1", kSchedulingColumns));
  stmt->bind(1, memory_id.to_string());
  if (!stmt->step()) return std::nullopt;
  return read_scheduling(*stmt, 0);
}

void SqliteMemoryStore::upsert_scheduling(const SchedulingState& state) {
  validate_scheduling(state);
  std::lock_guard lock(mutex_);
  write([&] {
    if (!memory_exists(state.memory_id)) no_memory(state.memory_id, "schedule the memory");
    auto stmt = statements_.get(R"sql(
      INSERT INTO scheduling (memory_id, stability, difficulty, reps, lapses, state,
                              last_review, next_review)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
      ON CONFLICT (memory_id) DO UPDATE SET
        stability = excluded.stability, difficulty = excluded.difficulty,
        reps = excluded.reps, lapses = excluded.lapses, state = excluded.state,
        last_review = excluded.last_review, next_review = excluded.next_review
    )sql");
    stmt->bind(1, state.memory_id.to_string())
        .bind(2, state.stability)
        .bind(3, state.difficulty)
        .bind(4, state.reps)
        .bind(5, state.lapses)
        .bind(6, state.state)
        .bind(7, state.last_review ? std::optional(format_timestamp(*state.last_review))
                                   : std::nullopt)
        .bind(8, format_timestamp(state.next_review));
    stmt->run();
  });
}

std::vector<SchedulingState> SqliteMemoryStore::due(Timestamp now, std::size_t limit) {
  std::vector<SchedulingState> out;
  if (limit == 0) return out;
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(fmt::format(R"sql(
    SELECT {} FROM scheduling WHERE next_review <= ?1 ORDER BY next_review, memory_id LIMIT ?2
  )sql",
                                          kSchedulingColumns));
  stmt->bind(1, format_timestamp(now)).bind(2, static_cast<std::int64_t>(limit));
  while (stmt->step()) out.push_back(read_scheduling(*stmt, 0));
  return out;
}

ReviewEvent SqliteMemoryStore::append_review_event(const ReviewEvent& event) {
  require_id(event.memory_id, "a review event's memory_id");
  if (event.rating < 1 || event.rating > 4) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("rating {} is not a review rating; use 1 (again), 2 (hard), 3 (good) "
                            "or 4 (easy)",
                            event.rating));
  }
  if (event.prior_state) validate_scheduling(*event.prior_state);
  validate_scheduling(event.new_state);
  std::lock_guard lock(mutex_);
  return write([&] {
    if (!memory_exists(event.memory_id)) no_memory(event.memory_id, "record a review");
    ReviewEvent stored = event;
    if (stored.reviewed_at == Timestamp{}) stored.reviewed_at = now_utc();
    auto stmt = statements_.get(R"sql(
      INSERT INTO review_events (memory_id, reviewed_at, rating, prior_state, new_state)
      VALUES (?1, ?2, ?3, ?4, ?5)
    )sql");
    stmt->bind(1, stored.memory_id.to_string())
        .bind(2, format_timestamp(stored.reviewed_at))
        .bind(3, stored.rating)
        .bind(4,
              stored.prior_state ? std::optional(Json(*stored.prior_state).dump()) : std::nullopt)
        .bind(5, Json(stored.new_state).dump());
    stmt->run();
    stored.id = db_.last_insert_rowid();
    return stored;
  });
}

std::vector<ReviewEvent> SqliteMemoryStore::review_events(const Uuid& memory_id) {
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(R"sql(
    SELECT id, memory_id, reviewed_at, rating, prior_state, new_state
    FROM review_events WHERE memory_id = ?1 ORDER BY id
  )sql");
  stmt->bind(1, memory_id.to_string());
  std::vector<ReviewEvent> out;
  while (stmt->step()) {
    ReviewEvent e;
    e.id = stmt->column_int64(0);
    e.memory_id = uuid_column(*stmt, 1);
    e.reviewed_at = time_column(*stmt, 2);
    e.rating = static_cast<int>(stmt->column_int64(3));
    if (!stmt->is_null(4)) e.prior_state = scheduling_from_json(json_column(*stmt, 4));
    e.new_state = scheduling_from_json(json_column(*stmt, 5));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vestige::sqlite
