#include "vestige/types.h"

#include <fmt/format.h>

#include <set>

#include "vestige/error.h"

namespace vestige {

std::string_view visibility_name(Visibility v) {
  switch (v) {
    case Visibility::kPrivate:
      return "private";
    case Visibility::kGroup:
      return "group";
    case Visibility::kPublic:
      return "public";
  }
  return "private";
}

std::optional<Visibility> parse_visibility(std::string_view name) {
  if (name == "private") return Visibility::kPrivate;
  if (name == "group") return Visibility::kGroup;
  if (name == "public") return Visibility::kPublic;
  return std::nullopt;
}

std::string_view health_status_name(HealthStatus s) {
  switch (s) {
    case HealthStatus::kOk:
      return "ok";
    case HealthStatus::kDegraded:
      return "degraded";
    case HealthStatus::kDown:
      return "down";
  }
  return "down";
}

std::string describe(const ModelSignature& model) {
  return fmt::format("{} (dimension {}, hash {})", model.name, model.dimension,
                     model.hash.substr(0, 12));
}

namespace {

[[noreturn]] void invalid(std::string_view field, std::string_view what) {
  throw Error(ErrorCode::kInvalidInput, fmt::format("field \"{}\": {}", field, what));
}

// Rejects keys other than `allowed`, so that a misspelt field is reported
// instead of silently dropped.
void check_keys(const Json& j, std::string_view type,
                std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) invalid(type, "expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      throw Error(ErrorCode::kInvalidInput,
                  fmt::format("unknown field \"{}\" in {}; known fields: {}", key, type,
                              fmt::join(allowed, ", ")));
    }
  }
}

template <typename T>
T get_field(const Json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    invalid(key, fmt::format("wrong type ({})", it->type_name()));
  }
}

std::string require_string(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) invalid(key, "required string is missing");
  return it->get<std::string>();
}

Timestamp get_time(const Json& j, const char* key, Timestamp fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_string()) invalid(key, "expected an RFC 3339 time string");
  const auto t = parse_timestamp(it->get<std::string>());
  if (!t) invalid(key, fmt::format("\"{}\" is not an RFC 3339 time", it->get<std::string>()));
  return *t;
}

std::optional<Timestamp> get_optional_time(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return get_time(j, key, Timestamp{});
}

Json optional_time(const std::optional<Timestamp>& t) {
  return t ? Json(format_timestamp(*t)) : Json(nullptr);
}

std::optional<Embedding> get_embedding(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) invalid(key, "expected an array of numbers");
  Embedding v;
  v.reserve(it->size());
  for (const auto& x : *it) {
    if (!x.is_number()) invalid(key, "expected an array of numbers");
    v.push_back(x.get<float>());
  }
  return v;
}

}  // namespace

void to_json(Json& j, const Uuid& v) {
  j = v.to_string();
}

void from_json(const Json& j, Uuid& v) {
  if (!j.is_string()) invalid("id", "expected a UUID string");
  const auto parsed = Uuid::parse(j.get<std::string>());
  if (!parsed) invalid("id", fmt::format("\"{}\" is not a UUID", j.get<std::string>()));
  v = *parsed;
}

void to_json(Json& j, const EngineState& v) {
  j = Json{{"importance", v.importance},
           {"access_count", v.access_count},
           {"last_accessed_at", optional_time(v.last_accessed_at)},
           {"retrieval_strength", v.retrieval_strength},
           {"storage_strength", v.storage_strength},
           {"superseded_by", v.superseded_by ? Json(*v.superseded_by) : Json(nullptr)},
           {"suppressed", v.suppressed}};
}

void from_json(const Json& j, EngineState& v) {
  check_keys(j, "engine",
             {"importance", "access_count", "last_accessed_at", "retrieval_strength",
              "storage_strength", "superseded_by", "suppressed"});
  EngineState d;
  v.importance = get_field(j, "importance", d.importance);
  v.access_count = get_field(j, "access_count", d.access_count);
  v.last_accessed_at = get_optional_time(j, "last_accessed_at");
  v.retrieval_strength = get_field(j, "retrieval_strength", d.retrieval_strength);
  v.storage_strength = get_field(j, "storage_strength", d.storage_strength);
  v.superseded_by.reset();
  if (j.contains("superseded_by") && !j["superseded_by"].is_null()) {
    v.superseded_by = j["superseded_by"].get<Uuid>();
  }
  v.suppressed = get_field(j, "suppressed", d.suppressed);
}

