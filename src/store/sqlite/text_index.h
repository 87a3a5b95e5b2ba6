#pragma once

// The full-text index held in memory, for ranking: the same tokens, counts
// and row lengths as knowledge_nodes_fts, laid out so that a query scores
// every memory it matches in one pass over the query words' posting lists.
//
// FTS5 answers MATCH well but ranks slowly: bm25 visits each match through
// its auxiliary-function interface, about a microsecond per match, so a
// query holding a word most memories share costs tens of milliseconds at
// 100,000 memories. Here a match costs a few nanoseconds, so every query is
// ranked exactly, common words included. FTS5 stays the store's index (and
// the source of multi-token phrases, see Phrase); this copy is built from
// the table or loaded from its snapshot file, and kept in step, by
// TextSearchState (text_sync.h).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite/fts5_support.h"

namespace vestige::sqlite {

class TextIndex {
 public:
  // A memory's tokens, column by column (knowledge_nodes_fts's order), as
  // FTS5 indexes them.
  using ColumnTokens = std::span<const std::vector<std::string>, kTextColumns>;

  // One phrase of a query, scored as FTS5's bm25 scores a phrase.
  struct Phrase {
    // A single token: its posting list here gives the matches.
    std::optional<std::string> token;
    // Otherwise (a word the tokenizer splits into several tokens, whose
    // positions this index does not keep): the memories FTS5 found holding
    // the phrase, with its weighted frequency in each.
    std::vector<std::pair<std::int64_t, double>> rows;
  };

  struct Match {
    double score = 0.0;      // bm25, negated as text_score is: higher is better
    std::uint32_t slot = 0;  // the memory's place here: see seq() and id()
  };

  // Adds the memory `seq` (whose id is `id`), replacing what it held before.
  void upsert(std::int64_t seq, std::string_view id, ColumnTokens columns);
  // Returns false when `seq` was not indexed.
  bool remove(std::int64_t seq);

  // Every memory matching at least one phrase, scored as
  // bm25(knowledge_nodes_fts, kTextColumnWeights...) scores it over the same
  // rows (k1 1.2, b 0.75), term for term so the scores agree to the last
  // bit. Unordered. Not const: reuses scratch space between calls.
  std::vector<Match> score(std::span<const Phrase> phrases);

  // The memory of a Match, until the index next changes. The id lets a
  // caller order ties as the store does (by id) without reading a row.
  std::int64_t seq(std::uint32_t slot) const { return slots_[slot].seq; }
  const std::string& id(std::uint32_t slot) const { return slots_[slot].id; }

  // The memory `seq` as indexed: its id and its length in tokens (all
  // columns). nullopt when it is not indexed.
  struct Entry {
    std::string_view id;
    std::uint32_t length = 0;
  };
  std::optional<Entry> find(std::int64_t seq) const;
  // The seqs of every memory indexed, in increasing order.
  std::vector<std::int64_t> seqs() const;

  std::int64_t documents() const { return live_documents_; }
  std::int64_t total_tokens() const { return total_tokens_; }
  // How many memories hold `token` in any column.
  std::int64_t document_frequency(std::string_view token) const;

  // Removed and replaced memories leave their postings behind until
  // compact() drops them; worth it once they are a quarter of the postings.
  bool should_compact() const;
  void compact();
  // Returns the spare capacity the posting lists grew into while being
  // filled (a third of their memory after a build from the table).
  void shrink_to_fit();

  // The indexed memories in a compact form (memory by memory: seq, id,
  // length, and each term's counts per column; the vocabulary once), for
  // the snapshot file. deserialize() gives back an index that scores every
  // query exactly as this one; it throws std::runtime_error when `payload`
  // is not one serialize() wrote.
  std::string serialize() const;
  static TextIndex deserialize(std::string_view payload);

 private:
  // How often a term occurs in each column of one memory.
  struct Posting {
    std::uint32_t slot = 0;
    std::uint32_t content = 0;
    std::uint16_t node_type = 0;
    std::uint16_t tags = 0;
  };
  struct Term {
    std::vector<Posting> postings;  // by slot, so by time of indexing
    std::int64_t live = 0;          // postings of memories still indexed
  };
  // One indexed version of a memory; a replaced version's slot stays dead.
  // Its length and liveness are kept apart (lengths_, norms_), where the
  // scoring loop reads them without touching the rest.
  struct Slot {
    std::int64_t seq = 0;
    std::string id;
    std::uint32_t terms_begin = 0;
    std::uint32_t terms_end = 0;  // its terms are slot_terms_[begin, end)
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::uint32_t term_id(const std::string& token);
  static double frequency(const Posting& p);
  void accumulate(std::uint32_t slot, double contribution);
  // Brings norms_ up to date with the current average length.
  void refresh_norms(double avgdl);

  static constexpr std::uint32_t kDead = 0xffffffff;

  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> vocabulary_;
  std::vector<Term> terms_;
  std::vector<Slot> slots_;
  // Per slot: tokens in all columns (bm25's document length), kDead once
  // removed or replaced.
  std::vector<std::uint32_t> lengths_;
  // Per slot: bm25's k1 * (1 - b + b * length / avgdl) for the average
  // length norms_avgdl_ (negative for a dead slot); recomputed when it
  // changes, which any write does.
  std::vector<double> norms_;
  double norms_avgdl_ = -1.0;
  std::vector<std::uint32_t> slot_terms_;
  std::unordered_map<std::int64_t, std::uint32_t> slot_of_;
  std::int64_t live_documents_ = 0;
  std::int64_t total_tokens_ = 0;
  std::int64_t postings_ = 0;
  std::int64_t dead_postings_ = 0;
  // score()'s scratch: a running score per slot (0 = not matched yet; every
  // match adds a positive amount) and the slots matched so far.
  std::vector<double> scores_;
  std::vector<std::uint32_t> matched_;
};

}  // namespace vestige::sqlite
