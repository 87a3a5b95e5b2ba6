// MemoryStore's edges and graph walk.

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <unordered_set>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/rows.h"

namespace vestige::postgres {

namespace {

std::string edge_columns() {
  return fmt::format("source_id, target_id, edge_type, weight, metadata, {}",
                     utc_text("created_at"));
}

Edge read_edge(const Result& r, int row) {
  return Edge{uuid_value(r.text(row, 0)), uuid_value(r.text(row, 1)), std::string(r.text(row, 2)),
              r.number(row, 3),           json_value(r.text(row, 4)), time_value(r.text(row, 5))};
}

}  // namespace

void PgMemoryStore::add_edge(const Edge& edge) {
  require_id(edge.source_id, "an edge's source_id");
  require_id(edge.target_id, "an edge's target_id");
  if (edge.source_id == edge.target_id) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("an edge cannot link memory {} to itself", edge.source_id.to_string()));
  }
  if (edge.edge_type.empty()) {
    throw Error(ErrorCode::kInvalidInput, "an edge needs a type (related, supersedes, ...)");
  }
  require_text(edge.edge_type, "an edge's type");
  if (!std::isfinite(edge.weight)) {
    throw Error(ErrorCode::kInvalidInput, "an edge's weight must be a finite number");
  }
  require_json_object(edge.metadata, "an edge's metadata");
  const auto metadata = json_text(edge.metadata, "an edge's metadata");
  write([&](Connection& conn) {
    for (const auto& id : {edge.source_id, edge.target_id}) {
      // FOR KEY SHARE: the memory cannot be deleted before the edge is in.
      if (conn.exec("SELECT 1 FROM knowledge_nodes WHERE id = $1::uuid FOR KEY SHARE",
                    Params().text(id.to_string()))
              .rows() == 0) {
        throw Error(ErrorCode::kNotFound,
                    fmt::format("cannot link memories: no memory with id {}", id.to_string()));
      }
    }
    // The first link's created_at stays; a repeated link only re-weights it.
    conn.exec(
        R"sql(
      INSERT INTO edges (source_id, target_id, edge_type, weight, metadata, created_at)
      VALUES ($1::uuid, $2::uuid, $3, $4::float8, $5::jsonb, $6::timestamptz)
      ON CONFLICT (source_id, target_id, edge_type) DO UPDATE SET
        weight = excluded.weight, metadata = excluded.metadata
    )sql",
        Params()
            .text(edge.source_id.to_string())
            .text(edge.target_id.to_string())
            .text(edge.edge_type)
            .number(edge.weight)
            .text(metadata)
            .text(format_timestamp(edge.created_at == Timestamp{} ? now_utc() : edge.created_at)));
  });
}

std::vector<Edge> PgMemoryStore::edges(const Uuid& memory_id, EdgeDirection direction) {
  std::string_view where = "source_id = $1::uuid OR target_id = $1::uuid";
  if (direction == EdgeDirection::kOutgoing) where = "source_id = $1::uuid";
  if (direction == EdgeDirection::kIncoming) where = "target_id = $1::uuid";
  return pool_->run([&](Connection& conn) {
    const Result r = conn.exec(
        fmt::format("SELECT {} FROM edges WHERE {} ORDER BY source_id, target_id, edge_type",
                    edge_columns(), where),
        Params().text(memory_id.to_string()));
    std::vector<Edge> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_edge(r, i));
    return out;
  });
}

bool PgMemoryStore::remove_edge(const Uuid& source_id, const Uuid& target_id,
                                const std::string& edge_type) {
  require_text(edge_type, "an edge's type");
  return write([&](Connection& conn) {
    return conn.exec(
                   R"sql(
      DELETE FROM edges WHERE source_id = $1::uuid AND target_id = $2::uuid AND edge_type = $3
    )sql",
                   Params().text(source_id.to_string()).text(target_id.to_string()).text(edge_type))
               .affected() > 0;
  });
}

std::vector<Neighbour> PgMemoryStore::neighbours(const Uuid& start, int max_depth) {
  std::vector<Neighbour> out;
  if (max_depth < 1) return out;
  return pool_->transaction([&](Connection& conn) {
    // One statement per depth: the edges touching the whole frontier, in key
    // order, so "the edge by which a node was first reached" is deterministic
    // (frontier walked in id order, then edges in key order).
    const std::string sql = fmt::format(
        "SELECT {} FROM edges WHERE source_id = ANY($1::uuid[]) OR target_id = ANY($1::uuid[]) "
        "ORDER BY source_id, target_id, edge_type",
        edge_columns());
    std::unordered_set<Uuid> visited{start};
    std::vector<Uuid> frontier{start};
    for (int depth = 1; depth <= max_depth && !frontier.empty(); ++depth) {
      std::vector<std::string> ids;
      for (const auto& id : frontier) ids.push_back(id.to_string());
      const Result r = conn.exec(sql, Params().text(array_literal(ids)));
      std::vector<Edge> touching;
      for (int i = 0; i < r.rows(); ++i) touching.push_back(read_edge(r, i));
      std::map<Uuid, Edge> reached;
      for (const auto& from : frontier) {
        for (const Edge& edge : touching) {
          if (edge.source_id != from && edge.target_id != from) continue;
          const Uuid to = edge.source_id == from ? edge.target_id : edge.source_id;
          if (!visited.contains(to)) reached.try_emplace(to, edge);
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
  });
}

}  // namespace vestige::postgres
