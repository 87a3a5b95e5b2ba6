#pragma once

// The PostgreSQL MemoryStore. Its methods are spread over several files by
// topic: pg_store.cc (opening, registry, memories), search.cc, scheduling.cc,
// graph.cc, domains.cc, introspection.cc.

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_set>

#include "store/postgres/pool.h"
#include "store/postgres/schema.h"
#include "vestige/memory_store.h"

namespace vestige::postgres {

// Thread safety: every method takes one connection from the pool for its
// whole unit of work, so threads share a handle freely; `bound_` (the model
// this handle is bound to) is guarded by its own mutex. Several handles and
// processes coordinate through the server's transactions.
class PgMemoryStore final : public MemoryStore {
 public:
  PgMemoryStore(std::unique_ptr<Pool> pool, ServerInfo server, bool read_only);

  std::string backend_name() const override { return "postgres"; }

  std::optional<RegisteredModel> registered_model() override;
  RegisteredModel register_model(const ModelSignature& model) override;

  Memory insert(const Memory& memory) override;
  std::vector<Memory> insert_batch(std::span<const Memory> memories) override;
  std::size_t insert_missing(std::span<const Memory> memories) override;
  std::optional<Memory> get(const Uuid& id) override;
  std::vector<Memory> get_batch(std::span<const Uuid> ids) override;
  Memory update(const Memory& memory) override;
  EngineStateWrite update_engine_state(std::span<const EngineStateUpdate> updates) override;
  bool remove(const Uuid& id) override;

  std::vector<SearchResult> hybrid_search(const SearchQuery& query) override;
  std::vector<SearchResult> text_search(const SearchQuery& query) override;
  std::vector<SearchResult> vector_search(const SearchQuery& query) override;

  std::optional<SchedulingState> get_scheduling(const Uuid& memory_id) override;
  void upsert_scheduling(const SchedulingState& state) override;
  std::vector<SchedulingState> due(Timestamp now, std::size_t limit) override;
  ReviewEvent append_review_event(const ReviewEvent& event) override;
  std::vector<ReviewEvent> review_events(const Uuid& memory_id) override;

  void add_edge(const Edge& edge) override;
  std::vector<Edge> edges(const Uuid& memory_id, EdgeDirection direction) override;
  bool remove_edge(const Uuid& source_id, const Uuid& target_id,
                   const std::string& edge_type) override;
  std::vector<Neighbour> neighbours(const Uuid& start, int max_depth) override;

  Domain upsert_domain(const Domain& domain) override;
  std::optional<Domain> get_domain(const std::string& id) override;
  std::vector<Domain> list_domains() override;
  bool remove_domain(const std::string& id) override;

  StoreStats stats(Timestamp now) override;
  HealthReport health() override;
  RetentionSummary retention_summary(const RetentionModel& model, Timestamp now) override;
  ExportPage export_page(const std::optional<ExportCursor>& after, std::size_t limit) override;

  const ServerInfo& server() const { return server_; }

 private:
  enum class SearchMode { kHybrid, kText, kVector };

  // Runs `work` in a write transaction on one connection.
  template <typename Work>
  auto write(Work&& work) {
    refuse_if_read_only();
    return pool_->transaction(std::forward<Work>(work));
  }
  void refuse_if_read_only() const;
  std::optional<ModelSignature> bound() const;

  // Inside the caller's transaction or unit of work.
  static std::optional<RegisteredModel> read_registry(Connection& conn);
  // Checks that a vector of `dimension` values may be written (`writing`) or
  // queried with (see SqliteMemoryStore::require_model: same rules).
  void require_model(Connection& conn, std::size_t dimension, bool writing);
  // Inserts `memories` as they are (ids and times assigned) with multi-row
  // INSERTs, skipping ids that exist; returns the ids it inserted.
  std::unordered_set<Uuid> insert_rows(Connection& conn, std::span<const Memory> memories);
  std::vector<SearchResult> search(SearchQuery query, SearchMode mode);

  std::unique_ptr<Pool> pool_;
  const ServerInfo server_;
  const bool read_only_;
  mutable std::mutex bound_mutex_;
  std::optional<ModelSignature> bound_;
};

}  // namespace vestige::postgres
