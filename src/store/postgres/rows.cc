#include "store/postgres/rows.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace vestige::postgres {

namespace {

[[noreturn]] void damaged(std::string_view what) {
  throw Error(
      ErrorCode::kBackend,
      fmt::format("the database holds {}; it was modified outside Vestige or is damaged", what));
}

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, message);
}

std::vector<std::string> string_array(std::string_view json, std::string_view what) {
  try {
    return Json::parse(json).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    damaged(fmt::format("a {} value that is not an array of strings", what));
  }
}

std::string uuid_array(const std::vector<Uuid>& ids) {
  std::vector<std::string> texts;
  for (const auto& id : ids) texts.push_back(id.to_string());
  return array_literal(texts);
}

std::string text_array(const std::vector<std::string>& values, std::string_view field) {
  for (const auto& value : values) require_text(value, field);
  return array_literal(values);
}

std::optional<std::string> optional_time_text(const std::optional<Timestamp>& t) {
  return t ? std::optional(format_timestamp(*t)) : std::nullopt;
}

}  // namespace

std::string memory_columns(bool with_embedding) {
  return fmt::format(R"sql(
    n.id, n.content, n.node_type, array_to_json(n.tags), n.metadata, n.codebase,
    array_to_json(n.domains), n.domain_scores, {}, n.owner_user_id, n.visibility,
    array_to_json(n.shared_with_groups), {}, {}, n.importance, n.access_count, {},
    n.retrieval_strength, n.storage_strength, n.superseded_by, n.suppressed)sql",
                     with_embedding ? "n.embedding" : "NULL::vector", utc_text("n.created_at"),
                     utc_text("n.updated_at"), utc_text("n.last_accessed_at"));
}

Memory read_memory(const Result& r, int row, int c) {
  Memory m;
  m.id = uuid_value(r.text(row, c + 0));
  m.content = r.text(row, c + 1);
  m.node_type = r.text(row, c + 2);
  m.tags = string_array(r.text(row, c + 3), "tags");
  m.metadata = json_value(r.text(row, c + 4));
  m.codebase = r.optional_text(row, c + 5);
  m.domains = string_array(r.text(row, c + 6), "domains");
  m.domain_scores = json_value(r.text(row, c + 7));
  m.embedding = optional_vector(r, row, c + 8);
  m.owner_user_id = uuid_value(r.text(row, c + 9));
  const auto visibility = parse_visibility(r.text(row, c + 10));
  if (!visibility) damaged(fmt::format("an unknown visibility \"{}\"", r.text(row, c + 10)));
  m.visibility = *visibility;
  for (const auto& text : string_array(r.text(row, c + 11), "group id")) {
    m.shared_with_groups.push_back(uuid_value(text));
  }
  m.created_at = time_value(r.text(row, c + 12));
  m.updated_at = time_value(r.text(row, c + 13));
  m.engine.importance = r.number(row, c + 14);
  m.engine.access_count = r.integer(row, c + 15);
  m.engine.last_accessed_at = optional_time(r, row, c + 16);
  m.engine.retrieval_strength = r.number(row, c + 17);
  m.engine.storage_strength = r.number(row, c + 18);
  if (!r.is_null(row, c + 19)) m.engine.superseded_by = uuid_value(r.text(row, c + 19));
  m.engine.suppressed = r.boolean(row, c + 20);
  return m;
}

void add_memory_params(Params& p, const Memory& m) {
  p.text(m.id.to_string())
      .text(m.content)
      .text(m.node_type)
      .text(text_array(m.tags, "a tag"))
      .text(json_text(m.metadata, "metadata"))
      .optional_text(m.codebase)
      .text(text_array(m.domains, "a domain"))
      .text(json_text(m.domain_scores, "domain_scores"))
      .text(m.owner_user_id.to_string())
      .text(std::string(visibility_name(m.visibility)))
      .text(uuid_array(m.shared_with_groups))
      .text(format_timestamp(m.created_at))
      .text(format_timestamp(m.updated_at))
      .number(m.engine.importance)
      .integer(m.engine.access_count)
      .optional_text(optional_time_text(m.engine.last_accessed_at))
      .number(m.engine.retrieval_strength)
      .number(m.engine.storage_strength)
      .optional_text(m.engine.superseded_by ? std::optional(m.engine.superseded_by->to_string())
                                            : std::nullopt)
      .boolean(m.engine.suppressed);
}

std::string scheduling_select() {
  return fmt::format("memory_id, stability, difficulty, reps, lapses, state, {}, {}",
                     utc_text("last_review"), utc_text("next_review"));
}

SchedulingState read_scheduling(const Result& r, int row, int c) {
  SchedulingState s;
  s.memory_id = uuid_value(r.text(row, c));
  s.stability = r.number(row, c + 1);
  s.difficulty = r.number(row, c + 2);
  s.reps = static_cast<std::int32_t>(r.integer(row, c + 3));
  s.lapses = static_cast<std::int32_t>(r.integer(row, c + 4));
  s.state = r.text(row, c + 5);
  s.last_review = optional_time(r, row, c + 6);
  s.next_review = time_value(r.text(row, c + 7));
  return s;
}

// ---- Values -------------------------------------------------------------------

std::string json_text(const Json& value, std::string_view field) {
  std::string text;
  try {
    text = value.dump();
  } catch (const nlohmann::json::exception&) {
    invalid(fmt::format("{} holds text that is not valid UTF-8", field));
  }
  if (text.find("\\u0000") != std::string::npos) {
    invalid(fmt::format("{} holds a NUL character, which PostgreSQL cannot store", field));
  }
  return text;
}

Json json_value(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception&) {
    damaged(fmt::format("a JSON value that does not parse: {}", text));
  }
}

Timestamp time_value(std::string_view text) {
  const auto t = parse_timestamp(text);
  if (!t) damaged(fmt::format("a time \"{}\" that does not read back", text));
  return *t;
}

std::optional<Timestamp> optional_time(const Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return time_value(r.text(row, column));
}

Uuid uuid_value(std::string_view text) {
  const auto id = Uuid::parse(text);
  if (!id) damaged(fmt::format("an id \"{}\" that is not a UUID", text));
  return *id;
}

Embedding vector_value(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    damaged(fmt::format("a vector \"{}\" in an unknown format", text.substr(0, 40)));
  }
  Embedding out;
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  while (p < end) {
    float value = 0;
    const auto [next, ec] = std::from_chars(p, end, value);
    // from_chars reports subnormals as out of range but still stores them.
    if (ec != std::errc() && ec != std::errc::result_out_of_range) {
      damaged(fmt::format("a vector \"{}\" in an unknown format", text.substr(0, 40)));
    }
    out.push_back(value);
    p = next;
    if (p < end && *p == ',') ++p;
  }
  return out;
}

std::optional<Embedding> optional_vector(const Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return vector_value(r.text(row, column));
}

// ---- Input checks -------------------------------------------------------------

void require_text(std::string_view text, std::string_view field) {
  if (text.find('\0') != std::string_view::npos) {
    invalid(fmt::format("{} holds a NUL character, which PostgreSQL cannot store", field));
  }
}

void validate_memory(const Memory& m) {
  store_checks::validate_memory(m);
  require_text(m.content, "a memory's content");
  require_text(m.node_type, "a memory's node_type");
  if (m.codebase) require_text(*m.codebase, "a memory's codebase");
}

void validate_scheduling(const SchedulingState& s) {
  store_checks::validate_scheduling(s);
  require_text(s.state, "a scheduling state's state");
}

}  // namespace vestige::postgres