void to_json(Json& j, const Memory& v) {
  j = Json{{"id", v.id},
           {"content", v.content},
           {"node_type", v.node_type},
           {"tags", v.tags},
           {"metadata", v.metadata},
           {"codebase", v.codebase ? Json(*v.codebase) : Json(nullptr)},
           {"domains", v.domains},
           {"domain_scores", v.domain_scores},
           {"owner_user_id", v.owner_user_id},
           {"visibility", visibility_name(v.visibility)},
           {"shared_with_groups", v.shared_with_groups},
           {"created_at", format_timestamp(v.created_at)},
           {"updated_at", format_timestamp(v.updated_at)},
           {"engine", v.engine}};
  if (v.embedding) j["embedding"] = *v.embedding;
}

void from_json(const Json& j, Memory& v) {
  check_keys(j, "memory",
             {"id", "content", "node_type", "tags", "metadata", "codebase", "domains",
              "domain_scores", "owner_user_id", "visibility", "shared_with_groups", "created_at",
              "updated_at", "engine", "embedding"});
  Memory m;
  if (j.contains("id") && !j["id"].is_null()) m.id = j["id"].get<Uuid>();
  m.content = require_string(j, "content");
  m.node_type = get_field(j, "node_type", std::string(kDefaultNodeType));
  m.tags = get_field(j, "tags", std::vector<std::string>{});
  m.metadata = get_field(j, "metadata", Json::object());
  if (!m.metadata.is_object()) invalid("metadata", "expected a JSON object");
  if (j.contains("codebase") && !j["codebase"].is_null())
    m.codebase = require_string(j, "codebase");
  m.domains = get_field(j, "domains", std::vector<std::string>{});
  m.domain_scores = get_field(j, "domain_scores", Json::object());
  if (!m.domain_scores.is_object()) invalid("domain_scores", "expected a JSON object");
  if (j.contains("owner_user_id") && !j["owner_user_id"].is_null()) {
    m.owner_user_id = j["owner_user_id"].get<Uuid>();
  }
  const auto visibility = get_field(j, "visibility", std::string("private"));
  const auto parsed = parse_visibility(visibility);
  if (!parsed) invalid("visibility", "expected private, group or public");
  m.visibility = *parsed;
  if (j.contains("shared_with_groups") && !j["shared_with_groups"].is_null()) {
    if (!j["shared_with_groups"].is_array()) invalid("shared_with_groups", "expected an array");
    for (const auto& g : j["shared_with_groups"]) m.shared_with_groups.push_back(g.get<Uuid>());
  }
  m.created_at = get_time(j, "created_at", Timestamp{});
  m.updated_at = get_time(j, "updated_at", Timestamp{});
  if (j.contains("engine") && !j["engine"].is_null()) m.engine = j["engine"].get<EngineState>();
  m.embedding = get_embedding(j, "embedding");
  v = std::move(m);
}

void to_json(Json& j, const SchedulingState& v) {
  j = Json{{"memory_id", v.memory_id},
           {"stability", v.stability},
           {"difficulty", v.difficulty},
           {"reps", v.reps},
           {"lapses", v.lapses},
           {"state", v.state},
           {"last_review", optional_time(v.last_review)},
           {"next_review", format_timestamp(v.next_review)}};
}

void from_json(const Json& j, SchedulingState& v) {
  check_keys(j, "scheduling",
             {"memory_id", "stability", "difficulty", "reps", "lapses", "state", "last_review",
              "next_review"});
  SchedulingState s;
  if (j.contains("memory_id") && !j["memory_id"].is_null())
    s.memory_id = j["memory_id"].get<Uuid>();
  s.stability = get_field(j, "stability", 0.0);
  s.difficulty = get_field(j, "difficulty", 0.0);
  s.reps = get_field(j, "reps", 0);
  s.lapses = get_field(j, "lapses", 0);
  s.state = get_field(j, "state", std::string("new"));
  s.last_review = get_optional_time(j, "last_review");
  s.next_review = get_time(j, "next_review", Timestamp{});
  v = std::move(s);
}

void to_json(Json& j, const ReviewEvent& v) {
  j = Json{{"id", v.id},
           {"memory_id", v.memory_id},
           {"reviewed_at", format_timestamp(v.reviewed_at)},
           {"rating", v.rating},
           {"prior_state", v.prior_state ? Json(*v.prior_state) : Json(nullptr)},
           {"new_state", v.new_state}};
}

