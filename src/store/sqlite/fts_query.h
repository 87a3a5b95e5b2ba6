#pragma once

// Turns a user's search text into an FTS5 MATCH expression that searches for
// its words and nothing else. FTS5's query language gives meaning to quotes,
// `*`, `^`, `:`, `-`, parentheses and the words AND, OR, NOT and NEAR; text
// typed by a person (or an agent) must never be parsed as that language, or
// "don't" is a syntax error and "NEAR" silently changes the query.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vestige::sqlite {

// The words of `text`: maximal runs of ASCII letters and digits and of
// non-ASCII bytes, matching what FTS5's unicode61 tokenizer keeps for ASCII
// and leaving non-ASCII text for it to split. Duplicates (ignoring ASCII
// case) are dropped; order is kept.
std::vector<std::string> search_words(std::string_view text);

// The words of `text` a search looks for: stop words ("the", "what") are
// left out unless the text has no other words.
std::vector<std::string> fts_match_words(std::string_view text);

// `"w1" OR "w2" OR ...` for the given words; empty for none.
std::string fts_or_expression(const std::vector<std::string>& words);

// `"w1" OR "w2" OR ...` with every word an FTS5 string (embedded quotes
// doubled): a document matching any word qualifies, and bm25 ranks those
// matching more of them higher. Stop words ("the", "what") are left out
// unless the text has no other words. nullopt when the text has no words.
std::optional<std::string> fts_match_expression(std::string_view text);

}  // namespace vestige::sqlite
