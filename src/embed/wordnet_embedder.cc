#include "embed/wordnet_embedder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "embed/hash_embedder.h"
#include "embed/sha256.h"
#include "embed/text_features.h"
#include "vestige/error.h"
#include "vestige/stop_words.h"

// wn.h is a C header without extern "C"; CMake adds its directory as a
// system include, so its old-style declarations raise no warnings.
extern "C" {
#include <wn.h>
}

namespace vestige::embed {
namespace {

// Raise whenever what this file adds to the builtin/hash features changes.
constexpr int kAlgorithmVersion = 1;
constexpr std::string_view kWordNetVersion = "3.0";

constexpr char kLemmaTag = 'l';
constexpr char kSynsetTag = 'y';
// Weights relative to a builtin/hash word (1.0). Chosen with bench/quality,
// see docs/benchmarks.md.
constexpr double kLemmaWeight = 0.3;
constexpr double kSynsetWeight = 0.2;
constexpr int kSensesPerPos = 1;
// Longer words are not looked up (WordNet has none, and it copies into
// fixed-size buffers).
constexpr std::size_t kMaxWordLength = 64;

// Bounds the per-word cache; past it the cache starts over.
constexpr std::size_t kMaxCachedWords = 200000;

std::mutex& wordnet_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Guarded by wordnet_mutex().
bool wordnet_ready = false;
std::unordered_map<std::string, std::vector<HashFeature>>& cache() {
  static std::unordered_map<std::string, std::vector<HashFeature>> words;
  return words;
}

constexpr const char* kPosNames[] = {"", "n", "v", "a", "r"};

// Looks `word` up in every part of speech; the caller holds the mutex.
std::vector<HashFeature> lookup_locked(const std::string& word) {
  std::vector<HashFeature> features;
  if (word.size() > kMaxWordLength) return features;
  for (const char c : word) {
    // WordNet's index holds ASCII lowercase words, digits and a few marks.
    if (static_cast<unsigned char>(c) >= 0x80) return features;
  }
  std::vector<std::string> seen_lemmas;
  for (int pos = NOUN; pos <= ADV; ++pos) {
    // Base forms: the word itself if WordNet knows it, and every form morphstr
    // reduces it to.
    std::vector<std::string> forms;
    std::string buffer = word;
    for (char* form = morphstr(buffer.data(), pos); form != nullptr;
         form = morphstr(nullptr, pos)) {
      forms.emplace_back(form);
    }
    forms.push_back(word);
    for (const std::string& form : forms) {
      std::string lookup = form;
      IndexPtr index = index_lookup(lookup.data(), pos);
      if (index == nullptr) continue;
      if (std::find(seen_lemmas.begin(), seen_lemmas.end(), form) == seen_lemmas.end()) {
        seen_lemmas.push_back(form);
        features.push_back({feature_hash(kLemmaTag, form), kLemmaWeight});
      }
      const int senses = std::min(index->off_cnt, kSensesPerPos);
      for (int i = 0; i < senses; ++i) {
        const std::string synset = fmt::format("{}{:08}", kPosNames[pos], index->offset[i]);
        features.push_back({feature_hash(kSynsetTag, synset), kSynsetWeight});
      }
      free_index(index);
    }
  }
  // The same synset reached through two forms counts once.
  std::sort(features.begin(), features.end(),
            [](const HashFeature& a, const HashFeature& b) { return a.hash < b.hash; });
  features.erase(
      std::unique(features.begin(), features.end(),
                  [](const HashFeature& a, const HashFeature& b) { return a.hash == b.hash; }),
      features.end());
  return features;
}

void open_wordnet() {
  std::lock_guard lock(wordnet_mutex());
  if (wordnet_ready) return;
  if (wninit() != 0) {
    const char* dir = std::getenv("WNSEARCHDIR");
    throw Error(ErrorCode::kConfig,
                fmt::format("builtin/wordnet: cannot open the WordNet database{}; install it with "
                            "`apt-get install wordnet-base` or use builtin/hash-384",
                            dir != nullptr ? fmt::format(" in {} (WNSEARCHDIR)", dir) : ""));
  }
  wordnet_ready = true;
}

}  // namespace

std::string wordnet_embedder_parameters(int dimension) {
  return fmt::format(
      "{}"
      "vestige builtin/wordnet extension\n"
      "algorithm_version={}\n"
      "wordnet={}\n"
      "words=non-stop tokens, ascii, <= {} bytes\n"
      "lemma tag={} weight={:.4f} (word and morphstr forms found in index.<pos>, once)\n"
      "synset tag={} weight={:.4f} (first {} offsets per form and pos n v a r, once)\n",
      hash_embedder_parameters(dimension), kAlgorithmVersion, kWordNetVersion, kMaxWordLength,
      kLemmaTag, kLemmaWeight, kSynsetTag, kSynsetWeight, kSensesPerPos);
}

WordNetEmbedder::WordNetEmbedder(int dimension) {
  if (dimension < kMinHashDimension || dimension > kMaxHashDimension) {
    throw Error(ErrorCode::kConfig,
                fmt::format("builtin/wordnet-{}: the dimension must be between {} and {}; use "
                            "e.g. builtin/wordnet-384",
                            dimension, kMinHashDimension, kMaxHashDimension));
  }
  open_wordnet();
  signature_.name = fmt::format("builtin/wordnet-{}", dimension);
  signature_.dimension = dimension;
  signature_.hash = sha256_hex(wordnet_embedder_parameters(dimension));
}

std::vector<Embedding> WordNetEmbedder::embed_batch(std::span<const std::string> texts) {
  std::vector<Embedding> vectors;
  vectors.reserve(texts.size());
  for (const std::string& text : texts) vectors.push_back(embed_text(text));
  return vectors;
}

Embedding WordNetEmbedder::embed_text(std::string_view text) const {
  std::vector<HashFeature> features = extract_features(text);
  const std::vector<std::string> words = tokenize(text);
  {
    std::lock_guard lock(wordnet_mutex());
    for (const std::string& word : words) {
      if (is_stop_word(word)) continue;
      auto it = cache().find(word);
      if (it == cache().end()) {
        if (cache().size() >= kMaxCachedWords) cache().clear();
        it = cache().emplace(word, lookup_locked(word)).first;
      }
      features.insert(features.end(), it->second.begin(), it->second.end());
    }
  }
  return features_to_vector(std::move(features), signature_.dimension);
}

}  // namespace vestige::embed
