#pragma once

// The SQLite MemoryStore. Its methods are spread over several files by topic:
// sqlite_store.cc (opening, registry, memories), search_results.cc, scheduling.cc,
// graph.cc, domains.cc, introspection.cc.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <type_traits>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/database.h"
#include "store/sqlite/search.h"
#include "store/sqlite/statement_cache.h"
#include "vestige/memory_store.h"

namespace vestige::sqlite {

// Thread safety: one connection, used under `mutex_` by every public method,
// so a handle may be shared by threads. Several handles and several processes
// on one file coordinate through SQLite's locks: writes take the write lock
// up front (BEGIN IMMEDIATE) and wait for it up to the busy timeout.
class SqliteMemoryStore final : public MemoryStore {
 public:
  SqliteMemoryStore(Database db, bool read_only);
  ~SqliteMemoryStore() override;
  SqliteMemoryStore(const SqliteMemoryStore&) = delete;
  SqliteMemoryStore& operator=(const SqliteMemoryStore&) = delete;

  std::string backend_name() const override { return "sqlite"; }

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

 private:
  enum class InsertMode { kNew, kIfMissing };

  // Runs `work` in a write transaction and commits it. Should SQLite still
  // answer BUSY/LOCKED once the busy timeout has passed, the whole
  // transaction is retried a few times; `work` must therefore have no effects
  // outside the database. The caller holds mutex_.
  template <typename Work>
  std::invoke_result_t<Work&> write(Work&& work);
  void refuse_if_read_only() const;

  // The caller holds mutex_ (and for writes, the write transaction).
  std::optional<RegisteredModel> read_registry();
  RegisteredModel insert_registry(const ModelSignature& model);
  // Checks that a vector of `dimension` values may be written (`writing`) or
  // queried with: a model is bound, the registry still holds the bound model,
  // and the dimension matches. On a write, an empty registry is filled with
  // the bound model again.
  void require_model(std::size_t dimension, bool writing);
  bool memory_exists(const Uuid& id);
  // Error(kInvalidInput) unless `id` is a row of users.
  void require_user(const Uuid& id);
  std::optional<Memory> load(const Uuid& id);
  std::optional<Memory> insert_row(const Memory& memory, Timestamp now, InsertMode mode);
  // Runs a validated query through `branch` and loads the memories it found.
  std::vector<SearchResult> run_search(
      SearchQuery query, bool uses_embedding,
      std::vector<SearchHit> (SqliteSearch::*branch)(const SearchQuery&));

  std::mutex mutex_;
  Database db_;
  const bool read_only_;
  StatementCache statements_;
  std::unique_ptr<SqliteSearch> search_;
  std::optional<ModelSignature> bound_;
  // Writable file-backed stores checkpoint off the commit path; none when the
  // second connection could not be opened (SQLite's own checkpoints then).
  std::unique_ptr<Checkpointer> checkpointer_;
};

template <typename Work>
std::invoke_result_t<Work&> SqliteMemoryStore::write(Work&& work) {
  constexpr int kAttempts = 4;
  refuse_if_read_only();
  for (int attempt = 1;; ++attempt) {
    try {
      WriteTransaction tx(db_);
      if constexpr (std::is_void_v<std::invoke_result_t<Work&>>) {
        work();
        tx.commit();
        return;
      } else {
        auto result = work();
        tx.commit();
        return result;
      }
    } catch (const BusyError&) {
      if (attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(25 * attempt));
    }
  }
}

}  // namespace vestige::sqlite
