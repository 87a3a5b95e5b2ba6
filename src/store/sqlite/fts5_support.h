#pragma once

// What the text search needs from FTS5 besides MATCH: the very tokenizer
// knowledge_nodes_fts uses (so the in-memory text index holds exactly the
// tokens FTS5 holds), and the weighted count of one phrase in a row.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

// The columns of knowledge_nodes_fts, in order, and their bm25 weights:
// words of the content count most; type and tags (indexed too, so
// "decision" finds decisions) less.
inline constexpr int kTextColumns = 3;
inline constexpr double kTextColumnWeights[kTextColumns] = {1.0, 0.5, 0.3};

// knowledge_nodes_fts's tokenizer ('porter unicode61'), asked from FTS5
// rather than imitated. Per connection; not thread-safe, like the connection.
class TextTokenizer {
 public:
  // `db` must outlive this object.
  explicit TextTokenizer(Database& db);
  ~TextTokenizer();
  TextTokenizer(const TextTokenizer&) = delete;
  TextTokenizer& operator=(const TextTokenizer&) = delete;

  // The tokens of `word` as a query phrase: lowercase, Porter-stemmed;
  // several for a word unicode61 splits, none for one it drops entirely.
  std::vector<std::string> query_tokens(std::string_view word);

  // Calls `sink(token)` for each token FTS5 indexes for `text` in a row,
  // in order: the tokens whose number is the column's size for bm25.
  template <typename Sink>
  void document_tokens(std::string_view text, Sink&& sink) {
    tokenize(text, false, &sink, [](void* user, int flags, const char* token, int size, int, int) {
      // A colocated token (a synonym) shares its position and is not counted.
      if ((flags & FTS5_TOKEN_COLOCATED) == 0) {
        (*static_cast<Sink*>(user))(std::string_view(token, static_cast<std::size_t>(size)));
      }
      return SQLITE_OK;
    });
  }

 private:
  using Callback = int (*)(void*, int, const char*, int, int, int);
  void tokenize(std::string_view text, bool query, void* user, Callback callback);

  Database& db_;
  fts5_tokenizer api_{};
  ::Fts5Tokenizer* tokenizer_ = nullptr;
};

// Registers vestige_phrase_frequency(knowledge_nodes_fts, w0, w1, ...) on
// the connection: the weighted number of times the row holds the MATCH
// expression's first phrase (each instance counts its column's weight),
// summed as FTS5's bm25 sums it, so scores built from it agree with bm25's.
void register_phrase_frequency(Database& db);
constexpr std::string_view kPhraseFrequencyFunction = "vestige_phrase_frequency";

}  // namespace vestige::sqlite
