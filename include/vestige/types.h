#pragma once

// The data model shared by every module (product.md, "Data model").
// Plain values: no behaviour beyond what keeps them consistent.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vestige/clock.h"
#include "vestige/uuid.h"

namespace vestige {

using Json = nlohmann::json;
using Embedding = std::vector<float>;

enum class Visibility { kPrivate, kGroup, kPublic };
std::string_view visibility_name(Visibility v);  // "private", "group", "public"
std::optional<Visibility> parse_visibility(std::string_view name);

inline constexpr std::string_view kDefaultNodeType = "fact";

// What the engine needs to survive restarts. Stored in columns of the memory's
// row in both backends.
struct EngineState {
  double importance = 0.5;        // [0, 1], from ingest signals
  std::int64_t access_count = 0;  // recalls that returned the memory
  std::optional<Timestamp> last_accessed_at;
  double retrieval_strength = 1.0;  // [0, 1], follows retrievability
  double storage_strength = 1.0;    // >= 0, never decays
  std::optional<Uuid> superseded_by;
  bool suppressed = false;  // hidden from recall without being deleted

  friend bool operator==(const EngineState&, const EngineState&) = default;
};

// A memory ("knowledge node").
struct Memory {
  Uuid id;  // nil means "assign one" on insert
  std::string content;
  std::string node_type{kDefaultNodeType};
  std::vector<std::string> tags;
  Json metadata = Json::object();  // source, file, topics, session_id, ...; never dropped
  std::optional<std::string> codebase;
  std::vector<std::string> domains;       // reserved for topical clustering
  Json domain_scores = Json::object();    // reserved for topical clustering
  std::optional<Embedding> embedding;     // registered dimension, or none
  Uuid owner_user_id = kBootstrapUserId;  // reserved for multi-user
  Visibility visibility = Visibility::kPrivate;
  std::vector<Uuid> shared_with_groups;
  Timestamp created_at{};  // epoch means "now" on insert
  Timestamp updated_at{};  // set by the store on every write
  EngineState engine;

  friend bool operator==(const Memory&, const Memory&) = default;
};

// FSRS-6 state of one memory (product.md, "FSRS-6").
struct SchedulingState {
  Uuid memory_id;
  double stability = 0.0;   // days, [0.1, 36500] once reviewed
  double difficulty = 0.0;  // [1, 10] once reviewed
  std::int32_t reps = 0;
  std::int32_t lapses = 0;
  std::string state = "new";  // new, learning, review, relearning
  std::optional<Timestamp> last_review;
  Timestamp next_review{};

  friend bool operator==(const SchedulingState&, const SchedulingState&) = default;
};

// One entry of the append-only review log.
struct ReviewEvent {
  std::int64_t id = 0;  // assigned by the store on append
  Uuid memory_id;
  Timestamp reviewed_at{};
  int rating = 0;                              // 1 again, 2 hard, 3 good, 4 easy
  std::optional<SchedulingState> prior_state;  // none for the first review
  SchedulingState new_state;

  friend bool operator==(const ReviewEvent&, const ReviewEvent&) = default;
};

// A directed, typed, weighted link. Key: (source_id, target_id, edge_type).
struct Edge {
  Uuid source_id;
  Uuid target_id;
  std::string edge_type;  // e.g. "related", "supersedes", "updates", "merged", "temporal"
  double weight = 1.0;
  Json metadata = Json::object();
  Timestamp created_at{};  // epoch means "now"

  friend bool operator==(const Edge&, const Edge&) = default;
};

enum class EdgeDirection { kOutgoing, kIncoming, kBoth };

// A memory reached by walking edges from a start memory.
struct Neighbour {
  Uuid id;
  int depth = 0;  // 1 for a direct neighbour
  Edge via;       // the edge by which it was first reached

  friend bool operator==(const Neighbour&, const Neighbour&) = default;
};

// A topical cluster (reserved; CRUD only for now).
struct Domain {
  std::string id;
  std::string label;
  std::optional<Embedding> centroid;
  Json metadata = Json::object();
  Timestamp created_at{};
  Timestamp updated_at{};

  friend bool operator==(const Domain&, const Domain&) = default;
};

// Identity of an embedding model. Two signatures are the same model only when
// all three fields are equal; `hash` covers the algorithm version and every
// parameter that changes the vectors.
struct ModelSignature {
  std::string name;  // e.g. "builtin/hash-384", "ollama/nomic-embed-text"
  int dimension = 0;
  std::string hash;

  friend bool operator==(const ModelSignature&, const ModelSignature&) = default;
};
// "builtin/hash-384 (dimension 384, hash 3f2a...)"
std::string describe(const ModelSignature& model);

// The store's one registry row.
struct RegisteredModel {
  ModelSignature signature;
  Timestamp created_at{};

