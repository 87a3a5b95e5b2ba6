#include "store/sqlite/transfer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/schema.h"

namespace vestige {

std::unique_ptr<StoreTransfer> open_sqlite_transfer(const std::filesystem::path& path,
                                                    bool read_only) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::kInit,
                fmt::format("there is no SQLite database at {}; check --sqlite-path (or "
                            "[storage.sqlite] path)",
                            path.string()));
  }
  auto db = sqlite::Database::open(path, {.read_only = read_only, .create = false});
  const int current = sqlite::checked_schema_version(db);
  const int latest = sqlite::sqlite_migrations().latest_version();
  if (current < latest) {
    throw Error(ErrorCode::kInit,
                fmt::format("the SQLite database {} is at schema version {}, but this build "
                            "needs version {}; pass --allow-source-upgrade to bring it up to "
                            "date first (this writes to it), or run `vestige db migrate`",
                            path.string(), current, latest));
  }
  return std::make_unique<sqlite::SqliteTransfer>(std::move(db), read_only);
}

}  // namespace vestige

namespace vestige::sqlite {

namespace {

// How one table is read in key order: the SELECT list, then the key columns
// (appended after it, so the row's own columns start at 0).
struct TableSpec {
  std::string_view from;
  std::string columns;
  std::vector<std::string_view> keys;
};

TableSpec spec(Table table) {
  switch (table) {
    case Table::kUsers:
      return {"users", "id, username, display_name, created_at", {"id"}};
    case Table::kGroups:
      return {"groups", "id, name, created_at", {"id"}};
    case Table::kGroupMemberships:
      return {"group_memberships", "group_id, user_id, role, created_at", {"group_id", "user_id"}};
    case Table::kMemories:
      return {"knowledge_nodes", memory_columns(true), {"created_at", "id"}};
    case Table::kScheduling:
      return {"scheduling",
              "memory_id, stability, difficulty, reps, lapses, state, last_review, next_review",
              {"memory_id"}};
    case Table::kEdges:
      return {"edges",
              "source_id, target_id, edge_type, weight, metadata, created_at",
              {"source_id", "target_id", "edge_type"}};
    case Table::kReviewEvents:
      return {
          "review_events", "id, memory_id, reviewed_at, rating, prior_state, new_state", {"id"}};
    case Table::kDomains:
      return {"domains", "id, label, centroid, metadata, created_at, updated_at", {"id"}};
  }
  throw Error(ErrorCode::kInvalidInput, "unknown table");
}

SchedulingState scheduling_json(const Json& json) {
  try {
    return json.get<SchedulingState>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kBackend,
                fmt::format("a review event's scheduling state does not parse: {}", e.what()));
  }
}

Row read_row(Table table, const Statement& s) {
  switch (table) {
    case Table::kUsers:
      return UserRecord{uuid_column(s, 0), s.column_text(1), s.column_text(2), time_column(s, 3)};
    case Table::kGroups:
      return GroupRecord{uuid_column(s, 0), s.column_text(1), time_column(s, 2)};
    case Table::kGroupMemberships:
      return MembershipRecord{uuid_column(s, 0), uuid_column(s, 1), s.column_text(2),
                              time_column(s, 3)};
    case Table::kMemories:
      return read_memory(s);
    case Table::kScheduling:
      return read_scheduling(s, 0);
    case Table::kEdges:
      return Edge{uuid_column(s, 0),  uuid_column(s, 1), s.column_text(2),
                  s.column_double(3), json_column(s, 4), time_column(s, 5)};
    case Table::kReviewEvents: {
      ReviewEvent e;
      e.id = s.column_int64(0);
      e.memory_id = uuid_column(s, 1);
      e.reviewed_at = time_column(s, 2);
      e.rating = static_cast<int>(s.column_int64(3));
      if (!s.is_null(4)) e.prior_state = scheduling_json(json_column(s, 4));
      e.new_state = scheduling_json(json_column(s, 5));
      return e;
    }
    case Table::kDomains:
      return Domain{s.column_text(0),  s.column_text(1),  embedding_column(s, 2),
                    json_column(s, 3), time_column(s, 4), time_column(s, 5)};
  }
  throw Error(ErrorCode::kInvalidInput, "unknown table");
}

std::optional<std::string> optional_time(const std::optional<Timestamp>& t) {
  return t ? std::optional(format_timestamp(*t)) : std::nullopt;
}

}  // namespace

