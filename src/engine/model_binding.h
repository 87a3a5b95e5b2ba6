#pragma once

// The configured embedder and the store's model registry, kept in step: what
// every program that writes or queries vectors needs before its first vector
// operation (the `vestige` commands and the MCP tools alike).

#include <memory>
#include <utility>

#include "vestige/config.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"

namespace vestige::engine {

class ModelBinding {
 public:
  explicit ModelBinding(EmbeddingsConfig config) : config_(std::move(config)) {}

  // The configured embedder, resolved on first use (resolve_embedder: an
  // unknown name or bad settings throw its error; later calls try again).
  Embedder& embedder();

  // `store` bound to the embedder's model: registers it when the store has
  // none yet. Error(kModelMismatch) when the store holds another model's
  // vectors, naming both models and the reembed command that fixes it.
  MemoryStore& for_writes(MemoryStore& store);

  // The embedder when the store's registered model is its model; nullptr
  // while the store has no vectors (search is then text only), without
  // registering anything. Error(kModelMismatch) when the models differ, so
  // that a model change can never silently empty a search.
  Embedder* for_queries(MemoryStore& store);

  // The store handle was closed: the next one must be bound again.
  void unbind() { bound_ = false; }

 private:
  EmbeddingsConfig config_;
  std::unique_ptr<Embedder> embedder_;
  bool bound_ = false;
};

}  // namespace vestige::engine
