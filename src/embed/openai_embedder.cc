#include "embed/openai_embedder.h"

#include <fmt/format.h>

#include <optional>

namespace vestige::embed {

std::string OpenAiProtocol::endpoint_path(std::string_view path_prefix) const {
  if (path_prefix.ends_with("/v1")) return fmt::format("{}/embeddings", path_prefix);
  return fmt::format("{}/v1/embeddings", path_prefix);
}

Json OpenAiProtocol::request_body(std::string_view model,
                                  std::span<const std::string> texts) const {
  return Json{{"model", model}, {"input", json_string_array(texts)}};
}

std::vector<Embedding> OpenAiProtocol::parse_reply(const Json& reply) const {
  if (!reply.is_object() || !reply.contains("data")) throw MalformedReply("no \"data\" field");
  const Json& data = reply["data"];
  if (!data.is_array()) throw MalformedReply("\"data\" is not an array");
  std::vector<std::optional<Embedding>> slots(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const Json& item = data[i];
    if (!item.is_object() || !item.contains("embedding")) {
      throw MalformedReply(fmt::format("data[{}] has no \"embedding\" field", i));
    }
    // Some servers leave "index" out; then the list is in input order.
    std::size_t index = i;
    if (item.contains("index")) {
      if (!item["index"].is_number_unsigned()) {
        throw MalformedReply(fmt::format("data[{}].index is not a non-negative integer", i));
      }
      index = item["index"].get<std::size_t>();
    }
    if (index >= slots.size() || slots[index]) {
      throw MalformedReply(
          fmt::format("data[{}] has index {}, which is out of range or "
                      "repeated",
                      i, index));
    }
    slots[index] = vector_from_json(item["embedding"], fmt::format("data[{}].embedding", i));
  }
  std::vector<Embedding> vectors;
  vectors.reserve(slots.size());
  for (auto& slot : slots) vectors.push_back(std::move(*slot));
  return vectors;
}

std::string OpenAiProtocol::unreachable_hint() const {
  return "is the server running? Check [embeddings] base_url (e.g. http://127.0.0.1:8080 for "
         "llama.cpp server, http://127.0.0.1:8000 for vLLM)";
}

std::string OpenAiProtocol::unknown_model_hint(std::string_view model) const {
  return fmt::format(
      "check the model name \"{}\" against the server's /v1/models, and that "
      "[embeddings] base_url is the server's root or its /v1 URL",
      model);
}

std::unique_ptr<Embedder> make_openai_embedder(HttpEmbedderOptions options) {
  return std::make_unique<HttpEmbedder>(std::move(options), std::make_unique<OpenAiProtocol>());
}

}  // namespace vestige::embed
