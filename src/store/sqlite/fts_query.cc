#include "store/sqlite/fts_query.h"

#include <algorithm>
#include <unordered_set>

#include "vestige/stop_words.h"

namespace vestige::sqlite {

namespace {

bool is_word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string ascii_lower(std::string_view word) {
  std::string out(word);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::vector<std::string> search_words(std::string_view text) {
  std::vector<std::string> words;
  std::unordered_set<std::string> seen;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) continue;
    const std::string_view word = text.substr(start, i - start);
    if (seen.insert(ascii_lower(word)).second) words.emplace_back(word);
  }
  return words;
}

std::vector<std::string> fts_match_words(std::string_view text) {
  std::vector<std::string> words = search_words(text);
  // "what" in "what editor settings" would otherwise match every memory that
  // says "what" and rank it with the ones about editors. A query made only of
  // stop words keeps them, so it still finds something.
  const auto is_stop = [](const std::string& w) { return is_stop_word(ascii_lower(w)); };
  if (!std::all_of(words.begin(), words.end(), is_stop)) std::erase_if(words, is_stop);
  return words;
}

std::string fts_or_expression(const std::vector<std::string>& words) {
  std::string expression;
  for (const std::string& word : words) {
    if (!expression.empty()) expression += " OR ";
    // Words never contain an ASCII quote today; doubling keeps the string
    // literal safe even if the definition of a word changes.
    expression += '"';
    for (const char c : word) {
      if (c == '"') expression += '"';
      expression += c;
    }
    expression += '"';
  }
  return expression;
}

std::optional<std::string> fts_match_expression(std::string_view text) {
  const std::vector<std::string> words = fts_match_words(text);
  if (words.empty()) return std::nullopt;
  return fts_or_expression(words);
}

}  // namespace vestige::sqlite
