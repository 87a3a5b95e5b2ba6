#pragma once

// Embedding models (product.md, "Embedders").

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/config.h"
#include "vestige/types.h"

namespace vestige {

// Turns texts into vectors. Implementations are safe to call from several
// threads at once. Failures throw Error(kEmbedder) with a message that names
// the model, the endpoint and what to do.
class Embedder {
 public:
  virtual ~Embedder() = default;

  // Name, dimension and hash. For an HTTP embedder whose dimension is not
  // configured, the first call probes the server once (and may throw).
  virtual const ModelSignature& signature() = 0;

  // One vector per text, in order, each of signature().dimension floats and
  // L2-normalised. An empty span gives an empty result.
  virtual std::vector<Embedding> embed_batch(std::span<const std::string> texts) = 0;

  Embedding embed(std::string_view text);
};

// Builds an embedder from its name:
//   builtin/hash-<dim>   offline feature-hashing embedder (dim 64..4096)
//   ollama/<model>       POST {base_url}/api/embed
//   openai/<model>       POST {base_url}/v1/embeddings (any OpenAI-compatible server)
// `config` supplies base_url, dimension, api key, timeout, batch size and
// retries for HTTP embedders. An unknown name throws Error(kConfig) listing
// the known forms. Does no network I/O.
std::unique_ptr<Embedder> resolve_embedder(std::string_view name, const EmbeddingsConfig& config);

// A fixed-capacity LRU map from query text to its embedding, so that a repeated
// query is not embedded again. Thread-safe.
class QueryEmbeddingCache {
 public:
  explicit QueryEmbeddingCache(std::size_t capacity);
  ~QueryEmbeddingCache();

  // The cached vector for `text`, or embeds it with `embedder` and caches it.
  Embedding get_or_embed(Embedder& embedder, std::string_view text);

  std::size_t size() const;
  std::size_t hits() const;
  std::size_t misses() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vestige
