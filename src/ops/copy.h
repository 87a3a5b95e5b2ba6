#pragma once

// `vestige migrate copy`: every row of one store into another (SQLite to
// PostgreSQL and back), keys, columns and embeddings preserved bit for bit
// (operations.md, "migrate copy").
//
// Crash safety: each batch is one transaction that writes only rows whose key
// is missing, so a copy killed at any moment and run again writes exactly the
// rows the first run did not, and a finished copy run again writes nothing
// and reports the same source totals.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <vector>

#include "ops/copy_progress.h"
#include "vestige/store_transfer.h"

namespace vestige::ops {

struct CopyOptions {
  std::size_t batch_size = 500;
  bool dry_run = false;  // counts and the model check only: no writes, no DDL
  // Where progress goes (null: nowhere) and whether to draw a bar.
  std::ostream* progress = nullptr;
  bool terminal = false;
  FaultPoints* faults = nullptr;  // copy-batch-<table>, copy-after-<table>
};

struct TableCopyReport {
  Table table = Table::kMemories;
  std::int64_t source_rows = 0;       // rows in the source when the table started
  std::int64_t destination_rows = 0;  // rows in the destination before (dry run) / after
  std::size_t inserted = 0;           // rows this run wrote
  std::size_t present = 0;            // rows the destination already held
  std::size_t errors = 0;             // rows reported in CopyReport::errors
  double seconds = 0.0;
};

struct CopyReport {
  std::vector<TableCopyReport> tables;  // in copy order
  std::vector<RowError> errors;
  std::optional<ModelSignature> model;  // the source's registered model
  bool dry_run = false;
  double index_seconds = 0.0;  // building the vector index after the memories (Postgres)
  double seconds = 0.0;
  std::int64_t rows() const;  // source rows over every table
};

// Error(kModelMismatch) unless the destination has no registered model or the
// source's: the message names both signatures and the reembed command. Also
// refuses a store in the middle of a re-embed (either side).
void check_copy_models(const std::optional<RegisteredModel>& source,
                       const std::optional<RegisteredModel>& destination);

// Copies every table in kCopyOrder. `destination` must have its schema and,
// when the source has a model, that model registered (or be a dry run, where
// it may be null: a destination without a schema counts as empty). Rows the
// destination refuses are reported in the result, not thrown; a database
// failure is thrown (what was committed stays, and a re-run completes it).
CopyReport copy_store(StoreTransfer& source, StoreTransfer* destination,
                      const CopyOptions& options);

}  // namespace vestige::ops
