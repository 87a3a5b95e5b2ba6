#pragma once

// Consolidation (product.md, "Reference constants"): the housekeeping that
// keeps a store healthy between requests. One pass over the memories applies
// decay, links related memories, merges near duplicates and prunes weak edges.
// A pass runs in slices so that a server can interleave it with requests: each
// call works through at most a number of memories or a time budget and
// remembers where it stopped.
//
// Merges can be undone. Each merge writes a merge record: a memory of node type
// kMergeRecordType (suppressed, no embedding) whose metadata holds the full
// records, embeddings included, of the kept memory before the merge and of
// every absorbed memory, and the edges the merge added. Its id is the merge id
// that undo() takes. Absorbed memories are not deleted: they are marked
// superseded by the kept memory and suppressed, so their scheduling, review
// history and edges stay where they were and undo only has to rewrite rows.
// gc (maintenance.h) lists absorbed memories as suppressed; deleting one makes
// undo of its merge impossible, and undo says so. Merge records have a
// lifetime (merge_record_lifetime, [consolidation] merge_record_days): gc
// collects older ones, after which their merges cannot be undone either.

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vestige/clock.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// Edge types consolidation writes.
inline constexpr std::string_view kRelatedEdge = "related";  // lower id -> higher id
inline constexpr std::string_view kMergedEdge = "merged";    // kept -> absorbed

// Separates the unique text of an absorbed memory appended to the kept one.
inline constexpr std::string_view kMergeSeparator = "\n\n---\n\n";

// Metadata keys. On the kept memory, kMergedFromKey lists the ids absorbed
// into it; on a merge record, kMergeKey holds the undo data.
inline constexpr std::string_view kMergedFromKey = "merged_from";
inline constexpr std::string_view kMergeKey = "merge";

// Merge records are collected by gc once this old, unless configured otherwise.
inline constexpr std::chrono::days kDefaultMergeRecordLifetime{30};

// Thresholds are cosine similarities, so what they mean depends on the
// embedder; the defaults are product.md's constants where it names them.
struct ConsolidationOptions {
  double merge_threshold = 0.85;  // at or above: near duplicates, merged
  double link_threshold = 0.5;    // at or above (and below merge): a "related" edge
  double prune_below = 0.05;      // edges weighing less are removed
  std::size_t neighbours = 10;    // nearest memories looked at per memory
  bool dry_run = false;           // report what would change, write nothing
  // How long gc keeps merge records; undo of a merge older than this whose
  // record is gone says that gc collected it. nullopt: kept forever.
  std::optional<std::chrono::days> merge_record_lifetime = kDefaultMergeRecordLifetime;
};

// How much one call may do. Zero means "no limit" for either; a call always
// examines at least one memory so that a pass makes progress.
struct SliceBudget {
  std::size_t max_memories = 0;
  std::chrono::milliseconds max_time{0};
};

struct MergeReport {
  Uuid merge_id;  // the merge record; nil in a dry run
  Uuid kept_id;
  std::vector<Uuid> absorbed_ids;
  double similarity = 0.0;  // lowest similarity of an absorbed memory to the kept one
};

struct ConsolidationReport {
  bool dry_run = false;
  std::size_t examined = 0;  // memories looked at in this call
  std::size_t decayed = 0;   // retrieval strength rewritten
  std::size_t linked = 0;    // "related" edges added
  std::size_t pruned = 0;    // weak edges removed
  // Examined without a neighbour search: unchanged since this Consolidator's
  // previous complete pass began (see run()).
  std::size_t unchanged = 0;
  std::vector<MergeReport> merges;
  // True when this call reached the end of the store: the next call starts a
  // new pass from the oldest memory.
  bool pass_complete = false;
  // True when the call stopped because of its budget.
  bool budget_exhausted = false;
  double elapsed_ms = 0.0;
};

struct UndoReport {
  Uuid merge_id;
  Uuid kept_id;
  std::vector<Uuid> restored_ids;  // the absorbed memories, active again
  std::size_t edges_removed = 0;
};

Json to_json(const ConsolidationReport& report);
Json to_json(const UndoReport& report);

// Not thread-safe: one Consolidator per store, called from one thread at a
// time (the server runs it between requests). Other writers may use the store
// meanwhile; consolidation re-reads every row it writes.
//
// The writes of one merge are separate store calls, ordered so that a failure
// part way leaves valid memories: the merge record is written first, then the
// kept memory, then the absorbed ones. undo() of a half-written merge restores
// what was written.
class Consolidator {
 public:
  // The store must already be bound to the embedder's model.
  Consolidator(MemoryStore& store, Embedder& embedder, ConsolidationOptions options = {});

