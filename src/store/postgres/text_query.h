#pragma once

// User text as a full-text query: words only, never query syntax.

#include <optional>
#include <string>
#include <string_view>

namespace vestige::postgres {

// The words of `text` (runs of ASCII letters and digits and of non-ASCII
// bytes), each quoted and joined by " or ", as input for
// websearch_to_tsquery: a memory matching any word is found, and operators,
// quotes, backslashes and minus signs in the text stay literal. nullopt when
// the text has no word.
std::optional<std::string> websearch_text(std::string_view text);

// The hybrid statement (sql/hybrid_search.sql), embedded at build time.
std::string_view hybrid_search_sql();

}  // namespace vestige::postgres
