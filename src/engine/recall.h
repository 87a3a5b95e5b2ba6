#pragma once

// The recall pipeline (issue 3, product.md "Retrieval quality"): what an agent
// gets back when it asks the memory a question.
//
//  1. Search: the store's hybrid search (text + vector, the request's tags,
//     node types and codebase pushed down as store filters), over-fetched.
//  2. Relevance: each candidate's text score (normalised by the best text
//     score among the candidates) and vector similarity, combined with the
//     option weights; plus a share of the text score of its temporal
//     neighbours (memories stored just before and after it in one session),
//     because context is evidence. Neighbours of the best candidates that the
//     search missed join as candidates on that evidence alone.
//  3. Re-rank: relevance x (base + retention + recency factors). The base
//     dominates, so a strongly matching months-old memory still beats a weak
//     fresh one: decay moves ties, it does not bury matches.
//  4. Supersession: a superseded memory is penalised, its successor (fetched
//     when the search missed it) ranks above it, and it is marked.
//  5. min_retention: retention at `now` (strength.h) must reach it.
//  6. Associations: spreading activation (activation.h) from the best matches
//     over the graph's edges surfaces linked memories the search did not
//     return; they are listed separately and marked with their path.
//  7. Detail level and token budget: each result is rendered at the requested
//     detail; results are taken in rank order while they fit the budget, and
//     the rest are returned as ids to expand with `memory get`.
//  8. Access: every returned memory is recorded as accessed (strength.h
//     record_access: the testing effect), before recall returns, or in the
//     background through an AccessRecorder (access_recorder.h).
//
// Suppressed memories never appear (not as matches, neighbours, successors or
// associations).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/access_recorder.h"
#include "engine/activation.h"
#include "vestige/clock.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::engine {

// What each detail level returns for a memory (every level also carries id,
// kind, node_type, score, rank, superseded_by and why):
//   brief    the first line of the content, cut to kBriefChars characters;
//   summary  the content cut to kSummaryChars characters, tags, codebase,
//            created_at, retention and state;
//   full     the whole content, tags, codebase, metadata, created_at,
//            updated_at, retention, state and the engine state (importance,
//            access count, last access, strengths).
// Cut text ends with "..." so an agent knows there is more.
enum class DetailLevel { kBrief, kSummary, kFull };
inline constexpr std::size_t kBriefChars = 120;
inline constexpr std::size_t kSummaryChars = 400;

// "brief", "summary", "full".
std::string_view detail_level_name(DetailLevel level);
// nullopt for anything else.
std::optional<DetailLevel> parse_detail_level(std::string_view name);

// Token estimate used by the budget: ceil(characters / 4) of the rendered text
// plus kResultOverheadTokens per result for its id, type, score and labels.
// Four characters per token is the usual figure for English text with common
// tokenizers; it over-counts code slightly, which errs on the safe side.
inline constexpr std::size_t kCharsPerToken = 4;
inline constexpr std::size_t kResultOverheadTokens = 16;
std::size_t estimate_tokens(std::string_view text);

inline constexpr std::size_t kMaxRecallLimit = 100;

struct RecallRequest {
  std::string query;                    // non-empty
  std::size_t limit = 10;               // matches to return, 1..kMaxRecallLimit
  std::optional<double> min_retention;  // [0, 1]
  std::vector<std::string> tags;        // the memory carries every one
  std::vector<std::string> node_types;  // the memory's type is one of them
  std::optional<std::string> codebase;  // exact match
  DetailLevel detail = DetailLevel::kSummary;
  // Total tokens (estimate_tokens) of the returned matches and associations;
  // none means unlimited. At least 1 when given.
  std::optional<std::size_t> token_budget;
  std::size_t max_associations = 5;  // 0 turns spreading activation off
  bool include_superseded = true;    // false drops superseded memories
  bool record_access = true;         // false leaves the memories untouched
};

// Throws Error(kInvalidInput) naming the field and what is allowed.
void validate(const RecallRequest& request);

// Tuning; the defaults are what the scenario and quality measurements use.
struct RecallOptions {
  // Candidates read from the store: max(limit x overfetch, min_candidates).
  // With min_retention set, twice that, since some will be filtered out.
  std::size_t overfetch = 3;
  std::size_t min_candidates = 30;
  // Relevance = the two search branches fused (below) + neighbour evidence.
  //   kScores: (text_weight x text + vector_weight x vector) / (sum of the
  //     weights), where text is the candidate's text score over the best text
  //     score among the candidates ([0, 1]) and vector its cosine similarity
  //     clamped to [0, 1];
  //   kRanks: weighted Reciprocal Rank Fusion of the branch ranks,
  //     (text_weight/(rrf_k + text rank) + vector_weight/(rrf_k + vector
  //     rank)), divided by its value for rank 1 in both branches ([0, 1]).
  // A memory the search did not return (a neighbour, a successor) has no
  // ranks: under kRanks its relevance is its neighbour evidence alone, under
  // kScores its cosine counts too.
  enum class Fusion { kScores, kRanks };
  // Measured on bench/quality (docs/benchmarks.md), R@5 / R@10: kScores
  // 0.6 / 0.4 0.492 / 0.612; kRanks 1 / 0.5, k 10 0.470 / 0.552 (its scale
  // shrinks relevance next to the neighbour evidence: with neighbour_share
  // 0.5 it reaches 0.470 / 0.628).
  Fusion fusion = Fusion::kScores;
  double text_weight = 0.6;
  double vector_weight = 0.4;
  int rrf_k = 10;  // kRanks only
  // A memory gets this share of the best text score among its temporal
  // neighbours (edges of type "temporal", either direction).
  double neighbour_share = 0.3;
  // Only the best `neighbour_expand` text matches lend evidence (their edges
  // are read, one store call each): a weaker match's share would be small.
  // Their neighbours join the candidates when the search missed them.
  std::size_t neighbour_expand = 10;
  // score = relevance x (base_weight + retention_weight x retention
  //                      + recency_weight x recency),
  // recency = 0.5^(age_days / recency_half_life_days) from the last update.
  double base_weight = 0.75;
  double retention_weight = 0.15;
  double recency_weight = 0.10;
  double recency_half_life_days = 14.0;
  // A superseded memory's score is multiplied by this, and kept below its
  // successor's when both are returned.
  double superseded_factor = 0.5;
  // Spreading activation from the best `association_seeds` matches; seeds
  // start at their score relative to the best match.
  std::size_t association_seeds = 3;
  ActivationOptions activation;
};

