#include "engine/model_binding.h"

namespace vestige::engine {

Embedder& ModelBinding::embedder() {
  if (!embedder_) embedder_ = resolve_embedder(config_.model, config_);
  return *embedder_;
}

MemoryStore& ModelBinding::for_writes(MemoryStore& store) {
  if (!bound_) {
    // register_model refuses a different registered model with the error
    // every caller shows (Error::model_mismatch).
    store.register_model(embedder().signature());
    bound_ = true;
  }
  return store;
}

Embedder* ModelBinding::for_queries(MemoryStore& store) {
  if (!bound_) {
    if (!store.registered_model()) return nullptr;
    store.register_model(embedder().signature());
    bound_ = true;
  }
  return &embedder();
}

}  // namespace vestige::engine
