#pragma once

// The contract both storage backends implement (SQLite in store/sqlite/,
// PostgreSQL in store/postgres/). The engine, the CLI and the operator tools
// talk to storage only through this interface, and the contract test suite
// (tests/contract/) checks every backend against it.
//
// Errors: every method throws vestige::Error and nothing else:
//   kInvalidInput   the argument is wrong (empty content, bad rating, a vector
//                   of the wrong dimension, ...); nothing was written
//   kModelMismatch  a vector write or query while the store's registered model
//                   differs from this handle's model; nothing was written
//   kNotFound       only where a method says so (update, upsert_scheduling,
//                   append_review_event, add_edge on a missing memory;
//                   update_engine_state reports missing memories instead)
//   kBackend        the database failed; a write that failed wrote nothing
//   kPoolTimeout    (Postgres) no connection became free in time
// Methods that look something up return std::optional / bool / empty vectors
// for "not there" instead of throwing.
//
// Threads and processes: a store handle is safe to use from several threads at
// once. Several handles, in one process or in several processes, may open the
// same database; a write committed through one is visible to every later call
// on the others, vector search included, and concurrent writers never surface
// "database is locked" (they wait, bounded by the busy timeout).
//
// Every write is atomic: a batch insert writes all of its memories or none.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vestige/config.h"
#include "vestige/types.h"

namespace vestige {

// The engine state to write to one memory (MemoryStore::update_engine_state).
struct EngineStateUpdate {
  Uuid id;
  EngineState engine;
};

// What update_engine_state wrote.
struct EngineStateWrite {
  Timestamp updated_at{};     // the updated_at every written memory now has
  std::size_t written = 0;    // memories written (a repeated id counts once)
  std::vector<Uuid> missing;  // ids with no memory, in the order given, each once
};

class MemoryStore {
 public:
  virtual ~MemoryStore() = default;

  // "sqlite" or "postgres".
  virtual std::string backend_name() const = 0;

  // ---- Embedding model registry -------------------------------------------

  // The registry row, or nullopt when no model has been registered yet.
  virtual std::optional<RegisteredModel> registered_model() = 0;

  // Binds this handle to `model` and returns the registry row. When the store
  // has no registered model, registers `model` first. When the store's model
  // differs, throws kModelMismatch (the message names both signatures and
  // `vestige migrate reembed --model=<name>`) and leaves the handle unbound.
  // Vector writes and vector queries need a bound handle (kInvalidInput
  // otherwise) and are re-checked against the registry, so a model changed by
  // another process is refused rather than mixed.
  virtual RegisteredModel register_model(const ModelSignature& model) = 0;

  // ---- Memories ------------------------------------------------------------

  // Inserts a memory and returns it as stored: a nil id is replaced by a new
  // UUIDv7, an epoch created_at by now, updated_at is set. An existing id
  // throws kInvalidInput. Content must be non-empty. An embedding must have the
  // registered dimension.
  virtual Memory insert(const Memory& memory) = 0;

  // Inserts all memories in one transaction, same rules as insert; returns
  // them as stored, in order.
  virtual std::vector<Memory> insert_batch(std::span<const Memory> memories) = 0;

  // Inserts each memory whose id is not present yet and leaves existing ones
  // untouched; ids must be set. Returns how many were inserted. Used by import
  // and copy, which must be idempotent. One transaction.
  virtual std::size_t insert_missing(std::span<const Memory> memories) = 0;

  // The memory with its embedding, or nullopt.
  virtual std::optional<Memory> get(const Uuid& id) = 0;

  // The memories that exist among `ids`, in the order of `ids`, duplicates
  // and missing ids skipped.
  virtual std::vector<Memory> get_batch(std::span<const Uuid> ids) = 0;

  // Replaces every field of the memory with `memory.id` except id and
  // created_at; sets updated_at. Scheduling, review events and edges are kept.
  // Throws kNotFound when the id does not exist.
  virtual Memory update(const Memory& memory) = 0;

  // Writes the engine state (every field of EngineState) of each listed memory
  // and sets its updated_at, all in one transaction; every other column is
  // left as it is. No indexed column changes, so the memory's text and vector
  // are not re-indexed (SQLite's text and vector triggers do not fire). This
  // is the write for access recording, decay and supersession, which change
  // nothing a search matches on; update() would rewrite the whole row.
  // A repeated id gets its last entry. Ids with no memory (deleted meanwhile)
  // are skipped and listed in `missing`; the others are still written, since a
  // deleted memory has no state left to keep. An empty span writes nothing
  // and returns an empty result. kInvalidInput, nothing written, for a nil id
  // or a non-finite importance or strength.
  virtual EngineStateWrite update_engine_state(std::span<const EngineStateUpdate> updates) = 0;

  // Deletes the memory with its scheduling, review events and edges. Returns
  // false when it did not exist.
  virtual bool remove(const Uuid& id) = 0;

  // ---- Search ----------------------------------------------------------------
  // All three return at most query.limit results, best first, ties broken by
  // id ascending, every filter applied before the limit. Results carry the
  // memory without its embedding. Superseded memories are included (the
  // engine ranks them); suppressed ones only with filter.include_suppressed.

