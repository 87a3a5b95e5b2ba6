#include "ops/copy.h"

#include <fmt/format.h>

#include <chrono>

#include "vestige/error.h"

namespace vestige::ops {

namespace {

bool reembedding(const std::optional<RegisteredModel>& model) {
  return model && model->signature.hash.starts_with(kReembedMarker);
}

// Postgres keeps an HNSW index over the embeddings; inserting into it row by
// row is far slower than building it once, so a copy that has memories to
// write drops it first and builds it after the memories. A run killed in
// between leaves the store without the index (searches still right, only
// slower) until a re-run, which builds it.
bool worth_dropping_index(StoreTransfer& destination, std::int64_t source_memories) {
  return destination.backend_name() == "postgres" &&
         destination.count(Table::kMemories) < source_memories;
}

TableCopyReport copy_table(Table table, StoreTransfer& source, StoreTransfer& destination,
                           const CopyOptions& options, std::vector<RowError>& errors) {
  TableCopyReport report{.table = table};
  const auto start = std::chrono::steady_clock::now();
  report.source_rows = source.count(table);
  std::optional<Progress> progress;
  if (options.progress) {
    progress.emplace(*options.progress, options.terminal, fmt::format("copy {}", table_name(table)),
                     report.source_rows);
  }
  const std::string batch_point = fmt::format("copy-batch-{}", table_name(table));
  std::optional<PageKey> after;
  do {
    RowPage page = source.read_page(table, after, options.batch_size);
    for (auto& e : page.errors) errors.push_back(std::move(e));
    report.errors += page.errors.size();
    if (options.faults) options.faults->reach(batch_point);
    WriteOutcome written = destination.write_rows(table, page.rows);
    report.inserted += written.inserted;
    report.present += written.present;
    report.errors += written.errors.size();
    for (auto& e : written.errors) errors.push_back(std::move(e));
    if (progress)
      progress->advance(static_cast<std::int64_t>(page.rows.size() + page.errors.size()));
    after = std::move(page.next);
  } while (after);
  if (table == Table::kReviewEvents) destination.advance_review_event_ids();
  if (progress) progress->finish();
  report.destination_rows = destination.count(table);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace

std::int64_t CopyReport::rows() const {
  std::int64_t n = 0;
  for (const auto& t : tables) n += t.source_rows;
  return n;
}

void check_copy_models(const std::optional<RegisteredModel>& source,
                       const std::optional<RegisteredModel>& destination) {
  if (reembedding(source) || reembedding(destination)) {
    const auto& model = reembedding(source) ? source : destination;
    throw Error(ErrorCode::kModelMismatch,
                fmt::format("the {} is in the middle of a re-embed to {}; finish it first with "
                            "`vestige migrate reembed --model={} --resume` against it, then copy",
                            reembedding(source) ? "source" : "destination", model->signature.name,
                            model->signature.name));
  }
  if (!source || !destination || source->signature == destination->signature) return;
  throw Error(
      ErrorCode::kModelMismatch,
      fmt::format("embedding model mismatch: the source's vectors were made by {}, but the "
                  "destination's registry names {}; copying would mix vectors of two models, so "
                  "nothing was written. Copy into an empty destination (its vectors then stay "
                  "those of {}), and after the copy switch model with: vestige migrate reembed "
                  "--model={}; or first re-embed the source with --model={} and copy again",
                  describe(source->signature), describe(destination->signature),
                  source->signature.name, destination->signature.name,
                  destination->signature.name));
}

CopyReport copy_store(StoreTransfer& source, StoreTransfer* destination,
                      const CopyOptions& options) {
  if (options.batch_size == 0) throw Error(ErrorCode::kUsage, "--batch-size must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  CopyReport report;
  report.dry_run = options.dry_run;
  const auto source_model = source.registered_model();
  if (source_model) report.model = source_model->signature;
  check_copy_models(source_model, destination ? destination->registered_model() : std::nullopt);

  if (options.dry_run) {
    for (const Table table : kCopyOrder) {
      report.tables.push_back({.table = table,
                               .source_rows = source.count(table),
                               .destination_rows = destination ? destination->count(table) : 0});
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
  }
  if (!destination) throw Error(ErrorCode::kInvalidInput, "copy_store needs a destination");

  for (const Table table : kCopyOrder) {
    if (table == Table::kMemories &&
        worth_dropping_index(*destination, source.count(Table::kMemories))) {
      destination->drop_vector_index();
    }
    try {
      report.tables.push_back(copy_table(table, source, *destination, options, report.errors));
    } catch (const Error& e) {
      // A database failure (the server went away, a timeout): every batch
      // committed so far stays, and the same command picks up from there.
      throw Error(e.code(),
                  fmt::format("the copy stopped in table {}: {}. Every batch committed before "
                              "is kept; run the same command again to finish the copy",
                              table_name(table), e.what()));
    }
    if (table == Table::kMemories && options.faults) options.faults->reach("copy-before-index");
    if (table == Table::kMemories) {
      // Always: a run killed after dropping the index left it missing.
      const auto index_start = std::chrono::steady_clock::now();
      destination->build_vector_index(false);
      report.index_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - index_start).count();
    }
    if (options.faults) options.faults->reach(fmt::format("copy-after-{}", table_name(table)));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace vestige::ops
