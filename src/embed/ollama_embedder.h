#pragma once

#include <memory>
#include <string_view>

#include "embed/http_embedder.h"

namespace vestige::embed {

inline constexpr std::string_view kOllamaDefaultBaseUrl = "http://127.0.0.1:11434";

// Ollama's batch endpoint (which replaced /api/embeddings in mid-2024):
//   POST {base}/api/embed {"model": m, "input": [texts]} -> {"embeddings": [[...], ...]}
class OllamaProtocol final : public EmbeddingProtocol {
 public:
  std::string_view server_kind() const override { return "Ollama"; }
  std::string endpoint_path(std::string_view path_prefix) const override;
  Json request_body(std::string_view model, std::span<const std::string> texts) const override;
  std::vector<Embedding> parse_reply(const Json& reply) const override;
  std::string unreachable_hint() const override;
  std::string unknown_model_hint(std::string_view model) const override;
};

std::unique_ptr<Embedder> make_ollama_embedder(HttpEmbedderOptions options);

}  // namespace vestige::embed
