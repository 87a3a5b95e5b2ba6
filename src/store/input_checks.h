#pragma once

// Input checks every backend applies before it writes or searches, so that
// both refuse the same input with the same message. Each throws
// Error(kInvalidInput) and nothing is written. A backend adds its own limits
// on top (PostgreSQL text cannot hold NUL characters).

#include <span>
#include <string_view>

#include "vestige/types.h"

namespace vestige::store_checks {

void require_id(const Uuid& id, std::string_view field);
void require_json_object(const Json& value, std::string_view field);
void require_finite(double value, std::string_view field);
// Not empty, every value finite; `what` names the vector in the message.
void validate_vector(std::span<const float> vector, std::string_view what);
void validate_memory(const Memory& memory);
void validate_engine_state(const EngineState& state);
void validate_scheduling(const SchedulingState& state);
void validate_query(const SearchQuery& query);

}  // namespace vestige::store_checks
