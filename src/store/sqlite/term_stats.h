#pragma once

// What the fast text search needs from FTS5 beyond MATCH: the index's own
// tokens for a query word, how many memories hold a token (its document
// frequency), and a bm25 that does not count every match of every phrase.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

// Per connection; not thread-safe, like the connection.
class TermStats {
 public:
  // Registers vestige_bm25 on the connection. `db` must outlive this object.
  explicit TermStats(Database& db);
  ~TermStats();
  TermStats(const TermStats&) = delete;
  TermStats& operator=(const TermStats&) = delete;

  // The tokens knowledge_nodes_fts's tokenizer makes of `word` when it is
  // a query phrase: lowercase, Porter-stemmed; several for a word the
  // unicode61 tokenizer splits, none for one it drops entirely.
  std::vector<std::string> tokens(std::string_view word);

  // How many indexed memories hold `token` in any column: the nHit FTS5's
  // bm25 computes for a one-token phrase.
  // Kept between calls: call forget_if_changed() before each search.
  std::int64_t document_frequency(const std::string& token);

  // Drops the kept frequencies if the index may have changed since.
  void forget_if_changed();

 private:
  Database& db_;
  fts5_tokenizer tokenizer_api_{};
  Fts5Tokenizer* tokenizer_ = nullptr;
  std::unordered_map<std::string, std::int64_t> frequencies_;
  std::int64_t data_version_ = -1;
  std::int64_t total_changes_ = -1;
  bool vocabulary_created_ = false;
};

// vestige_bm25(knowledge_nodes_fts, first, frequencies, w0, w1, ...): FTS5's
// bm25 (k1 1.2, b 0.75, negated like bm25) over the phrases numbered
// `first` and above only, with their document frequencies given as text
// ("12,4000,-1"; -1 = count them as bm25 does). The MATCH expression may
// then carry phrases before `first` that restrict which rows are visited
// without counting in the score, and the common phrases' frequencies, which
// bm25 would count by walking their whole posting lists on every query,
// come from TermStats instead.
constexpr std::string_view kBm25Function = "vestige_bm25";

}  // namespace vestige::sqlite
