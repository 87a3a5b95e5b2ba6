#include "vestige/stop_words.h"

#include <algorithm>
#include <iterator>

namespace vestige {
namespace {

// Sorted, so that is_stop_word can binary-search.
constexpr std::string_view kStopWords[] = {
    "a",     "about", "after", "all",  "also",  "am",   "an",    "and",   "any",   "are",  "as",
    "at",    "be",    "been",  "but",  "by",    "can",  "could", "did",   "do",    "does", "for",
    "from",  "had",   "has",   "have", "he",    "her",  "him",   "his",   "how",   "i",    "if",
    "in",    "into",  "is",    "it",   "its",   "just", "me",    "my",    "no",    "not",  "of",
    "on",    "or",    "our",   "she",  "so",    "than", "that",  "the",   "their", "them", "then",
    "there", "these", "they",  "this", "those", "to",   "us",    "was",   "we",    "were", "what",
    "when",  "where", "which", "who",  "why",   "will", "with",  "would", "you",   "your",
};

constexpr bool sorted_stop_words() {
  for (std::size_t i = 1; i < std::size(kStopWords); ++i) {
    if (!(kStopWords[i - 1] < kStopWords[i])) return false;
  }
  return true;
}
static_assert(sorted_stop_words());

}  // namespace

bool is_stop_word(std::string_view word) {
  return std::binary_search(std::begin(kStopWords), std::end(kStopWords), word);
}

std::span<const std::string_view> stop_words() {
  return kStopWords;
}

}  // namespace vestige
