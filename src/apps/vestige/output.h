#pragma once

// Human-readable renderings for the CLI; --json output uses the types' JSON
// conversions instead.

#include <string>

#include "vestige/types.h"

namespace vestige::cli {

std::string render_memory(const Memory& memory);
std::string render_search_result(std::size_t position, const SearchResult& result);
std::string render_stats(const StoreStats& stats);
std::string render_health(const HealthReport& health);

// Splits "a,b , c" into {"a","b","c"}, dropping empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace vestige::cli
