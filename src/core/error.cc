#include "vestige/error.h"

#include <fmt/format.h>

namespace vestige {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kModelMismatch:
      return "model_mismatch";
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kBackend:
      return "backend";
    case ErrorCode::kInit:
      return "init";
    case ErrorCode::kPoolTimeout:
      return "pool_timeout";
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kEmbedder:
      return "embedder";
  }
  return "unknown";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

Error Error::model_mismatch(const ModelSignature& registered, const ModelSignature& requested) {
  if (registered.hash.starts_with(kReembedMarker)) {
    Error e(ErrorCode::kModelMismatch,
            fmt::format("a re-embed to {} (dimension {}) is in progress on this store, so its "
                        "vectors come from two models: vector search and vector writes are "
                        "refused until it finishes (text search still works). Finish it with: "
                        "vestige migrate reembed --model={} --resume",
                        registered.name, registered.dimension, registered.name));
    e.registered_ = registered;
    e.requested_ = requested;
    return e;
  }
  Error e(ErrorCode::kModelMismatch,
          fmt::format("embedding model mismatch: the store's vectors were made by {}, but the "
                      "configured model is {}; vectors from different models cannot be mixed. "
                      "Either set [embeddings] model = \"{}\" in vestige.toml, or re-embed every "
                      "memory with the new model: vestige migrate reembed --model={}",
                      describe(registered), describe(requested), registered.name, requested.name));
  e.registered_ = registered;
  e.requested_ = requested;
  return e;
}

int exit_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kConfig:
    case ErrorCode::kUsage:
    case ErrorCode::kInvalidInput:
    case ErrorCode::kModelMismatch:
      return kExitUsage;
    case ErrorCode::kInit:
      return kExitStorage;
    case ErrorCode::kNotFound:
    case ErrorCode::kBackend:
    case ErrorCode::kPoolTimeout:
    case ErrorCode::kEmbedder:
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace vestige
