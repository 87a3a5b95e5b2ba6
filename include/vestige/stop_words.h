#pragma once

// English function words that carry little meaning on their own ("the",
// "is", "what"). The builtin embedder gives them a small weight, and text
// search leaves them out of a query that has other words, as PostgreSQL's
// english text search configuration does, so both backends rank alike.

#include <span>
#include <string_view>

namespace vestige {

// `word` must be lowercase ASCII to match.
bool is_stop_word(std::string_view word);
std::span<const std::string_view> stop_words();

}  // namespace vestige
