#pragma once

// Human-readable renderings for the CLI; --json output uses the types' JSON
// conversions instead, except for recalled memories (recalled_json).

#include <string>

#include "engine/recall.h"
#include "vestige/types.h"

namespace vestige::cli {

std::string render_memory(const Memory& memory);
std::string render_search_result(std::size_t position, const SearchResult& result);
// One match of the recall pipeline: the search result's layout, plus
// retention, a superseded mark and the pipeline's reason for the rank.
std::string render_recalled(const engine::RecalledMemory& recalled);
// `vestige search --json` in recall mode: the memory (without its embedding),
// score and branch ranks as in the store modes, then the pipeline's fields:
// rank, text_score, vector_similarity, retention, state, superseded_by (null
// when current) and why (one sentence).
Json recalled_json(const engine::RecalledMemory& recalled);
std::string render_stats(const StoreStats& stats);
std::string render_health(const HealthReport& health);

// Splits "a,b , c" into {"a","b","c"}, dropping empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace vestige::cli
