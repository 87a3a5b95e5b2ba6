#include "store/input_checks.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "vestige/error.h"

namespace vestige::store_checks {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, message);
}

}  // namespace

void require_id(const Uuid& id, std::string_view field) {
  if (id.is_nil()) invalid(fmt::format("{} must be set (it is the nil UUID)", field));
}

void require_json_object(const Json& value, std::string_view field) {
  if (!value.is_object()) {
    invalid(fmt::format("{} must be a JSON object, not {}", field, value.type_name()));
  }
}

void require_finite(double value, std::string_view field) {
  if (!std::isfinite(value)) invalid(fmt::format("{} must be a finite number", field));
}

void validate_vector(std::span<const float> vector, std::string_view what) {
  if (vector.empty()) invalid(fmt::format("{} is empty", what));
  for (const float x : vector) {
    if (!std::isfinite(x)) invalid(fmt::format("{} contains a value that is not finite", what));
  }
}

void validate_memory(const Memory& m) {
  if (m.content.empty()) invalid("a memory's content must not be empty");
  if (m.node_type.empty()) invalid("a memory's node_type must not be empty (the default is fact)");
  if (m.visibility != Visibility::kPrivate && m.visibility != Visibility::kGroup &&
      m.visibility != Visibility::kPublic) {
    invalid(fmt::format("visibility {} is unknown; use private, group or public",
                        static_cast<int>(m.visibility)));
  }
  require_json_object(m.metadata, "metadata");
  require_json_object(m.domain_scores, "domain_scores");
  require_id(m.owner_user_id, "owner_user_id");
  for (const auto& group : m.shared_with_groups) require_id(group, "a shared_with_groups entry");
  if (m.embedding) validate_vector(*m.embedding, "the memory's embedding");
  validate_engine_state(m.engine);
}

void validate_engine_state(const EngineState& e) {
  require_finite(e.importance, "importance");
  require_finite(e.retrieval_strength, "retrieval_strength");
  require_finite(e.storage_strength, "storage_strength");
}

void validate_scheduling(const SchedulingState& s) {
  require_id(s.memory_id, "the scheduling state's memory_id");
  require_finite(s.stability, "stability");
  require_finite(s.difficulty, "difficulty");
  if (s.state.empty()) invalid("a scheduling state's state must not be empty (new, learning, ...)");
}

void validate_query(const SearchQuery& query) {
  if (query.limit < 1) invalid("a search needs a limit of at least 1");
  if (query.rrf_k < 1) invalid(fmt::format("rrf_k must be at least 1, not {}", query.rrf_k));
  for (const double weight : {query.text_weight, query.vector_weight}) {
    if (!std::isfinite(weight) || weight < 0.0) {
      invalid("text_weight and vector_weight must be finite and not negative");
    }
  }
  if (const auto& r = query.filter.min_retrievability; r && !(*r >= 0.0 && *r <= 1.0)) {
    invalid(fmt::format("min_retrievability must be between 0 and 1, not {}", *r));
  }
  if (query.embedding) validate_vector(*query.embedding, "the query embedding");
}

}  // namespace vestige::store_checks