SqliteTransfer::SqliteTransfer(Database db, bool read_only)
    : db_(std::move(db)), read_only_(read_only) {}

void SqliteTransfer::refuse_if_read_only() const {
  if (read_only_) {
    throw Error(ErrorCode::kBackend,
                fmt::format("the SQLite database {} was opened read-only; nothing was written",
                            db_.path().string()));
  }
}

std::optional<RegisteredModel> SqliteTransfer::registered_model() {
  Statement s =
      db_.prepare("SELECT name, dimension, hash, created_at FROM embedding_model WHERE id = 1");
  if (!s.step()) return std::nullopt;
  return RegisteredModel{
      ModelSignature{s.column_text(0), static_cast<int>(s.column_int64(1)), s.column_text(2)},
      time_column(s, 3)};
}

std::int64_t SqliteTransfer::count(Table table) {
  Statement s = db_.prepare(fmt::format("SELECT count(*) FROM {}", spec(table).from));
  s.step();
  return s.column_int64(0);
}

RowPage SqliteTransfer::read_page(Table table, const std::optional<PageKey>& after,
                                  std::size_t limit) {
  const TableSpec t = spec(table);
  std::string where;
  if (after) {
    std::vector<std::string> marks;
    for (std::size_t i = 0; i < t.keys.size(); ++i) marks.push_back(fmt::format("?{}", i + 2));
    where = fmt::format("WHERE ({}) > ({})", fmt::join(t.keys, ", "), fmt::join(marks, ", "));
  }
  const std::string keys = fmt::format("{}", fmt::join(t.keys, ", "));
  Statement s = db_.prepare(fmt::format("SELECT {}, {} FROM {} {} ORDER BY {} LIMIT ?1", t.columns,
                                        keys, t.from, where, keys));
  s.bind(1, static_cast<std::int64_t>(limit));
  if (after) {
    for (std::size_t i = 0; i < t.keys.size() && i < after->size(); ++i) {
      // Review event ids are integers; every other key is text.
      if (table == Table::kReviewEvents) {
        s.bind(static_cast<int>(i + 2), static_cast<std::int64_t>(std::stoll((*after)[i])));
      } else {
        s.bind(static_cast<int>(i + 2), (*after)[i]);
      }
    }
  }
  RowPage page;
  std::size_t seen = 0;
  PageKey last;
  while (s.step()) {
    ++seen;
    const int first_key = s.column_count() - static_cast<int>(t.keys.size());
    last.clear();
    for (int c = first_key; c < s.column_count(); ++c) last.push_back(s.column_text(c));
    try {
      page.rows.push_back(read_row(table, s));
    } catch (const Error& e) {
      page.errors.push_back({table, fmt::format("{}", fmt::join(last, " ")), e.what()});
    }
  }
  if (seen == limit) page.next = last;
  return page;
}

