#include "embed/ollama_embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "embed/test_support.h"

namespace vestige::embed {
namespace {

using test_support::FakeHttpServer;
using ::testing::HasSubstr;

std::string malformed_reason(const Json& reply) {
  try {
    OllamaProtocol().parse_reply(reply);
  } catch (const MalformedReply& e) {
    return e.what();
  }
  return "";
}

TEST(OllamaProtocol, EndpointIsApiEmbedBelowThePrefix) {
  EXPECT_EQ(OllamaProtocol().endpoint_path(""), "/api/embed");
  EXPECT_EQ(OllamaProtocol().endpoint_path("/ollama"), "/ollama/api/embed");
}

TEST(OllamaProtocol, RequestCarriesModelAndInputs) {
  const std::vector<std::string> texts{"one", "two"};
  EXPECT_EQ(OllamaProtocol().request_body("nomic-embed-text", texts),
            Json::parse(R"({"model": "nomic-embed-text", "input": ["one", "two"]})"));
}

TEST(OllamaProtocol, ParsesEmbeddingsInOrder) {
  const auto vectors =
      OllamaProtocol().parse_reply(Json::parse(R"({"embeddings": [[1, 2.5], [-3, 0]]})"));
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0], (Embedding{1.0f, 2.5f}));
  EXPECT_EQ(vectors[1], (Embedding{-3.0f, 0.0f}));
}

TEST(OllamaProtocol, NamesWhatIsWrongWithAReply) {
  EXPECT_EQ(malformed_reason(Json::array()), "no \"embeddings\" field");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"embedding": [1, 2]})")), "no \"embeddings\" field");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"embeddings": {}})")),
            "\"embeddings\" is not an array");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"embeddings": [[1], 2]})")),
            "embeddings[1] is not an array");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"embeddings": [[1, "2"]]})")),
            "embeddings[0][1] is not a number");
}

TEST(OllamaEmbedder, ResolvesFromConfigAndTalksToTheServer) {
  FakeHttpServer server("/api/embed", [](const Json& body, int, httplib::Response& response) {
    Json embeddings = Json::array();
    for (std::size_t i = 0; i < body["input"].size(); ++i) embeddings.push_back({3.0, 4.0});
    response.set_content(Json{{"embeddings", embeddings}}.dump(), "application/json");
  });
  EmbeddingsConfig config;
  config.base_url = server.base_url() + "/";
  const auto embedder = resolve_embedder("ollama/nomic-embed-text:latest", config);

  EXPECT_EQ(embedder->embed("hello"), (Embedding{0.6f, 0.8f}));
  EXPECT_EQ(embedder->signature().name, "ollama/nomic-embed-text:latest");
  EXPECT_EQ(embedder->signature().dimension, 2);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].body["model"], "nomic-embed-text:latest");
}

TEST(OllamaEmbedder, UnknownModelSuggestsPullingIt) {
  FakeHttpServer server("/api/embed", [](const Json&, int, httplib::Response& response) {
    response.status = 404;
    response.set_content(R"({"error": "model \"nomic\" not found, try pulling it first"})",
                         "application/json");
  });
  EmbeddingsConfig config;
  config.base_url = server.base_url();
  const auto embedder = resolve_embedder("ollama/nomic", config);
  const Error e = test_support::capture_error([&] { embedder->embed("x"); });
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("HTTP 404"));
  EXPECT_THAT(e.what(), HasSubstr("not found, try pulling it first"));
  EXPECT_THAT(e.what(), HasSubstr("ollama pull nomic"));
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace vestige::embed
