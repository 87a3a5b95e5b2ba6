#pragma once

// Maintenance passes besides consolidation: dream (link and summarise what was
// stored recently) and gc (find, and on request delete, memories that have
// faded out or were hidden).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/consolidation.h"
#include "vestige/clock.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// Edge type from a summary to each memory it summarises.
inline constexpr std::string_view kSummarisesEdge = "summarises";
// Metadata key of a summary: {"members": [ids], "method": "extractive"}.
inline constexpr std::string_view kSummaryKey = "summary";

// ---- dream -------------------------------------------------------------------
//
// No language model is available to the engine, so a summary is extractive:
// the memories of one cluster, most central first (highest summed similarity
// to the rest of the cluster), each represented by its first sentence, until
// max_sentences. It is stored as a memory of node type kSummaryType, with the
// cluster's common codebase (none when they differ), the tags every member
// carries, initial scheduling, and kSummarisesEdge edges to its members, so
// that recall and graph walks reach the details from the summary.
//
// Clusters: recent memories are joined when their similarity is at least
// cluster_threshold (single linkage); clusters of at least min_cluster_size
// memories are summarised, unless one existing summary already summarises
// every member.

struct DreamOptions {
  std::chrono::hours window{24};     // memories created this recently
  std::size_t max_memories = 200;    // the most recent ones within the window
  double link_threshold = 0.5;       // pairs at or above get a "related" edge
  double cluster_threshold = 0.3;    // pairs at or above share a cluster
  std::size_t min_cluster_size = 3;  // smaller clusters are not summarised
  std::size_t max_sentences = 5;     // per summary
  bool dry_run = false;
};

struct DreamSummary {
  Uuid id;  // nil in a dry run
  std::string content;
  std::vector<Uuid> members;
};

struct DreamReport {
  bool dry_run = false;
  std::size_t examined = 0;
  std::size_t linked = 0;
  std::vector<DreamSummary> summaries;
};

// Examines the memories created in [now - window, now] that are not
// bookkeeping or summaries, not suppressed and not superseded (at most
// max_memories, the most recent), links related pairs (kRelatedEdge from
// consolidation.h, lower id -> higher id, weighted by similarity, unless any
// edge already joins the pair) and writes a summary per cluster. The store must
// be bound to the embedder's model.
DreamReport dream(MemoryStore& store, Embedder& embedder, Timestamp now,
                  const DreamOptions& options = {});

// ---- gc ----------------------------------------------------------------------

struct GcOptions {
  // Memories whose retention at `now` is at most this are candidates: the
  // "unavailable" state (strength.h) at the default.
  double max_retention = 0.1;
  bool include_suppressed = true;  // suppressed memories are candidates too
  bool dry_run = true;             // list only; delete only when false
  std::size_t limit = 1000;        // at most this many candidates per call
  // Merge records created at least this long before `now` are candidates
  // (consolidation.h); nullopt: merge records are never collected.
  std::optional<std::chrono::days> merge_record_lifetime = kDefaultMergeRecordLifetime;
};

struct GcCandidate {
  Uuid id;
  std::string node_type;
  std::string preview;  // the first 80 characters of the content
  double retention = 0.0;
  // "retention 0.06 (unavailable)", "suppressed", "merged into <id>",
  // "merge record older than 30 days"
  std::string reason;
};

struct GcReport {
  bool dry_run = true;
  std::size_t scanned = 0;
  std::vector<GcCandidate> candidates;
  std::size_t deleted = 0;
};

// Scans every memory (bookkeeping types excluded: intentions have their own
// life cycle, merge records are the undo log and are candidates only once
// merge_record_lifetime old) and lists the candidates, oldest first; deletes
// them (with their scheduling, reviews and edges) only when dry_run is false.
// Deleting a memory absorbed by a merge, or the merge's record, makes that
// merge impossible to undo.
GcReport gc(MemoryStore& store, Timestamp now, const GcOptions& options = {});

Json to_json(const DreamReport& report);
Json to_json(const GcReport& report);

}  // namespace vestige::engine
