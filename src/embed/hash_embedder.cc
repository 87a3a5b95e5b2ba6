#include "embed/hash_embedder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "embed/porter_stemmer.h"
#include "embed/sha256.h"
#include "embed/stable_hash.h"
#include "embed/text_features.h"
#include "vestige/error.h"
#include "vestige/stop_words.h"

namespace vestige::embed {
namespace {

// Stored vectors depend on everything below and on text_features.cc,
// porter_stemmer.cc and stable_hash.h. Any change to what they compute must
// raise the version, so that the signature hash changes and a store refuses to
// mix old and new vectors instead of silently comparing them.
constexpr int kAlgorithmVersion = 1;
constexpr std::uint64_t kSeed = 0x7665737469676531ULL;  // "vestige1"

// Feature classes; the tag is hashed in front of the feature so that, say, the
// word "ing" and the 3-gram "ing" land in different buckets.
constexpr char kWordTag = 'w';
constexpr char kStopWordTag = 's';
constexpr char kBigramTag = 'b';
constexpr char kCharNgramTag = 'c';
constexpr char kEmptyTag = 'e';

// Relative weights. A stemmed word is the strongest signal. A pair of adjacent
// content words rewards matching phrases, and the character n-grams (each word
// has several) make a misspelt word still overlap its correct spelling.
constexpr double kWordWeight = 1.0;
constexpr double kStopWordWeight = 0.2;
constexpr double kBigramWeight = 0.5;
constexpr double kCharNgramWeight = 0.3;
constexpr std::size_t kCharNgramSize = 3;
constexpr char kWordStart = '<';
constexpr char kWordEnd = '>';

using Feature = HashFeature;

}  // namespace

std::uint64_t feature_hash(char tag, std::string_view a, std::string_view b) {
  std::uint64_t state = kFnvOffsetBasis ^ kSeed;
  state = fnv1a_update(state, std::string_view(&tag, 1));
  state = fnv1a_update(state, a);
  if (!b.empty()) {
    state = fnv1a_update(state, " ");
    state = fnv1a_update(state, b);
  }
  return fmix64(state);
}

std::vector<HashFeature> extract_features(std::string_view text) {
  const std::vector<std::string> words = tokenize(text);
  std::vector<Feature> features;
  features.reserve(words.size() * 8);
  std::string previous_stem;
  std::string padded;
  for (const std::string& word : words) {
    const std::string stem = porter_stem(word);
    if (is_stop_word(word)) {
      features.push_back({feature_hash(kStopWordTag, stem), kStopWordWeight});
      continue;
    }
    features.push_back({feature_hash(kWordTag, stem), kWordWeight});
    // Stop words are skipped, so "database is locked" and "database locked"
    // share the bigram.
    if (!previous_stem.empty()) {
      features.push_back({feature_hash(kBigramTag, previous_stem, stem), kBigramWeight});
    }
    previous_stem = stem;
    // N-grams of the word as written, not its stem: a typo usually breaks the
    // stem but leaves most n-grams intact.
    padded.clear();
    padded.push_back(kWordStart);
    padded.append(word);
    padded.push_back(kWordEnd);
    for_each_char_ngram(padded, kCharNgramSize, [&](std::string_view gram) {
      features.push_back({feature_hash(kCharNgramTag, gram), kCharNgramWeight});
    });
  }
  return features;
}

namespace {

void add_feature(std::vector<double>& sums, std::uint64_t hash, double value) {
  constexpr std::uint64_t kSignBit = 1ULL << 63;
  // Signed hashing: colliding features cancel out on average instead of
  // piling up, which keeps inner products unbiased.
  const double sign = (hash & kSignBit) != 0 ? -1.0 : 1.0;
  sums[(hash & ~kSignBit) % sums.size()] += sign * value;
}

}  // namespace

std::string hash_embedder_parameters(int dimension) {
  std::string stop_word_list;
  for (const std::string_view w : stop_words()) {
    if (!stop_word_list.empty()) stop_word_list.push_back(',');
    stop_word_list.append(w);
  }
  return fmt::format(
      "vestige builtin/hash embedder\n"
      "algorithm_version={}\n"
      "dimension={}\n"
      "hash=fnv1a64+fmix64 seed={:#018x}; feature=tag byte+bytes; bigram separator=space\n"
      "bucket=low 63 bits mod dimension; sign=bit 63\n"
      "tokens=ascii lowercase; word chars=[a-z0-9] and non-ascii; apostrophes ' U+2019 join; "
      "separators also U+00A0 U+00A1 U+00AB U+00BB U+00BF U+2000-U+206F U+3000-U+3002\n"
      "stemmer=porter 1980 (abli->able, no logi, <=2 letters kept, a-z words only)\n"
      "stop_words={}\n"
      "word tag={} weight={:.4f}; stop word tag={} weight={:.4f}\n"
      "bigram tag={} weight={:.4f} (adjacent non-stop stems)\n"
      "char_ngram tag={} n={} weight={:.4f} markers={}{} (non-stop words as written, "
      "code points)\n"
      "tf=1+ln(count)\n"
      "norm=l2; no words=unit vector of feature tag {}\n",
      kAlgorithmVersion, dimension, kSeed, stop_word_list, kWordTag, kWordWeight, kStopWordTag,
      kStopWordWeight, kBigramTag, kBigramWeight, kCharNgramTag, kCharNgramSize, kCharNgramWeight,
      kWordStart, kWordEnd, kEmptyTag);
}

HashEmbedder::HashEmbedder(int dimension) {
  if (dimension < kMinHashDimension || dimension > kMaxHashDimension) {
    throw Error(ErrorCode::kConfig,
                fmt::format("builtin/hash-{}: the dimension must be between {} and {}; use e.g. "
                            "builtin/hash-384",
                            dimension, kMinHashDimension, kMaxHashDimension));
  }
  signature_.name = fmt::format("builtin/hash-{}", dimension);
  signature_.dimension = dimension;
  signature_.hash = sha256_hex(hash_embedder_parameters(dimension));
}

std::vector<Embedding> HashEmbedder::embed_batch(std::span<const std::string> texts) {
  std::vector<Embedding> vectors;
  vectors.reserve(texts.size());
  for (const std::string& text : texts) vectors.push_back(embed_text(text));
  return vectors;
}

Embedding HashEmbedder::embed_text(std::string_view text) const {
  return features_to_vector(extract_features(text), signature_.dimension);
}

Embedding features_to_vector(std::vector<HashFeature> features, int dimension) {
  // Counting equal features by sorting (rather than in a hash map) also fixes
  // the order of the floating-point sums, so the vector is bit-for-bit the
  // same wherever it is computed.
  std::sort(features.begin(), features.end(), [](const Feature& a, const Feature& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.weight < b.weight;
  });
  std::vector<double> sums(static_cast<std::size_t>(dimension), 0.0);
  for (std::size_t i = 0; i < features.size();) {
    std::size_t end = i + 1;
    while (end < features.size() && features[end].hash == features[i].hash &&
           features[end].weight == features[i].weight) {
      ++end;
    }
    // Sublinear term frequency: a word repeated ten times is not ten times
    // as relevant.
    const double tf = 1.0 + std::log(static_cast<double>(end - i));
    add_feature(sums, features[i].hash, features[i].weight * tf);
    i = end;
  }
  double norm_squared = 0.0;
  for (const double s : sums) norm_squared += s * s;
  if (norm_squared == 0.0) {
    // No words, or (vanishingly unlikely) features that cancelled exactly.
    add_feature(sums, feature_hash(kEmptyTag, {}), 1.0);
    norm_squared = 1.0;
  }
  const double inverse_norm = 1.0 / std::sqrt(norm_squared);
  Embedding vector(sums.size());
  std::transform(sums.begin(), sums.end(), vector.begin(),
                 [&](double s) { return static_cast<float>(s * inverse_norm); });
  return vector;
}

}  // namespace vestige::embed
