#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/embedder.h"

namespace vestige::embed {

// builtin/wordnet-<dim>: builtin/hash-<dim> plus features from the WordNet
// lexical database (Debian packages wordnet-base and wordnet-dev). For every
// non-stop word it also hashes the word's WordNet base forms ("bought" ->
// "buy") and the synsets of its first senses in each part of speech, so
// synonyms that share a sense ("car" / "automobile", "buy" / "purchase") get
// overlapping vectors although they share no letters. Offline and
// deterministic; opt-in, builtin/hash-384 stays the default.
//
// The WordNet library keeps global state, so its calls are serialised by one
// process-wide mutex, and each word's WordNet features are cached. Safe from
// any number of threads.
class WordNetEmbedder final : public Embedder {
 public:
  // Throws Error(kConfig) for a dimension outside the builtin/hash range or
  // when the WordNet data files cannot be opened.
  explicit WordNetEmbedder(int dimension);

  const ModelSignature& signature() override { return signature_; }
  std::vector<Embedding> embed_batch(std::span<const std::string> texts) override;

  Embedding embed_text(std::string_view text) const;

 private:
  ModelSignature signature_;
};

// Every parameter that changes the vectors of builtin/wordnet-<dimension>.
std::string wordnet_embedder_parameters(int dimension);

}  // namespace vestige::embed
