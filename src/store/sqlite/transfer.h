#pragma once

// The SQLite StoreTransfer (vestige/store_transfer.h): rows in key order and
// bulk writes (transfer.cc), re-embed steps (reembed.cc). One connection of
// its own, separate from any MemoryStore on the same file.

#include <filesystem>
#include <optional>
#include <string>

#include "store/sqlite/database.h"
#include "vestige/store_transfer.h"

namespace vestige::sqlite {

class SqliteTransfer final : public StoreTransfer {
 public:
  SqliteTransfer(Database db, bool read_only);

  std::string backend_name() const override { return "sqlite"; }
  std::string location() const override { return db_.path().string(); }
  std::optional<RegisteredModel> registered_model() override;
  std::int64_t count(Table table) override;
  RowPage read_page(Table table, const std::optional<PageKey>& after, std::size_t limit) override;
  WriteOutcome write_rows(Table table, std::span<const Row> rows) override;
  void advance_review_event_ids() override;
  bool drop_vector_index() override;
  void build_vector_index(bool concurrently) override;
  int vector_index_count() override { return 0; }

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
  // Writes one row; false when its key was already there. Error(kInvalidInput)
  // when the database refuses it.
  bool write_row(const Row& row, std::optional<int> dimension, std::optional<Statement>& statement);

  Database db_;
  const bool read_only_;
};

}  // namespace vestige::sqlite
