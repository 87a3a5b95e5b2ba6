#include "embed/ollama_embedder.h"

#include <fmt/format.h>

namespace vestige::embed {

std::string OllamaProtocol::endpoint_path(std::string_view path_prefix) const {
  return fmt::format("{}/api/embed", path_prefix);
}

Json OllamaProtocol::request_body(std::string_view model,
                                  std::span<const std::string> texts) const {
  return Json{{"model", model}, {"input", json_string_array(texts)}};
}

std::vector<Embedding> OllamaProtocol::parse_reply(const Json& reply) const {
  if (!reply.is_object() || !reply.contains("embeddings")) {
    throw MalformedReply("no \"embeddings\" field");
  }
  const Json& embeddings = reply["embeddings"];
  if (!embeddings.is_array()) throw MalformedReply("\"embeddings\" is not an array");
  std::vector<Embedding> vectors;
  vectors.reserve(embeddings.size());
  for (std::size_t i = 0; i < embeddings.size(); ++i) {
    vectors.push_back(vector_from_json(embeddings[i], fmt::format("embeddings[{}]", i)));
  }
  return vectors;
}

std::string OllamaProtocol::unreachable_hint() const {
  return "is the server running? Start it with `ollama serve`, or check [embeddings] base_url "
         "(default http://127.0.0.1:11434)";
}

std::string OllamaProtocol::unknown_model_hint(std::string_view model) const {
  return fmt::format(
      "check the model name; download it with `ollama pull {}` (an Ollama from before "
      "mid-2024 has no /api/embed and answers 404 too: upgrade it)",
      model);
}

std::unique_ptr<Embedder> make_ollama_embedder(HttpEmbedderOptions options) {
  return std::make_unique<HttpEmbedder>(std::move(options), std::make_unique<OllamaProtocol>());
}

}  // namespace vestige::embed
