#pragma once

// The ingest gate (product.md, "Reference constants"): decides whether a new
// text is new knowledge, a restatement, an addition or a correction of what the
// store already holds, and writes accordingly, so that the store does not fill
// up with near-duplicates and corrected facts stop competing with their
// corrections.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fsrs.h"
#include "vestige/clock.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

enum class IngestDecision { kCreate, kReinforce, kUpdate, kSupersede };

// "create", "reinforce", "update", "supersede".
std::string_view decision_name(IngestDecision decision);

// Thresholds are cosine similarities, so what they mean depends on the
// embedder: the defaults are the original engine's reference constants
// (product.md); another embedder may need other values.
struct IngestOptions {
  double reinforce_threshold = 0.92;  // at or above: the same statement again
  double related_threshold = 0.75;    // at or above: about the same thing
  // Below related_threshold, a text that announces a change of what a
  // candidate states (announces_change) supersedes it at or above this.
  // A correction says what is new, so it shares few words with the fact it
  // replaces: with builtin/hash-384 the corrections of bench/quality sit at
  // 0.26 to 0.65 from the memory they correct (median 0.47), far below 0.75,
  // and only an explicit change marker plus a shared subject tells them apart
  // from the many unrelated memories at those similarities
  // (docs/benchmarks.md, "Ingest gate").
  double correction_threshold = 0.40;
  std::size_t neighbours = 10;  // nearest memories the gate looks at
};

// Content words (neither stop words nor change markers, at least two
// characters) that a change must share with the memory it replaces.
inline constexpr std::size_t kMinSharedSubjectWords = 2;

inline constexpr std::size_t kMaxBatchItems = 20;

// Edge types the gate writes.
inline constexpr std::string_view kSupersedesEdge = "supersedes";  // new -> old
inline constexpr std::string_view kTemporalEdge = "temporal";      // earlier -> later

// Separates the texts that an update appended to a memory's content.
inline constexpr std::string_view kUpdateSeparator = "\n\n---\n\n";

// Metadata keys the gate writes. The item's context goes to the first four;
// every reinforce and update appends an entry to kHistoryKey:
//   {"decision", "at", "similarity", "content", "metadata"}
// where content is the new text and metadata the new item's context, so that
// what was merged into a memory can be inspected (and undone by hand).
inline constexpr std::string_view kFileKey = "file";
inline constexpr std::string_view kTopicsKey = "topics";
inline constexpr std::string_view kSessionKey = "session_id";
inline constexpr std::string_view kClientKey = "mcp_client_id";
inline constexpr std::string_view kHistoryKey = "ingest_history";

struct IngestItem {
  std::string content;  // must not be empty
  std::string node_type{kDefaultNodeType};
  std::vector<std::string> tags;
  std::optional<std::string> codebase;  // goes to Memory::codebase
  // Context, stored in the memory's metadata under the keys above.
  std::optional<std::string> file;
  std::vector<std::string> topics;
  std::optional<std::string> session_id;
  std::optional<std::string> client;
  // Any other metadata (an object); kept as given, the keys above win.
  Json metadata = Json::object();
  bool force_create = false;  // skip the gate: always a new memory
};

struct IngestResult {
  IngestDecision decision = IngestDecision::kCreate;
  // The new memory (create, supersede) or the existing one (reinforce, update).
  Uuid memory_id;
  // Cosine similarity to the nearest candidate, when there was one.
  std::optional<double> similarity;
  std::optional<Uuid> superseded_id;  // supersede only
  std::string reason;                 // one sentence
};

// True when `new_text` contains a negation or correction marker that
// `old_text` lacks: a word among not, no, never, instead, actually, wrong,
// incorrect, changed, deprecated, replaced, obsolete, outdated, anymore,
// cannot and the n't contractions ("dont", "isnt", ...), or the phrase
// "now use". Only markers new to the text count, so that "we never deploy on
// Fridays" restated as "we never deploy on a Friday" is not a correction.
bool negates_or_corrects(std::string_view new_text, std::string_view old_text);

// True when `new_text` announces that what `old_text` states has changed: it
// carries a change marker that `old_text` lacks (correction, actually,
// instead, moved, migrated, switched, replaced, changed, lowered, raised,
// handed, decommissioned, or the phrases "no longer", "now use", "now uses"),
// and the two share at least kMinSharedSubjectWords content words, so that
// the change is about what the old text is about. Plain negations ("not",
// "never") do not count: "the export breaks when the locale is not English"
// states a new fact, it does not replace one.
bool announces_change(std::string_view new_text, std::string_view old_text);

// Not thread-safe: ingest() reads neighbours and then writes, so two gates
// over one store racing on similar texts may both create. The store handle
// must already be bound to the embedder's model (MemoryStore::register_model).
//
// The writes of one decision (insert, scheduling, update of the old memory,
// edge) are separate store calls, not one transaction: if one fails, the
// earlier ones stay. Each leaves the store consistent on its own (a new memory
// without its "supersedes" edge is still a valid memory).
class IngestGate {
 public:
  IngestGate(MemoryStore& store, Embedder& embedder, IngestOptions options = {});

  // Embeds the content, looks at the nearest `neighbours` memories, and:
  //   similarity >= reinforce_threshold: reinforces the nearest (no new row;
  //     access count and storage strength raised, tags merged, history entry);
  //   >= related_threshold and the new text negates or corrects a candidate:
  //     supersedes the closest such candidate (new memory; the old one gets
  //     superseded_by and is demoted; edge new -> old "supersedes");
  //   >= related_threshold otherwise: updates the nearest (text appended after
  //     kUpdateSeparator, re-embedded, same id and scheduling, history entry);
  //   below related_threshold, >= correction_threshold and the new text
  //     announces a change of a candidate (announces_change): supersedes the
  //     closest such candidate;
  //   else (or force_create): creates a memory with initial FSRS scheduling
  //     and importance() from importance.h.
  // Candidates: memories with the same codebase as the item (both none, or
  // equal), so that "tests use pytest" in one project never merges into
  // another project's memory, nor an unscoped note into a scoped one; and not
  // superseded, since a superseded memory is history that new text should
  // neither reinforce nor extend.
  // Throws Error(kInvalidInput) for empty content or non-object metadata
  // (before writing anything), and whatever the store and embedder throw.
  IngestResult ingest(const IngestItem& item, Timestamp now);

  // Ingests the items in order, so later items see earlier ones (a repeat
  // within the batch reinforces). Items sharing a session_id are then linked
  // in order by kTemporalEdge edges, previous -> next, between the memories
  // they landed in (skipped when two consecutive ones landed in the same
  // memory): recall uses session neighbours as evidence (product.md,
  // "Retrieval quality"). Throws Error(kInvalidInput) for more than
  // kMaxBatchItems items or any invalid item, before writing anything.
  std::vector<IngestResult> ingest_batch(std::span<const IngestItem> items, Timestamp now);

 private:
  struct Candidate;

  std::vector<Candidate> candidates(const IngestItem& item, const Embedding& embedding,
                                    Timestamp now);
  IngestResult create(const IngestItem& item, Embedding embedding, std::optional<double> nearest,
                      Timestamp now);
  IngestResult reinforce(const IngestItem& item, Memory existing, double similarity, Timestamp now);
  IngestResult update(const IngestItem& item, Memory existing, double similarity, Timestamp now);
  IngestResult supersede(const IngestItem& item, Embedding embedding, Memory old, double similarity,
                         std::optional<double> nearest, std::string reason, Timestamp now);

  MemoryStore& store_;
  Embedder& embedder_;
  IngestOptions options_;
  Scheduler scheduler_;
};

}  // namespace vestige::engine
