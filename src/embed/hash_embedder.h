#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/embedder.h"

namespace vestige::embed {

inline constexpr int kMinHashDimension = 64;
inline constexpr int kMaxHashDimension = 4096;

// builtin/hash-<dim>: an offline, deterministic embedder without weights. It
// hashes lexical features of the text (stemmed words, word bigrams and
// character 3-grams, see hash_embedder.cc) into `dim` signed buckets, so texts
// that share words, word stems or spellings get similar vectors. It knows
// nothing about meaning: "car" and "automobile" are unrelated to it.
//
// A text without any word (empty, or only punctuation and spaces) gets a fixed
// unit vector rather than zeros, so the result is always L2-normalised and
// cosine distances never become NaN; all such texts are identical to each
// other and unrelated to every text with words.
//
// Stateless after construction, so safe from any number of threads.
class HashEmbedder final : public Embedder {
 public:
  // Throws Error(kConfig) unless kMinHashDimension <= dimension <= kMaxHashDimension.
  explicit HashEmbedder(int dimension);

  const ModelSignature& signature() override { return signature_; }
  std::vector<Embedding> embed_batch(std::span<const std::string> texts) override;

  // The vector of one text; embed_batch applies this to each text.
  Embedding embed_text(std::string_view text) const;

 private:
  ModelSignature signature_;
};

// Every parameter that changes the vectors of builtin/hash-<dimension>, as
// text; its SHA-256 is the signature hash.
std::string hash_embedder_parameters(int dimension);

// The building blocks of builtin/hash, shared with embedders that add
// features of their own (builtin/wordnet). A feature is a hash and a weight.
struct HashFeature {
  std::uint64_t hash;
  double weight;
};

// The hash of a feature: a class tag byte, then `a`, then " " and `b` if `b`
// is not empty.
std::uint64_t feature_hash(char tag, std::string_view a, std::string_view b = {});

// The features builtin/hash extracts from `text`.
std::vector<HashFeature> extract_features(std::string_view text);

// Sums `features` (with sublinear term frequency) into `dimension` signed
// buckets and L2-normalises the result; a text without features gets the
// fixed unit vector of builtin/hash.
Embedding features_to_vector(std::vector<HashFeature> features, int dimension);

}  // namespace vestige::embed
