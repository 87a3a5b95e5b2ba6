#pragma once

// Mapping between the store's values and PostgreSQL rows, and the input checks
// that run before anything is written.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/input_checks.h"
#include "store/postgres/connection.h"
#include "vestige/types.h"

namespace vestige::postgres {

// The knowledge_nodes SELECT list (table alias n) that read_memory expects,
// 21 columns. Without the embedding, the column is NULL.
std::string memory_columns(bool with_embedding);
inline constexpr int kMemoryColumnCount = 21;
// Reads the memory whose columns start at `first`.
Memory read_memory(const Result& r, int row, int first = 0);

// Parameters $1..$20 of a memory row, in the order of the INSERT and UPDATE
// statements (rows.cc): every column except embedding.
void add_memory_params(Params& params, const Memory& memory);

inline constexpr std::string_view kSchedulingColumns =
    "memory_id, stability, difficulty, reps, lapses, state, last_review, next_review";
// The same columns as SELECT expressions.
std::string scheduling_select();
SchedulingState read_scheduling(const Result& r, int row, int first = 0);

// ---- Values -------------------------------------------------------------------

// Compact JSON text; Error(kInvalidInput) naming `field` when it holds strings
// that are not valid UTF-8 or hold a NUL character (jsonb refuses \u0000).
std::string json_text(const Json& value, std::string_view field);
Json json_value(std::string_view text);
Timestamp time_value(std::string_view text);
std::optional<Timestamp> optional_time(const Result& r, int row, int column);
Uuid uuid_value(std::string_view text);
// pgvector's text output ("[1,-0,5.877472e-39]"), which is the shortest text
// that reads back as the same float, so parsing it is bit-exact.
Embedding vector_value(std::string_view text);
std::optional<Embedding> optional_vector(const Result& r, int row, int column);

// ---- Input checks (Error(kInvalidInput), nothing written) --------------------

// The shared checks (store/input_checks.h), plus: PostgreSQL text cannot hold
// a NUL character.
using store_checks::require_id;
using store_checks::require_json_object;
using store_checks::validate_engine_state;
using store_checks::validate_vector;
void require_text(std::string_view text, std::string_view field);
void validate_memory(const Memory& memory);
void validate_scheduling(const SchedulingState& state);

}  // namespace vestige::postgres
