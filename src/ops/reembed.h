#pragma once

// `vestige migrate reembed`: switch a store to another embedding model
// (operations.md, "migrate reembed").
//
// Order: probe the model (nothing touched when it fails) -> begin (state row,
// registry marker that makes every handle refuse vector search, index
// dropped, column relaxed) -> re-encode every memory in (created_at, id)
// batches, each batch one transaction that also moves the recorded cursor ->
// seal (every row checked to hold a target vector, the column's dimension
// set) -> index built -> registry written last. Killed anywhere, the same command finishes the run;
// with `resume` it starts after the recorded cursor instead of from the start.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>

#include "ops/copy_progress.h"
#include "vestige/embedder.h"
#include "vestige/store_transfer.h"

namespace vestige::ops {

struct ReembedOptions {
  std::size_t batch_size = 128;
  bool resume = false;
  bool concurrent_index = false;  // Postgres: CREATE INDEX CONCURRENTLY
  std::ostream* progress = nullptr;
  bool terminal = false;
  FaultPoints* faults = nullptr;  // reembed-batch, reembed-before-finish, reembed-index
};

struct ReembedPlan {
  ModelSignature target;
  std::optional<ModelSignature> current;    // the registry (none on an empty store)
  std::optional<ReembedState> interrupted;  // an unfinished run found in the store
  bool already_done = false;                // the registry already names the target
  std::int64_t rows = 0;                    // memories to encode
  std::size_t batches = 0;
  bool dimension_changes = false;
  double probe_seconds = 0.0;  // one batch-sized probe of the model
  double estimated_seconds = 0.0;
};

// Probes the model (one call of batch_size texts) and counts the work. Writes
// nothing. Error(kEmbedder) when the model cannot be used.
ReembedPlan plan_reembed(StoreTransfer& store, Embedder& embedder, const ReembedOptions& options);

struct ReembedReport {
  std::int64_t rows = 0;     // memories encoded by this run
  std::int64_t skipped = 0;  // already encoded by an interrupted run (resume)
  double encode_seconds = 0.0;
  double index_seconds = 0.0;  // index build plus the final checks
  double seconds = 0.0;
};

// Runs the plan (which must not be already_done).
ReembedReport run_reembed(StoreTransfer& store, Embedder& embedder, const ReembedPlan& plan,
                          const ReembedOptions& options);

}  // namespace vestige::ops
