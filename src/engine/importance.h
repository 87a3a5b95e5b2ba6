#pragma once

// Importance of a memory at ingest, from simple signals of its text
// (product.md, "Data model": engine state). Pure functions: no I/O.
//
//   importance = 0.40 * novelty + 0.35 * markers + 0.25 * length
//
//   novelty  = 1 - max(0, cosine similarity to the nearest existing memory),
//              1 when there is none: what the store already knows adds little.
//   markers  = min(distinct marker words, 2) / 2, over "remember", "always",
//              "never", "important", "must": the agent or user said explicitly
//              that this matters; two markers saturate, so piling on emphasis
//              does not keep raising the score.
//   length   = min(words / 8, 1): a text of a few words ("ok", "sounds good")
//              rarely carries a fact worth keeping; from eight words on,
//              length says nothing more.
//
// The weights sum to 1 and every signal is in [0, 1], so the score is too. A
// bland, novel, full-length sentence scores 0.65; the same sentence with two
// markers scores 1.0.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vestige::engine {

inline constexpr double kNoveltyWeight = 0.40;
inline constexpr double kMarkerWeight = 0.35;
inline constexpr double kLengthWeight = 0.25;
inline constexpr std::size_t kMarkersToSaturate = 2;
inline constexpr std::size_t kWordsToSaturate = 8;

// The signals importance() combines, exposed so that callers can explain a score.
struct ImportanceSignals {
  double novelty = 1.0;     // [0, 1]
  std::size_t markers = 0;  // distinct marker words in the text
  std::size_t words = 0;    // words in the text
};

// Lowercase ASCII words of `text` with apostrophes dropped ("don't" -> "dont"),
// split at every other ASCII character; non-ASCII bytes are kept inside words.
// Shared with the ingest gate, which looks for negation words the same way.
std::vector<std::string> lowercase_words(std::string_view text);

// `nearest_similarity` is the cosine similarity to the nearest existing memory,
// or nullopt when the store has none to compare with.
ImportanceSignals importance_signals(std::string_view text,
                                     std::optional<double> nearest_similarity);

// The formula above; always in [0, 1].
double importance(const ImportanceSignals& signals);
double importance(std::string_view text, std::optional<double> nearest_similarity);

}  // namespace vestige::engine
