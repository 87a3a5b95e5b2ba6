#include "engine/importance.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace vestige::engine {
namespace {

constexpr std::array<std::string_view, 5> kMarkerWords = {"remember", "always", "never",
                                                          "important", "must"};

bool is_marker(std::string_view word) {
  return std::find(kMarkerWords.begin(), kMarkerWords.end(), word) != kMarkerWords.end();
}

}  // namespace

std::vector<std::string> lowercase_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\'') continue;  // "don't" is one word, "dont"
    if (byte >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
      current.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      current.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

ImportanceSignals importance_signals(std::string_view text,
                                     std::optional<double> nearest_similarity) {
  ImportanceSignals signals;
  // A negative cosine is no more "known" than an orthogonal one.
  signals.novelty = nearest_similarity ? 1.0 - std::clamp(*nearest_similarity, 0.0, 1.0) : 1.0;
  const std::vector<std::string> words = lowercase_words(text);
  signals.words = words.size();
  std::set<std::string_view> markers;
  for (const std::string& w : words) {
    if (is_marker(w)) markers.insert(w);
  }
  signals.markers = markers.size();
  return signals;
}

double importance(const ImportanceSignals& signals) {
  const double novelty = std::clamp(signals.novelty, 0.0, 1.0);
  const double markers =
      static_cast<double>(std::min(signals.markers, kMarkersToSaturate)) / kMarkersToSaturate;
  const double length =
      static_cast<double>(std::min(signals.words, kWordsToSaturate)) / kWordsToSaturate;
  return std::clamp(kNoveltyWeight * novelty + kMarkerWeight * markers + kLengthWeight * length,
                    0.0, 1.0);
}

double importance(std::string_view text, std::optional<double> nearest_similarity) {
  return importance(importance_signals(text, nearest_similarity));
}

}  // namespace vestige::engine