enum class ResultKind { kMatch, kAssociation };
std::string_view result_kind_name(ResultKind kind);  // "match", "association"

// Why a memory was returned: the evidence behind its score.
struct RecallWhy {
  std::optional<std::size_t> text_rank;     // 1-based, in the store's text branch
  std::optional<std::size_t> vector_rank;   // 1-based, in the store's vector branch
  std::optional<double> text_score;         // the backend's own text score
  std::optional<double> vector_similarity;  // cosine
  double text_relevance = 0.0;              // text score / best text score
  double neighbour_evidence = 0.0;          // share of the neighbours' text relevance
  std::optional<Uuid> evidence_from;        // the neighbour that gave it
  double relevance = 0.0;                   // the combination above
  double retention = 0.0;                   // at `now`, strength.h
  double recency = 0.0;                     // 0.5^(age / half-life)
  bool pulled_in_as_successor = false;      // fetched because it supersedes a match
  // Associations only: the activation that reached the memory and the edges
  // walked from a match to it.
  std::optional<double> activation;
  std::vector<Edge> association_path;
  // One sentence for people, e.g. "text rank 1, vector rank 3, retention 0.72".
  std::string summary;
};

struct RecalledMemory {
  ResultKind kind = ResultKind::kMatch;
  std::size_t rank = 0;  // 1-based within its kind
  double score = 0.0;
  // The memory without its embedding; content as stored (the rendered,
  // detail-dependent text is `text`).
  Memory memory;
  std::string text;  // content at the request's detail level
  double retention = 0.0;
  std::string state;  // strength.h state_name
  std::optional<Uuid> superseded_by;
  RecallWhy why;
  std::size_t tokens = 0;  // estimate_tokens(text) + kResultOverheadTokens
};

struct RecallResult {
  std::string query;
  DetailLevel detail = DetailLevel::kSummary;
  std::vector<RecalledMemory> matches;       // best first
  std::vector<RecalledMemory> associations;  // most activated first
  // Matches, then associations, that ranked but did not fit the token budget,
  // in rank order: `memory get` returns them in full.
  std::vector<Uuid> expandable;
  std::optional<std::size_t> token_budget;
  std::size_t tokens_used = 0;
  std::size_t candidates = 0;  // memories scored
  double elapsed_ms = 0.0;

  // Structured form for MCP structuredContent:
  //   {"query", "detail_level", "matches": [...], "associations": [...],
  //    "expandable": [ids], "token_budget" (when set), "tokens_used",
  //    "candidates", "elapsed_ms"}
  // each memory: {"id", "kind", "rank", "score", "node_type", "content",
  //   "superseded" (bool), "superseded_by" (when set), "why": {...}} plus the
  //   fields its detail level adds (see DetailLevel).
  Json to_json() const;
  // A readable rendering for the MCP text block: one numbered entry per
  // memory with its score and why, superseded ones marked "[superseded by
  // <id>]", associations under their own heading, expandable ids last.
  std::string to_text() const;
};

// Thread-compatible: one Recaller per thread, or external locking; the store
// and embedder themselves are thread-safe. The store handle must already be
// bound to the embedder's model (MemoryStore::register_model).
class Recaller {
 public:
  // `cache` (optional, not owned) avoids re-embedding repeated queries.
  // `recorder` (optional, not owned): accesses are queued to it and written in
  // the background instead of before recall returns.
  Recaller(MemoryStore& store, Embedder& embedder, QueryEmbeddingCache* cache = nullptr,
           RecallOptions options = {}, AccessRecorder* recorder = nullptr);

  // Runs the pipeline above at time `now`. Throws Error(kInvalidInput) for an
  // invalid request (before reading anything), and whatever the store and
  // embedder throw. A failure to record access synchronously is not swallowed
  // either; with a recorder it surfaces at AccessRecorder::flush.
  RecallResult recall(const RecallRequest& request, Timestamp now);

  // Memories associated with the best `seeds` matches of `query` (hybrid
  // search, no re-ranking), by spreading activation; the matches themselves
  // are excluded. Suppressed memories dropped. Used by the graph tool.
  std::vector<Activation> associations_for_query(std::string_view query, std::size_t seeds,
                                                 const ActivationOptions& activation,
                                                 Timestamp now);

  const RecallOptions& options() const { return options_; }

 private:
  struct Candidate;

  Embedding embed_query(std::string_view query);

  MemoryStore& store_;
  Embedder& embedder_;
  QueryEmbeddingCache* cache_;
  RecallOptions options_;
  AccessRecorder* recorder_;
};

}  // namespace vestige::engine
