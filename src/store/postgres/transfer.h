#pragma once

// The PostgreSQL StoreTransfer (vestige/store_transfer.h): rows in key order
// and multi-row bulk writes (transfer.cc), re-embed steps (reembed.cc). A pool
// of its own, separate from any MemoryStore on the same database.

#include <memory>
#include <optional>
#include <string>

#include "store/postgres/pool.h"
#include "vestige/store_transfer.h"

namespace vestige::postgres {

class PgTransfer final : public StoreTransfer {
 public:
  PgTransfer(std::unique_ptr<Pool> pool, bool read_only);

  std::string backend_name() const override { return "postgres"; }
  std::string location() const override { return pool_->options().where; }
  std::optional<RegisteredModel> registered_model() override;
  std::int64_t count(Table table) override;
  RowPage read_page(Table table, const std::optional<PageKey>& after, std::size_t limit) override;
  WriteOutcome write_rows(Table table, std::span<const Row> rows) override;
  void advance_review_event_ids() override;
  bool drop_vector_index() override;
  void build_vector_index(bool concurrently) override;
  int vector_index_count() override;

  std::optional<ReembedState> reembed_state() override;
  ReembedState begin_reembed(const ModelSignature& target) override;
  std::vector<ReembedRow> reembed_page(const std::optional<ExportCursor>& after,
                                       std::size_t limit) override;
  void write_embeddings(std::span<const std::pair<Uuid, Embedding>> vectors,
                        const ExportCursor& progress) override;
  void seal_reembed(const ModelSignature& target) override;
  void complete_reembed(const ModelSignature& target) override;

 private:
  void refuse_if_read_only() const;

  std::unique_ptr<Pool> pool_;
  const bool read_only_;
};

// The name the runbook refers to; the same definition as migration 2.
inline constexpr std::string_view kHnswIndexName = "idx_knowledge_nodes_embedding_hnsw";

}  // namespace vestige::postgres
