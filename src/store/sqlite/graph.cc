// MemoryStore's edges and graph walk.

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <unordered_set>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/sqlite_memory_store.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kEdgeColumns =
    "source_id, target_id, edge_type, weight, metadata, created_at";

Edge read_edge(const Statement& stmt) {
  return Edge{uuid_column(stmt, 0),  uuid_column(stmt, 1), stmt.column_text(2),
              stmt.column_double(3), json_column(stmt, 4), time_column(stmt, 5)};
}

}  // namespace

void SqliteMemoryStore::add_edge(const Edge& edge) {
  require_id(edge.source_id, "an edge's source_id");
  require_id(edge.target_id, "an edge's target_id");
  if (edge.source_id == edge.target_id) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("an edge cannot link memory {} to itself", edge.source_id.to_string()));
  }
  if (edge.edge_type.empty()) {
    throw Error(ErrorCode::kInvalidInput, "an edge needs a type (related, supersedes, ...)");
  }
  if (!std::isfinite(edge.weight)) {
    throw Error(ErrorCode::kInvalidInput, "an edge's weight must be a finite number");
  }
  require_json_object(edge.metadata, "an edge's metadata");
  const auto metadata = json_text(edge.metadata, "an edge's metadata");
  std::lock_guard lock(mutex_);
  write([&] {
    for (const auto& id : {edge.source_id, edge.target_id}) {
      if (!memory_exists(id)) {
        throw Error(ErrorCode::kNotFound,
                    fmt::format("cannot link memories: no memory with id {}", id.to_string()));
      }
    }
    // The first link's created_at stays; a repeated link only re-weights it.
    auto stmt = statements_.get(R"sql(
      INSERT INTO edges (source_id, target_id, edge_type, weight, metadata, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6)
      ON CONFLICT (source_id, target_id, edge_type) DO UPDATE SET
        weight = excluded.weight, metadata = excluded.metadata
    )sql");
    stmt->bind(1, edge.source_id.to_string())
        .bind(2, edge.target_id.to_string())
        .bind(3, edge.edge_type)
        .bind(4, edge.weight)
        .bind(5, metadata)
        .bind(6, format_timestamp(edge.created_at == Timestamp{} ? now_utc() : edge.created_at));
    stmt->run();
  });
}

std::vector<Edge> SqliteMemoryStore::edges(const Uuid& memory_id, EdgeDirection direction) {
  std::string_view where = "source_id = ?1 OR target_id = ?1";
  if (direction == EdgeDirection::kOutgoing) where = "source_id = ?1";
  if (direction == EdgeDirection::kIncoming) where = "target_id = ?1";
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(
      fmt::format("SELECT {} FROM edges WHERE {} ORDER BY source_id, target_id, edge_type",
                  kEdgeColumns, where));
  stmt->bind(1, memory_id.to_string());
  std::vector<Edge> out;
  while (stmt->step()) out.push_back(read_edge(*stmt));
  return out;
}

bool SqliteMemoryStore::remove_edge(const Uuid& source_id, const Uuid& target_id,
                                    const std::string& edge_type) {
  std::lock_guard lock(mutex_);
  return write([&] {
    auto stmt = statements_.get(R"sql(
      DELETE FROM edges WHERE source_id = ?1 AND target_id = ?2 AND edge_type = ?3
    )sql");
    stmt->bind(1, source_id.to_string()).bind(2, target_id.to_string()).bind(3, edge_type);
    stmt->run();
    return db_.changes() > 0;
  });
}

std::vector<Neighbour> SqliteMemoryStore::neighbours(const Uuid& start, int max_depth) {
  std::vector<Neighbour> out;
  if (max_depth < 1) return out;
  std::lock_guard lock(mutex_);
  ReadTransaction snapshot(db_);
  auto stmt =
      statements_.get(fmt::format("SELECT {} FROM edges WHERE source_id = ?1 OR target_id = ?1 "
                                  "ORDER BY source_id, target_id, edge_type",
                                  kEdgeColumns));

  std::unordered_set<Uuid> visited{start};
  std::vector<Uuid> frontier{start};
  for (int depth = 1; depth <= max_depth && !frontier.empty(); ++depth) {
    // Ordered by id, and the frontier is walked in id order, so "the edge by
    // which it was first reached" is deterministic.
    std::map<Uuid, Edge> reached;
    for (const auto& from : frontier) {
      stmt->reset();
      stmt->bind(1, from.to_string());
      while (stmt->step()) {
        Edge edge = read_edge(*stmt);
        const Uuid to = edge.source_id == from ? edge.target_id : edge.source_id;
        if (!visited.contains(to)) reached.try_emplace(to, std::move(edge));
      }
    }
    frontier.clear();
    for (auto& [id, via] : reached) {
      visited.insert(id);
      frontier.push_back(id);
      out.push_back(Neighbour{id, depth, std::move(via)});
    }
  }
  return out;
}

}  // namespace vestige::sqlite
