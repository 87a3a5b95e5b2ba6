#pragma once

#include <memory>
#include <string_view>

#include "embed/http_embedder.h"

namespace vestige::embed {

inline constexpr std::string_view kOpenAiDefaultBaseUrl = "https://api.openai.com";

// The OpenAI embeddings API, which llama.cpp server, vLLM, TEI and LM Studio
// also speak:
//   POST {base}/v1/embeddings {"model": m, "input": [texts]}
//     -> {"data": [{"index": i, "embedding": [...]}, ...]}
// Replies may list the vectors in any order; "index" says which text each
// belongs to (without it, the order is the input's). A base URL that already ends in /v1 is not
// given a second one.
class OpenAiProtocol final : public EmbeddingProtocol {
 public:
  std::string_view server_kind() const override { return "OpenAI-compatible"; }
  std::string endpoint_path(std::string_view path_prefix) const override;
  Json request_body(std::string_view model, std::span<const std::string> texts) const override;
  std::vector<Embedding> parse_reply(const Json& reply) const override;
  std::string unreachable_hint() const override;
  std::string unknown_model_hint(std::string_view model) const override;
};

std::unique_ptr<Embedder> make_openai_embedder(HttpEmbedderOptions options);

}  // namespace vestige::embed