  // Full-text branch and vector branch, each over-fetched (3x limit) with the
  // same filters, fused by weighted Reciprocal Rank Fusion:
  //   score = text_weight/(rrf_k + text_rank) + vector_weight/(rrf_k + vector_rank).
  // With no embedding in the query it is the text branch alone; with empty text,
  // the vector branch alone.
  virtual std::vector<SearchResult> hybrid_search(const SearchQuery& query) = 0;

  // Full-text only (query.text must be non-empty; it is matched as words, never
  // as query syntax, so quotes and operators in it are literal). Score is the
  // backend's relevance (higher is better).
  virtual std::vector<SearchResult> text_search(const SearchQuery& query) = 0;

  // Vector only (query.embedding required). Score is cosine similarity.
  virtual std::vector<SearchResult> vector_search(const SearchQuery& query) = 0;

  // ---- Scheduling and reviews ----------------------------------------------

  virtual std::optional<SchedulingState> get_scheduling(const Uuid& memory_id) = 0;

  // Inserts or replaces the memory's scheduling row. kNotFound when the
  // memory does not exist.
  virtual void upsert_scheduling(const SchedulingState& state) = 0;

  // Scheduling rows with next_review <= now, earliest first, at most `limit`.
  virtual std::vector<SchedulingState> due(Timestamp now, std::size_t limit) = 0;

  // Appends to the review log and returns the event with its id assigned
  // (increasing). kNotFound when the memory does not exist; kInvalidInput for
  // a rating outside 1..4.
  virtual ReviewEvent append_review_event(const ReviewEvent& event) = 0;

  // The memory's review events, oldest first.
  virtual std::vector<ReviewEvent> review_events(const Uuid& memory_id) = 0;

  // ---- Graph -----------------------------------------------------------------

  // Inserts the edge or, when (source, target, type) exists, replaces its
  // weight and metadata. kNotFound when either memory does not exist;
  // kInvalidInput for a self-loop or an empty type.
  virtual void add_edge(const Edge& edge) = 0;

  // Edges touching the memory in the given direction, ordered by
  // (source_id, target_id, edge_type).
  virtual std::vector<Edge> edges(const Uuid& memory_id, EdgeDirection direction) = 0;

  // Returns false when no such edge existed.
  virtual bool remove_edge(const Uuid& source_id, const Uuid& target_id,
                           const std::string& edge_type) = 0;

  // Memories reachable from `start` in 1..max_depth hops over edges in either
  // direction, each listed once at its smallest depth (breadth first, then by
  // id), the start itself excluded.
  virtual std::vector<Neighbour> neighbours(const Uuid& start, int max_depth) = 0;

  // ---- Domains ---------------------------------------------------------------

  // Inserts or replaces by id; sets created_at (first time) and updated_at.
  virtual Domain upsert_domain(const Domain& domain) = 0;
  virtual std::optional<Domain> get_domain(const std::string& id) = 0;
  virtual std::vector<Domain> list_domains() = 0;  // ordered by id
  virtual bool remove_domain(const std::string& id) = 0;

  // ---- Introspection ---------------------------------------------------------

  virtual StoreStats stats(Timestamp now) = 0;
  // Never throws for a database problem: reports it as kDown / kDegraded.
  virtual HealthReport health() = 0;
  // Retention of every memory at `now` under `model` (see RetentionModel),
  // aggregated by the backend in one read-only statement over only the
  // columns retention depends on: no content, metadata or embedding is read.
  virtual RetentionSummary retention_summary(const RetentionModel& model, Timestamp now) = 0;

  // Memories ordered by (created_at, id), starting after `after` (from the
  // beginning when nullopt), at most `limit`, with embeddings. Pages are
  // stable under concurrent inserts of newer memories.
  virtual ExportPage export_page(const std::optional<ExportCursor>& after, std::size_t limit) = 0;
};

// One schema migration as recorded in (or missing from) the ledger.
struct MigrationStatus {
  int version = 0;
  std::string name;
  bool applied = false;
  std::optional<Timestamp> applied_at;
  bool success = true;      // false when the ledger records a failed attempt
  bool checksum_ok = true;  // false when the ledger's checksum differs from the shipped script
};

// The schema of one database: `vestige db status|migrate|revert`.
class SchemaAdmin {
 public:
  virtual ~SchemaAdmin() = default;
  // Every shipped migration, ascending, with its ledger state.
  virtual std::vector<MigrationStatus> status() = 0;
  // Applies pending migrations up to `target` (all when nullopt), each in its
  // own transaction. Returns the versions applied. kInit when the ledger
  // records a failure or a checksum mismatch.
  virtual std::vector<int> migrate(std::optional<int> target) = 0;
  // Runs down scripts, newest first, until the schema is at `target`
  // (0 = empty). Destroys data. Returns the versions reverted.
  virtual std::vector<int> revert(int target) = 0;
};

struct OpenOptions {
  // Apply pending migrations on open (the default for the server and CLI).
  // When false, a store whose schema is behind throws kInit naming
  // `vestige db migrate`.
  bool migrate = true;
  bool read_only = false;
};

// Opens the configured backend. Throws kInit (with what to do) when the
// database cannot be opened or migrated, kConfig for an unknown backend.
std::unique_ptr<MemoryStore> open_store(const Config& config, const OpenOptions& options = {});

// Opens the configured backend's schema administration without migrating.
std::unique_ptr<SchemaAdmin> open_schema_admin(const Config& config);

}  // namespace vestige