  // Continues the current pass from where the previous call stopped, in
  // (created_at, id) order, until the budget is spent or the store's end is
  // reached. For every examined memory that is not bookkeeping (node_types.h),
  // suppressed or superseded:
  //   decay: retrieval strength set to its value at `now` (strength.h);
  //   merge: neighbours with the same codebase at or above merge_threshold
  //     are merged with it: the strongest (highest retention at `now`, then
  //     storage strength, then the oldest) is kept, the sentences of the others
  //     that it lacks are appended after kMergeSeparator, it is re-embedded, and
  //     the others are superseded by it and suppressed; tags are united,
  //     importance and storage strength become the group's maximum;
  //   link: neighbours at or above link_threshold get a kRelatedEdge edge
  //     weighted by their similarity, unless any edge already joins the pair;
  //   prune: its outgoing edges weighing less than prune_below are removed
  //     (bookkeeping memories' edges are never pruned).
  // Suppressed and superseded memories are still decayed.
  //
  // Merging and linking need one vector search per memory, the bulk of the
  // cost. A memory not written since this Consolidator's previous complete
  // (not dry) pass began, other than by that pass's own decay write, skips
  // them: it was searched then or earlier, and any memory added or changed
  // since is searched on its own visit, which finds the pair from the other
  // side. A fresh Consolidator searches every memory.
  ConsolidationReport run(Timestamp now, SliceBudget budget = {});

  // Calls run() until the pass completes (from the current position; a fresh
  // Consolidator starts at the oldest memory).
  ConsolidationReport run_pass(Timestamp now);

  // Restores the store as it was before the merge `merge_id`: the kept memory
  // gets back its previous record (content, embedding, tags, metadata, engine
  // state), each absorbed memory its previous record (no longer superseded or
  // suppressed), the edges the merge added are removed, and the merge record is
  // deleted. Only updated_at differs (the store sets it on every write).
  // Throws kNotFound when no merge record has that id (never existed,
  // already undone, or collected by gc: when the id dates from longer ago
  // than merge_record_lifetime, the message says the record was collected and
  // names the setting); kInvalidInput, before writing anything, when the kept
  // memory changed after the merge (undo would lose that change) or when an
  // absorbed memory was deleted since (by gc).
  UndoReport undo(const Uuid& merge_id);

  // Starts the next run() at the oldest memory.
  void restart_pass() { cursor_.reset(); }

  const ConsolidationOptions& options() const { return options_; }

 private:
  struct Group;

  void consolidate_one(Memory memory, Timestamp now, ConsolidationReport& report);
  void merge(Group& group, Timestamp now, ConsolidationReport& report);

  MemoryStore& store_;
  Embedder& embedder_;
  ConsolidationOptions options_;
  std::optional<ExportCursor> cursor_;
  // Wall-clock start of the current pass, and of the last complete one: the
  // store's updated_at is wall-clock time, whatever `now` the caller passes.
  std::optional<Timestamp> pass_started_;
  std::optional<Timestamp> settled_before_;
  // updated_at of the decay writes of the current pass, and of the last
  // complete one: a memory whose updated_at is still that of our own write
  // has not changed since.
  std::unordered_map<Uuid, Timestamp> decay_writes_;
  std::unordered_map<Uuid, Timestamp> settled_decay_writes_;
  // Within one run(): memories a merge rewrote (re-read when the page that
  // listed them comes to them) and memories merged away (skipped; in a dry run
  // the store still shows them as they were).
  std::unordered_set<Uuid> touched_;
  std::unordered_set<Uuid> absorbed_;
  std::set<std::pair<Uuid, Uuid>> linked_;  // pairs linked (or, dry, to be linked)
};

// The options and slice budget that a [consolidation] configuration asks for.
ConsolidationOptions consolidation_options(const ConsolidationConfig& config);
// merge_record_days as a lifetime: nullopt for 0 (kept forever).
std::optional<std::chrono::days> merge_record_lifetime(const ConsolidationConfig& config);
SliceBudget slice_budget(const ConsolidationConfig& config);

// Automatic consolidation for a long-running server: counts the writes it is
// told about and runs one slice of the current pass when one is due:
//   - never when config.auto_run is false;
//   - while a pass is under way (the last slice stopped on its budget), at
//     every call, so that a pass finishes in slices of max_millis_per_run
//     instead of waiting for the next trigger;
//   - otherwise once every_ingests writes were noted since the last slice,
//     or every_minutes minutes passed since it (or since `start`), whichever
//     comes first; a trigger set to 0 is off.
// Call run_if_due() between requests (or from one background thread; not
// thread-safe itself): it blocks for about max_millis_per_run at most.
class AutoConsolidation {
 public:
  AutoConsolidation(MemoryStore& store, Embedder& embedder, const ConsolidationConfig& config,
                    Timestamp start);

  void note_writes(std::size_t count = 1) { writes_ += count; }
  bool due(Timestamp now) const;
  // One slice when due (and the report), nullopt when not.
  std::optional<ConsolidationReport> run_if_due(Timestamp now);

  Consolidator& consolidator() { return consolidator_; }

 private:
  ConsolidationConfig config_;
  Consolidator consolidator_;
  std::size_t writes_ = 0;
  Timestamp last_run_;
  bool pass_under_way_ = false;
};

// The sentences of `text`: split after . ! ? followed by white space and at
// line breaks, trimmed, those without a word dropped.
std::vector<std::string> split_sentences(std::string_view text);

// The sentences of `text` (split_sentences) that do not occur in `kept`, compared as lowercase
// words so that case and punctuation differences do not count as new text.
std::vector<std::string> unique_sentences(std::string_view text, std::string_view kept);

}  // namespace vestige::engine