bool SqliteTransfer::write_row(const Row& row, std::optional<int> dimension,
                               std::optional<Statement>& statement) {
  struct Writer {
    SqliteTransfer& self;
    std::optional<int> dimension;
    std::optional<Statement>& cached;

    // One statement per batch (a batch is one table), reset between rows.
    Statement& prepare(std::string_view sql) {
      if (!cached) cached.emplace(self.db_, sql);
      cached->reset();
      return *cached;
    }

    bool operator()(const UserRecord& r) {
      Statement& s = prepare(
          "INSERT INTO users (id, username, display_name, created_at) VALUES (?1, ?2, ?3, ?4) "
          // Every schema starts with its own bootstrap user (`local`); the
          // source's row replaces it, so the copy holds the source's values.
          "ON CONFLICT (id) DO UPDATE SET username = excluded.username, "
          "display_name = excluded.display_name, created_at = excluded.created_at "
          "WHERE username IS NOT excluded.username OR display_name IS NOT excluded.display_name "
          "OR created_at IS NOT excluded.created_at");
      s.bind(1, r.id.to_string())
          .bind(2, r.username)
          .bind(3, r.display_name)
          .bind(4, format_timestamp(r.created_at));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const GroupRecord& r) {
      Statement& s = prepare(
          "INSERT INTO groups (id, name, created_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (id) DO NOTHING");
      s.bind(1, r.id.to_string()).bind(2, r.name).bind(3, format_timestamp(r.created_at));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const MembershipRecord& r) {
      Statement& s = prepare(
          "INSERT INTO group_memberships (group_id, user_id, role, created_at) "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (group_id, user_id) DO NOTHING");
      s.bind(1, r.group_id.to_string())
          .bind(2, r.user_id.to_string())
          .bind(3, r.role)
          .bind(4, format_timestamp(r.created_at));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const Memory& m) {
      require_id(m.id, "id");
      validate_memory(m);
      if (m.embedding && dimension && m.embedding->size() != static_cast<std::size_t>(*dimension)) {
        throw Error(ErrorCode::kInvalidInput,
                    fmt::format("its embedding has {} dimensions, but the registered model has {}",
                                m.embedding->size(), *dimension));
      }
      Statement& s = prepare(kInsertMemory);
      bind_memory(s, m);
      bind_embedding(s, s.parameter_index(":embedding"), m.embedding);
      s.bind(s.parameter_index(":created_at"), format_timestamp(m.created_at));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const SchedulingState& r) {
      validate_scheduling(r);
      Statement& s = prepare(R"sql(
        INSERT INTO scheduling (memory_id, stability, difficulty, reps, lapses, state,
                                last_review, next_review)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        ON CONFLICT (memory_id) DO NOTHING
      )sql");
      s.bind(1, r.memory_id.to_string())
          .bind(2, r.stability)
          .bind(3, r.difficulty)
          .bind(4, r.reps)
          .bind(5, r.lapses)
          .bind(6, r.state)
          .bind(7, optional_time(r.last_review))
          .bind(8, format_timestamp(r.next_review));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const Edge& r) {
      Statement& s = prepare(R"sql(
        INSERT INTO edges (source_id, target_id, edge_type, weight, metadata, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (source_id, target_id, edge_type) DO NOTHING
      )sql");
      s.bind(1, r.source_id.to_string())
          .bind(2, r.target_id.to_string())
          .bind(3, r.edge_type)
          .bind(4, r.weight)
          .bind(5, json_text(r.metadata, "metadata"))
          .bind(6, format_timestamp(r.created_at));
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const ReviewEvent& r) {
      Statement& s = prepare(R"sql(
        INSERT INTO review_events (id, memory_id, reviewed_at, rating, prior_state, new_state)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (id) DO NOTHING
      )sql");
      s.bind(1, r.id)
          .bind(2, r.memory_id.to_string())
          .bind(3, format_timestamp(r.reviewed_at))
          .bind(4, r.rating)
          .bind(5, r.prior_state ? std::optional(Json(*r.prior_state).dump()) : std::nullopt)
          .bind(6, Json(r.new_state).dump());
      s.run();
      return self.db_.changes() > 0;
    }
    bool operator()(const Domain& r) {
      Statement& s = prepare(R"sql(
        INSERT INTO domains (id, label, centroid, metadata, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (id) DO NOTHING
      )sql");
      s.bind(1, r.id).bind(2, r.label);
      bind_embedding(s, 3, r.centroid);
      s.bind(4, json_text(r.metadata, "metadata"))
          .bind(5, format_timestamp(r.created_at))
          .bind(6, format_timestamp(r.updated_at));
      s.run();
      return self.db_.changes() > 0;
    }
  };
  Writer writer{*this, dimension, statement};
  return std::visit(writer, row);
}

WriteOutcome SqliteTransfer::write_rows(Table table, std::span<const Row> rows) {
  refuse_if_read_only();
  WriteOutcome out;
  if (rows.empty()) return out;
  std::optional<int> dimension;
  if (auto model = registered_model()) dimension = model->signature.dimension;
  WriteTransaction tx(db_);
  std::optional<Statement> statement;
  for (const Row& row : rows) {
    // A refused row fails only its own statement (SQLite rolls back just the
    // statement on a constraint violation), so the batch goes on.
    try {
      if (write_row(row, dimension, statement)) {
        ++out.inserted;
      } else {
        ++out.present;
      }
    } catch (const BusyError&) {
      throw;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInvalidInput) throw;
      out.errors.push_back({table, row_key(row), e.what()});
    }
  }
  tx.commit();
  return out;
}

void SqliteTransfer::advance_review_event_ids() {
  // AUTOINCREMENT keeps sqlite_sequence at the largest id ever inserted, ids
  // given explicitly included: nothing to do.
}

bool SqliteTransfer::drop_vector_index() {
  refuse_if_read_only();
  std::error_code ec;
  return std::filesystem::remove(db_.path().string() + ".hnsw", ec);
}

void SqliteTransfer::build_vector_index(bool /*concurrently*/) {
  // Each process builds its in-memory index from the table on first use.
}

}  // namespace vestige::sqlite
