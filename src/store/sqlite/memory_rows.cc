#include "store/sqlite/memory_rows.h"

#include <fmt/format.h>

#include <cmath>

namespace vestige::sqlite {

namespace {

[[noreturn]] void damaged(std::string_view what) {
  throw Error(
      ErrorCode::kBackend,
      fmt::format("the database holds {}; it was modified outside Vestige or is damaged", what));
}

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, message);
}

template <typename T>
T json_array_column(const Statement& stmt, int column, std::string_view what) {
  try {
    return json_column(stmt, column).get<T>();
  } catch (const nlohmann::json::exception&) {
    damaged(fmt::format("a {} value that is not a JSON array of strings", what));
  }
}

std::vector<Uuid> uuid_array_column(const Statement& stmt, int column) {
  std::vector<Uuid> out;
  for (const auto& text : json_array_column<std::vector<std::string>>(stmt, column, "group id")) {
    const auto id = Uuid::parse(text);
    if (!id) damaged(fmt::format("a group id \"{}\" that is not a UUID", text));
    out.push_back(*id);
  }
  return out;
}

Json uuid_array(const std::vector<Uuid>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) out.push_back(id.to_string());
  return out;
}

}  // namespace

// ---- Columns ----------------------------------------------------------------

std::string memory_columns(bool with_embedding) {
  return fmt::format(R"sql(
    id, content, node_type, tags, metadata, codebase, domains, domain_scores,
    {} AS embedding, owner_user_id, visibility, shared_with_groups, created_at, updated_at,
    importance, access_count, last_accessed_at, retrieval_strength, storage_strength,
    superseded_by, suppressed
  )sql",
                     with_embedding ? "embedding" : "NULL");
}

Memory read_memory(const Statement& stmt) {
  Memory m;
  m.id = uuid_column(stmt, 0);
  m.content = stmt.column_text(1);
  m.node_type = stmt.column_text(2);
  m.tags = json_array_column<std::vector<std::string>>(stmt, 3, "tags");
  m.metadata = json_column(stmt, 4);
  m.codebase = stmt.column_optional_text(5);
  m.domains = json_array_column<std::vector<std::string>>(stmt, 6, "domains");
  m.domain_scores = json_column(stmt, 7);
  m.embedding = embedding_column(stmt, 8);
  m.owner_user_id = uuid_column(stmt, 9);
  const auto visibility = parse_visibility(stmt.column_text(10));
  if (!visibility) damaged(fmt::format("an unknown visibility \"{}\"", stmt.column_text(10)));
  m.visibility = *visibility;
  m.shared_with_groups = uuid_array_column(stmt, 11);
  m.created_at = time_column(stmt, 12);
  m.updated_at = time_column(stmt, 13);
  m.engine.importance = stmt.column_double(14);
  m.engine.access_count = stmt.column_int64(15);
  m.engine.last_accessed_at = optional_time_column(stmt, 16);
  m.engine.retrieval_strength = stmt.column_double(17);
  m.engine.storage_strength = stmt.column_double(18);
  if (!stmt.is_null(19)) m.engine.superseded_by = uuid_column(stmt, 19);
  m.engine.suppressed = stmt.column_int64(20) != 0;
  return m;
}

void bind_memory(Statement& stmt, const Memory& m) {
  const auto at = [&stmt](const char* name) { return stmt.parameter_index(name); };
  stmt.bind(at(":id"), m.id.to_string())
      .bind(at(":content"), m.content)
      .bind(at(":node_type"), m.node_type)
      .bind(at(":tags"), json_text(m.tags, "tags"))
      .bind(at(":metadata"), json_text(m.metadata, "metadata"))
      .bind(at(":codebase"), m.codebase)
      .bind(at(":domains"), json_text(m.domains, "domains"))
      .bind(at(":domain_scores"), json_text(m.domain_scores, "domain_scores"))
      .bind(at(":owner_user_id"), m.owner_user_id.to_string())
      .bind(at(":visibility"), visibility_name(m.visibility))
      .bind(at(":shared_with_groups"), json_text(uuid_array(m.shared_with_groups), "groups"))
      .bind(at(":updated_at"), format_timestamp(m.updated_at));
  bind_engine_state(stmt, m.engine);
}

void bind_engine_state(Statement& stmt, const EngineState& e) {
  const auto at = [&stmt](const char* name) { return stmt.parameter_index(name); };
  stmt.bind(at(":importance"), e.importance)
      .bind(at(":access_count"), e.access_count)
      .bind(at(":last_accessed_at"), e.last_accessed_at
                                         ? std::optional(format_timestamp(*e.last_accessed_at))
                                         : std::nullopt)
      .bind(at(":retrieval_strength"), e.retrieval_strength)
      .bind(at(":storage_strength"), e.storage_strength)
      .bind(at(":superseded_by"),
            e.superseded_by ? std::optional(e.superseded_by->to_string()) : std::nullopt)
      .bind(at(":suppressed"), e.suppressed ? 1 : 0);
}

SchedulingState read_scheduling(const Statement& stmt, int first) {
  SchedulingState s;
  s.memory_id = uuid_column(stmt, first);
  s.stability = stmt.column_double(first + 1);
  s.difficulty = stmt.column_double(first + 2);
  s.reps = static_cast<std::int32_t>(stmt.column_int64(first + 3));
  s.lapses = static_cast<std::int32_t>(stmt.column_int64(first + 4));
  s.state = stmt.column_text(first + 5);
  s.last_review = optional_time_column(stmt, first + 6);
  s.next_review = time_column(stmt, first + 7);
  return s;
}

// ---- Values -------------------------------------------------------------------

std::string json_text(const Json& value, std::string_view field) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    invalid(fmt::format("{} holds text that is not valid UTF-8", field));
  }
}

Json json_column(const Statement& stmt, int column) {
  try {
    return Json::parse(stmt.column_text(column));
  } catch (const nlohmann::json::exception&) {
    damaged(fmt::format("a JSON column that does not parse: {}", stmt.column_text(column)));
  }
}

Timestamp time_column(const Statement& stmt, int column) {
  const auto text = stmt.column_text(column);
  const auto t = parse_timestamp(text);
  if (!t) damaged(fmt::format("a time \"{}\" that is not RFC 3339", text));
  return *t;
}

std::optional<Timestamp> optional_time_column(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return time_column(stmt, column);
}

Uuid uuid_column(const Statement& stmt, int column) {
  const auto text = stmt.column_text(column);
  const auto id = Uuid::parse(text);
  if (!id) damaged(fmt::format("an id \"{}\" that is not a UUID", text));
  return *id;
}

std::optional<Embedding> embedding_column(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return floats_from_blob(stmt.column_blob(column));
}

void bind_embedding(Statement& stmt, int index, const std::optional<Embedding>& embedding) {
  if (embedding) {
    stmt.bind_blob(index, as_blob(*embedding));
  } else {
    stmt.bind(index, nullptr);
  }
}

}  // namespace vestige::sqlite
