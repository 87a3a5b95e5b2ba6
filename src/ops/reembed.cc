#include "ops/reembed.h"

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

#include "vestige/error.h"

namespace vestige::ops {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_vectors(const std::vector<Embedding>& vectors, std::size_t expected,
                   const ModelSignature& target) {
  if (vectors.size() != expected) {
    throw Error(ErrorCode::kEmbedder,
                fmt::format("the model {} returned {} vectors for {} texts; nothing more was "
                            "written. Run the same command again once the model answers "
                            "correctly",
                            target.name, vectors.size(), expected));
  }
  for (const auto& v : vectors) {
    if (v.size() != static_cast<std::size_t>(target.dimension)) {
      throw Error(ErrorCode::kEmbedder,
                  fmt::format("the model {} returned a vector of dimension {} instead of {}",
                              target.name, v.size(), target.dimension));
    }
  }
}

}  // namespace

ReembedPlan plan_reembed(StoreTransfer& store, Embedder& embedder, const ReembedOptions& options) {
  if (options.batch_size == 0) throw Error(ErrorCode::kUsage, "--batch-size must be at least 1");
  ReembedPlan plan;
  // The probe: the model must load and answer before anything is touched.
  plan.target = embedder.signature();
  const std::vector<std::string> probe(options.batch_size,
                                       "Vestige checks that the embedding model answers.");
  const auto start = Clock::now();
  check_vectors(embedder.embed_batch(probe), probe.size(), plan.target);
  plan.probe_seconds = since(start);

  if (auto model = store.registered_model()) plan.current = model->signature;
  plan.interrupted = store.reembed_state();
  plan.already_done = !plan.interrupted && plan.current == plan.target;
  plan.rows = store.count(Table::kMemories);
  plan.batches =
      static_cast<std::size_t>((plan.rows + static_cast<std::int64_t>(options.batch_size) - 1) /
                               static_cast<std::int64_t>(options.batch_size));
  const int before = plan.interrupted ? plan.interrupted->previous.dimension
                                      : (plan.current ? plan.current->dimension : 0);
  plan.dimension_changes = before != plan.target.dimension;
  plan.estimated_seconds = plan.probe_seconds * static_cast<double>(plan.batches);
  return plan;
}

ReembedReport run_reembed(StoreTransfer& store, Embedder& embedder, const ReembedPlan& plan,
                          const ReembedOptions& options) {
  const auto start = Clock::now();
  ReembedReport report;
  const ReembedState state = store.begin_reembed(plan.target);
  std::optional<ExportCursor> cursor;
  if (options.resume && state.cursor) {
    cursor = state.cursor;
    report.skipped = state.rows_done;
  }
  std::optional<Progress> progress;
  if (options.progress) {
    progress.emplace(*options.progress, options.terminal, "reembed",
                     std::max<std::int64_t>(plan.rows - report.skipped, 0));
  }
  // Bounded memory: one batch of texts and vectors at a time.
  for (;;) {
    const std::vector<ReembedRow> rows = store.reembed_page(cursor, options.batch_size);
    if (rows.empty()) break;
    std::vector<std::string> texts;
    texts.reserve(rows.size());
    for (const auto& row : rows) texts.push_back(row.content);
    std::vector<Embedding> vectors = embedder.embed_batch(texts);
    check_vectors(vectors, rows.size(), plan.target);
    std::vector<std::pair<Uuid, Embedding>> batch;
    batch.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      batch.emplace_back(rows[i].id, std::move(vectors[i]));
    cursor = ExportCursor{rows.back().created_at, rows.back().id};
    if (options.faults) options.faults->reach("reembed-batch");
    store.write_embeddings(batch, *cursor);
    report.rows += static_cast<std::int64_t>(rows.size());
    if (progress) progress->advance(static_cast<std::int64_t>(rows.size()));
  }
  if (progress) progress->finish();
  report.encode_seconds = since(start);
  if (options.faults) options.faults->reach("reembed-before-finish");
  const auto index_start = Clock::now();
  store.seal_reembed(plan.target);
  if (options.faults) options.faults->reach("reembed-index");
  store.build_vector_index(options.concurrent_index);
  store.complete_reembed(plan.target);
  report.index_seconds = since(index_start);
  report.seconds = since(start);
  return report;
}

}  // namespace vestige::ops