void from_json(const Json& j, ReviewEvent& v) {
  check_keys(j, "review event",
             {"id", "memory_id", "reviewed_at", "rating", "prior_state", "new_state"});
  ReviewEvent e;
  e.id = get_field<std::int64_t>(j, "id", 0);
  e.memory_id = j.at("memory_id").get<Uuid>();
  e.reviewed_at = get_time(j, "reviewed_at", Timestamp{});
  e.rating = get_field(j, "rating", 0);
  if (j.contains("prior_state") && !j["prior_state"].is_null()) {
    e.prior_state = j["prior_state"].get<SchedulingState>();
  }
  if (j.contains("new_state")) e.new_state = j["new_state"].get<SchedulingState>();
  v = std::move(e);
}

void to_json(Json& j, const Edge& v) {
  j = Json{{"source_id", v.source_id}, {"target_id", v.target_id},
           {"edge_type", v.edge_type}, {"weight", v.weight},
           {"metadata", v.metadata},   {"created_at", format_timestamp(v.created_at)}};
}

void from_json(const Json& j, Edge& v) {
  check_keys(j, "edge",
             {"source_id", "target_id", "edge_type", "weight", "metadata", "created_at"});
  Edge e;
  e.source_id = j.at("source_id").get<Uuid>();
  e.target_id = j.at("target_id").get<Uuid>();
  e.edge_type = require_string(j, "edge_type");
  e.weight = get_field(j, "weight", 1.0);
  e.metadata = get_field(j, "metadata", Json::object());
  e.created_at = get_time(j, "created_at", Timestamp{});
  v = std::move(e);
}

void to_json(Json& j, const Domain& v) {
  j = Json{{"id", v.id},
           {"label", v.label},
           {"centroid", v.centroid ? Json(*v.centroid) : Json(nullptr)},
           {"metadata", v.metadata},
           {"created_at", format_timestamp(v.created_at)},
           {"updated_at", format_timestamp(v.updated_at)}};
}

void from_json(const Json& j, Domain& v) {
  check_keys(j, "domain", {"id", "label", "centroid", "metadata", "created_at", "updated_at"});
  Domain d;
  d.id = require_string(j, "id");
  d.label = get_field(j, "label", std::string());
  d.centroid = get_embedding(j, "centroid");
  d.metadata = get_field(j, "metadata", Json::object());
  d.created_at = get_time(j, "created_at", Timestamp{});
  d.updated_at = get_time(j, "updated_at", Timestamp{});
  v = std::move(d);
}

void to_json(Json& j, const ModelSignature& v) {
  j = Json{{"name", v.name}, {"dimension", v.dimension}, {"hash", v.hash}};
}

void from_json(const Json& j, ModelSignature& v) {
  check_keys(j, "model", {"name", "dimension", "hash"});
  v.name = require_string(j, "name");
  v.dimension = get_field(j, "dimension", 0);
  v.hash = require_string(j, "hash");
}

void to_json(Json& j, const RegisteredModel& v) {
  j = Json(v.signature);
  j["created_at"] = format_timestamp(v.created_at);
}

void to_json(Json& j, const SearchResult& v) {
  j = Json(v.memory);
  j.erase("embedding");
  j["score"] = v.score;
  j["text_rank"] = v.text_rank ? Json(*v.text_rank) : Json(nullptr);
  j["vector_rank"] = v.vector_rank ? Json(*v.vector_rank) : Json(nullptr);
  j["text_score"] = v.text_score ? Json(*v.text_score) : Json(nullptr);
  j["vector_distance"] = v.vector_distance ? Json(*v.vector_distance) : Json(nullptr);
  j["retrievability"] = v.retrievability;
}

void to_json(Json& j, const StoreStats& v) {
  j = Json{{"backend", v.backend},
           {"memories", v.memories},
           {"memories_with_embedding", v.memories_with_embedding},
           {"scheduled", v.scheduled},
           {"due_now", v.due_now},
           {"review_events", v.review_events},
           {"edges", v.edges},
           {"domains", v.domains},
           {"by_node_type", v.by_node_type},
           {"model", v.model ? Json(*v.model) : Json(nullptr)},
           {"schema_version", v.schema_version},
           {"storage_bytes", v.storage_bytes ? Json(*v.storage_bytes) : Json(nullptr)}};
}

void to_json(Json& j, const HealthReport& v) {
  j = Json{{"status", health_status_name(v.status)},
           {"backend", v.backend},
           {"server_version", v.server_version},
           {"schema_version", v.schema_version},
           {"model", v.model ? Json(*v.model) : Json(nullptr)},
           {"problems", v.problems}};
}

}  // namespace vestige
