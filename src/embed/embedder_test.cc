#include "vestige/embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "embed/test_support.h"

namespace vestige {
namespace {

using embed::test_support::capture_error;
using ::testing::HasSubstr;

TEST(ResolveEmbedder, BuildsBuiltinHashEmbedders) {
  const EmbeddingsConfig config;
  for (const int dim : {64, 256, 384, 768, 4096}) {
    const std::string name = "builtin/hash-" + std::to_string(dim);
    const auto embedder = resolve_embedder(name, config);
    EXPECT_EQ(embedder->signature().name, name);
    EXPECT_EQ(embedder->signature().dimension, dim);
    EXPECT_EQ(embedder->embed("hello").size(), std::size_t(dim));
  }
  EXPECT_EQ(resolve_embedder(config.model, config)->signature().dimension, 384);
}

TEST(ResolveEmbedder, BuildsHttpEmbeddersWithoutNetworkIo) {
  EmbeddingsConfig config;
  config.base_url = "http://127.0.0.1:1";  // nothing listens there
  config.dimension = 768;
  const auto ollama = resolve_embedder("ollama/nomic-embed-text", config);
  EXPECT_EQ(ollama->signature().name, "ollama/nomic-embed-text");
  EXPECT_EQ(ollama->signature().dimension, 768);
  const auto openai = resolve_embedder("openai/BAAI/bge-m3", config);
  EXPECT_EQ(openai->signature().name, "openai/BAAI/bge-m3");
  EXPECT_NE(openai->signature().hash, ollama->signature().hash);
}

TEST(ResolveEmbedder, UnknownNamesListTheKnownForms) {
  const EmbeddingsConfig config;
  for (const char* name :
       {"", "hash-384", "builtin/hash", "huggingface/bge", "ollama/", "openai/", "builtin/hash-abc",
        "builtin/hash-384x", "builtin/hash--384", "builtin/hash-+384"}) {
    const Error e = capture_error([&] { resolve_embedder(name, config); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << name;
    EXPECT_THAT(e.what(), HasSubstr("builtin/hash-<dim>")) << name;
    EXPECT_THAT(e.what(), HasSubstr("ollama/<model>")) << name;
    EXPECT_THAT(e.what(), HasSubstr("openai/<model>")) << name;
  }
}

TEST(ResolveEmbedder, OutOfRangeDimensionsAreConfigErrors) {
  const EmbeddingsConfig config;
  for (const char* name :
       {"builtin/hash-0", "builtin/hash-32", "builtin/hash-8192", "builtin/hash-99999999999"}) {
    const Error e = capture_error([&] { resolve_embedder(name, config); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << name;
  }
}

TEST(ResolveEmbedder, InvalidHttpSettingsAreConfigErrors) {
  EmbeddingsConfig config;
  config.base_url = "localhost:11434";
  EXPECT_EQ(capture_error([&] { resolve_embedder("ollama/m", config); }).code(),
            ErrorCode::kConfig);
  config.base_url.reset();
  config.batch_size = 0;
  EXPECT_EQ(capture_error([&] { resolve_embedder("openai/m", config); }).code(),
            ErrorCode::kConfig);
}

}  // namespace
}  // namespace vestige
