#pragma once

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

}  // namespace vestige::embed