  friend bool operator==(const RegisteredModel&, const RegisteredModel&) = default;
};

// Filters shared by every search branch. Empty means "no filter".
struct SearchFilter {
  std::vector<std::string> tags;        // the memory carries every one of them
  std::vector<std::string> node_types;  // the memory's type is one of them
  std::optional<std::string> codebase;  // exact match
  // FSRS retrievability computed at query time from stability and last review;
  // memories without a scheduling row count as 1.0.
  std::optional<double> min_retrievability;
  bool include_suppressed = false;
};

struct SearchQuery {
  std::string text;                    // full-text branch; may be empty for vector-only
  std::optional<Embedding> embedding;  // vector branch; none for text-only
  std::size_t limit = 10;
  SearchFilter filter;
  // Reciprocal Rank Fusion: score = sum over branches of weight / (k + rank).
  double text_weight = 1.0;
  double vector_weight = 1.0;
  int rrf_k = 60;
  std::optional<Timestamp> now;  // retrievability reference time; default now_utc()
};

struct SearchResult {
  Memory memory;                         // without its embedding
  double score = 0.0;                    // fused score for hybrid, the branch's own score otherwise
  std::optional<std::size_t> text_rank;  // 1-based rank in the text branch
  std::optional<std::size_t> vector_rank;  // 1-based rank in the vector branch
  std::optional<double> text_score;        // higher is better (negated bm25 on SQLite)
  std::optional<double> vector_distance;   // cosine distance, 0 = identical
  double retrievability = 1.0;             // at the query's reference time
};

struct StoreStats {
  std::string backend;  // "sqlite" or "postgres"
  std::int64_t memories = 0;
  std::int64_t memories_with_embedding = 0;
  std::int64_t scheduled = 0;
  std::int64_t due_now = 0;
  std::int64_t review_events = 0;
  std::int64_t edges = 0;
  std::int64_t domains = 0;
  std::map<std::string, std::int64_t> by_node_type;
  std::optional<RegisteredModel> model;
  int schema_version = 0;
  std::optional<std::int64_t> storage_bytes;
};

// How a memory's retention is computed (the engine's dual-strength model,
// src/engine/strength.h), handed to MemoryStore::retention_summary so that the
// store can aggregate it where the rows are instead of sending every memory:
//   retention = retrieval_weight * R(t, S) + storage_weight * min(storage / saturation, 1)
// with R the FSRS-6 retrievability (vestige/fsrs.h), S the clamped stability of a
// reviewed memory or `unscheduled_stability_days`, and t the days since the later
// of (last review, else creation) and the last access.
struct RetentionModel {
  double retrieval_weight = 0.0;
  double storage_weight = 0.0;
  double storage_saturation = 1.0;
  double unscheduled_stability_days = 1.0;
  // State bounds, strictly above each: active > active_above >= dormant > ...
  double active_above = 0.0;
  double dormant_above = 0.0;
  double silent_above = 0.0;
};

// Every memory's retention at one time, summarised.
struct RetentionSummary {
  std::int64_t memories = 0;
  double mean = 0.0;  // 0 when there are no memories
  // Counts by state: active, dormant, silent, unavailable.
  std::array<std::int64_t, 4> by_state{};
};

enum class HealthStatus { kOk, kDegraded, kDown };
std::string_view health_status_name(HealthStatus s);  // "ok", "degraded", "down"

struct HealthReport {
  HealthStatus status = HealthStatus::kOk;
  std::string backend;
  std::string server_version;  // e.g. "SQLite 3.40.1"
  int schema_version = 0;
  std::optional<RegisteredModel> model;
  std::vector<std::string> problems;  // each a sentence saying what and what to do
};

// Position after which the next export page starts: keyset (created_at, id).
struct ExportCursor {
  Timestamp created_at{};
  Uuid id;
  friend bool operator==(const ExportCursor&, const ExportCursor&) = default;
};

struct ExportPage {
  std::vector<Memory> memories;      // ordered by (created_at, id), with embeddings
  std::optional<ExportCursor> next;  // none when this was the last page
};

// JSON conversions (nlohmann ADL). Timestamps are RFC 3339 strings, ids
// canonical strings, embeddings arrays of numbers. from_json throws
// vestige::Error(kInvalidInput) naming the offending field.
void to_json(Json& j, const Uuid& v);
void from_json(const Json& j, Uuid& v);
void to_json(Json& j, const EngineState& v);
void from_json(const Json& j, EngineState& v);
void to_json(Json& j, const Memory& v);
void from_json(const Json& j, Memory& v);
void to_json(Json& j, const SchedulingState& v);
void from_json(const Json& j, SchedulingState& v);
void to_json(Json& j, const ReviewEvent& v);
void from_json(const Json& j, ReviewEvent& v);
void to_json(Json& j, const Edge& v);
void from_json(const Json& j, Edge& v);
void to_json(Json& j, const Domain& v);
void from_json(const Json& j, Domain& v);
void to_json(Json& j, const ModelSignature& v);
void from_json(const Json& j, ModelSignature& v);
void to_json(Json& j, const RegisteredModel& v);
void to_json(Json& j, const SearchResult& v);
void to_json(Json& j, const StoreStats& v);
void to_json(Json& j, const HealthReport& v);

}  // namespace vestige
