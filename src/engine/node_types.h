#pragma once

// Node types the engine itself writes, and which engine passes treat as
// bookkeeping rather than knowledge: consolidation neither links nor merges
// them, dream does not summarise them, gc does not collect them. Every one of
// these memories is stored suppressed (hidden from recall and search unless a
// caller asks for suppressed memories) except summaries, which are knowledge
// an agent should find.

#include <string_view>

#include "vestige/types.h"

namespace vestige::engine {

// Prospective memory: something to do when a time or context comes
// (intentions.h).
inline constexpr std::string_view kIntentionType = "intention";
// The one memory whose outgoing kIntentionEdge edges list every intention, at
// the fixed id kIntentionIndexId, so that listing intentions reads a handful
// of edges instead of scanning the store.
inline constexpr std::string_view kIntentionIndexType = "intention_index";
// The undo record of one consolidation merge (consolidation.h).
inline constexpr std::string_view kMergeRecordType = "merge_record";
// An extractive summary written by dream (maintenance.h). Not suppressed.
inline constexpr std::string_view kSummaryType = "summary";

// True for the suppressed bookkeeping types above (not summaries).
bool is_bookkeeping_type(std::string_view node_type);

}  // namespace vestige::engine
