#include "vestige/embedder.h"

#include <fmt/format.h>

#include <charconv>

#include "embed/hash_embedder.h"
#include "embed/http_embedder.h"
#include "embed/ollama_embedder.h"
#include "embed/openai_embedder.h"
#include "embed/wordnet_embedder.h"
#include "vestige/error.h"

namespace vestige {

Embedding Embedder::embed(std::string_view text) {
  const std::string texts[] = {std::string(text)};
  std::vector<Embedding> vectors = embed_batch(texts);
  return std::move(vectors.at(0));
}

namespace {

constexpr std::string_view kBuiltinPrefix = "builtin/hash-";
constexpr std::string_view kWordNetPrefix = "builtin/wordnet-";
constexpr std::string_view kOllamaPrefix = "ollama/";
constexpr std::string_view kOpenAiPrefix = "openai/";

[[noreturn]] void unknown_model(std::string_view name, std::string_view why) {
  throw Error(ErrorCode::kConfig,
              fmt::format("unknown embedding model \"{}\"{}; the known forms are "
                          "builtin/hash-<dim> (offline, dim {}..{}, default builtin/hash-384), "
                          "builtin/wordnet-<dim> (offline, adds WordNet synonyms), "
                          "ollama/<model> (e.g. ollama/nomic-embed-text) and openai/<model> "
                          "(any OpenAI-compatible server, e.g. openai/text-embedding-3-small)",
                          name, why, embed::kMinHashDimension, embed::kMaxHashDimension));
}

int builtin_dimension(std::string_view name, std::string_view prefix) {
  const std::string_view digits = name.substr(prefix.size());
  int dimension = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), dimension);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      digits.front() == '+' || digits.front() == '-') {
    unknown_model(name, fmt::format(": the part after {} must be a dimension", prefix));
  }
  return dimension;
}

}  // namespace

std::unique_ptr<Embedder> resolve_embedder(std::string_view name, const EmbeddingsConfig& config) {
  const auto model_after = [&](std::string_view prefix) {
    const std::string_view model = name.substr(prefix.size());
    if (model.empty()) unknown_model(name, ": the model name is missing");
    return model;
  };
  if (name.starts_with(kBuiltinPrefix)) {
    return std::make_unique<embed::HashEmbedder>(builtin_dimension(name, kBuiltinPrefix));
  }
  if (name.starts_with(kWordNetPrefix)) {
    return std::make_unique<embed::WordNetEmbedder>(builtin_dimension(name, kWordNetPrefix));
  }
  if (name.starts_with(kOllamaPrefix)) {
    return embed::make_ollama_embedder(embed::http_embedder_options(
        config, "ollama", model_after(kOllamaPrefix), embed::kOllamaDefaultBaseUrl));
  }
  if (name.starts_with(kOpenAiPrefix)) {
    return embed::make_openai_embedder(embed::http_embedder_options(
        config, "openai", model_after(kOpenAiPrefix), embed::kOpenAiDefaultBaseUrl));
  }
  unknown_model(name, "");
}

}  // namespace vestige
