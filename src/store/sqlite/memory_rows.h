#pragma once

// Mapping between the store's values and SQLite rows, and the input checks
// that run before anything is written.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/input_checks.h"
#include "store/sqlite/database.h"
#include "vestige/types.h"

namespace vestige::sqlite {

// ---- Columns ----------------------------------------------------------------

// The knowledge_nodes SELECT list that read_memory expects. Without the
// embedding, the column is NULL (search results do not carry vectors).
std::string memory_columns(bool with_embedding);
Memory read_memory(const Statement& stmt);

// Inserts one memory row with every column bound by name (bind_memory plus
// :created_at and :embedding); a row whose id exists is left as it is.
inline constexpr std::string_view kInsertMemory = R"sql(
  INSERT INTO knowledge_nodes (
    id, content, node_type, tags, metadata, codebase, domains, domain_scores, embedding,
    owner_user_id, visibility, shared_with_groups, created_at, updated_at,
    importance, access_count, last_accessed_at, retrieval_strength, storage_strength,
    superseded_by, suppressed)
  VALUES (
    :id, :content, :node_type, :tags, :metadata, :codebase, :domains, :domain_scores, :embedding,
    :owner_user_id, :visibility, :shared_with_groups, :created_at, :updated_at,
    :importance, :access_count, :last_accessed_at, :retrieval_strength, :storage_strength,
    :superseded_by, :suppressed)
  ON CONFLICT (id) DO NOTHING
)sql";

// Binds every :name parameter of the memory columns except :created_at and
// :embedding, which not every statement assigns.
void bind_memory(Statement& stmt, const Memory& memory);

// Writes one memory's engine state and updated_at, and nothing else. It names
// none of content, node_type, tags and embedding, so neither the full-text
// trigger (AFTER UPDATE OF content, node_type, tags) nor the vector_log
// trigger (AFTER UPDATE OF embedding) fires: no re-indexing, and no other
// process reloads the vector.
inline constexpr std::string_view kUpdateEngineState = R"sql(
  UPDATE knowledge_nodes SET
    updated_at = :updated_at, importance = :importance, access_count = :access_count,
    last_accessed_at = :last_accessed_at, retrieval_strength = :retrieval_strength,
    storage_strength = :storage_strength, superseded_by = :superseded_by,
    suppressed = :suppressed
  WHERE id = :id
)sql";

// Binds the engine-state parameters (:importance ... :suppressed).
void bind_engine_state(Statement& stmt, const EngineState& engine);

SchedulingState read_scheduling(const Statement& stmt, int first_column);

// ---- Values -------------------------------------------------------------------

// Compact JSON text; Error(kInvalidInput) naming `field` when it holds
// strings that are not valid UTF-8.
std::string json_text(const Json& value, std::string_view field);
// JSON read back from a column; Error(kBackend) when it does not parse.
Json json_column(const Statement& stmt, int column);

Timestamp time_column(const Statement& stmt, int column);
std::optional<Timestamp> optional_time_column(const Statement& stmt, int column);
Uuid uuid_column(const Statement& stmt, int column);
std::optional<Embedding> embedding_column(const Statement& stmt, int column);

// A vector parameter, or NULL.
void bind_embedding(Statement& stmt, int index, const std::optional<Embedding>& embedding);

// ---- Input checks (Error(kInvalidInput), nothing written) --------------------

using store_checks::require_id;
using store_checks::require_json_object;
using store_checks::validate_engine_state;
using store_checks::validate_memory;
using store_checks::validate_scheduling;
using store_checks::validate_vector;

}  // namespace vestige::sqlite
