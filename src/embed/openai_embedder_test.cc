#include "embed/openai_embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "embed/test_support.h"

namespace vestige::embed {
namespace {

using test_support::FakeHttpServer;
using ::testing::HasSubstr;

std::string malformed_reason(const Json& reply) {
  try {
    OpenAiProtocol().parse_reply(reply);
  } catch (const MalformedReply& e) {
    return e.what();
  }
  return "";
}

void reply_with_vectors(const Json& body, httplib::Response& response) {
  Json data = Json::array();
  for (std::size_t i = 0; i < body["input"].size(); ++i) {
    data.push_back({{"index", i}, {"embedding", {0.0, 2.0}}});
  }
  response.set_content(Json{{"data", data}}.dump(), "application/json");
}

TEST(OpenAiProtocol, EndpointGetsV1Once) {
  const OpenAiProtocol protocol;
  EXPECT_EQ(protocol.endpoint_path(""), "/v1/embeddings");
  EXPECT_EQ(protocol.endpoint_path("/v1"), "/v1/embeddings");
  EXPECT_EQ(protocol.endpoint_path("/openai/v1"), "/openai/v1/embeddings");
  EXPECT_EQ(protocol.endpoint_path("/openai"), "/openai/v1/embeddings");
}

TEST(OpenAiProtocol, OrdersVectorsByIndex) {
  const auto vectors = OpenAiProtocol().parse_reply(Json::parse(R"({"data": [
      {"index": 2, "embedding": [2]}, {"index": 0, "embedding": [0]},
      {"index": 1, "embedding": [1]}]})"));
  ASSERT_EQ(vectors.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(vectors[i], Embedding{float(i)});
}

TEST(OpenAiProtocol, WithoutIndexTheOrderIsTheInputOrder) {
  const auto vectors = OpenAiProtocol().parse_reply(
      Json::parse(R"({"data": [{"embedding": [5]}, {"embedding": [6]}]})"));
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0], Embedding{5.0f});
  EXPECT_EQ(vectors[1], Embedding{6.0f});
}

TEST(OpenAiProtocol, NamesWhatIsWrongWithAReply) {
  EXPECT_EQ(malformed_reason(Json::parse(R"({"embeddings": []})")), "no \"data\" field");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"data": {}})")), "\"data\" is not an array");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"data": [{"index": 0}]})")),
            "data[0] has no \"embedding\" field");
  EXPECT_EQ(malformed_reason(Json::parse(R"({"data": [{"index": -1, "embedding": [1]}]})")),
            "data[0].index is not a non-negative integer");
  EXPECT_THAT(malformed_reason(Json::parse(
                  R"({"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [1]}]})")),
              HasSubstr("data[1] has index 0, which is out of range or repeated"));
  EXPECT_THAT(malformed_reason(Json::parse(R"({"data": [{"index": 1, "embedding": [1]}]})")),
              HasSubstr("out of range"));
  EXPECT_EQ(malformed_reason(Json::parse(R"({"data": [{"index": 0, "embedding": "AAAA"}]})")),
            "data[0].embedding is not an array");
}

TEST(OpenAiEmbedder, BaseUrlEndingInV1IsNotDoubled) {
  FakeHttpServer server("/v1/embeddings", [](const Json& body, int, httplib::Response& response) {
    reply_with_vectors(body, response);
  });
  EmbeddingsConfig config;
  for (const std::string suffix : {"", "/", "/v1", "/v1/"}) {
    config.base_url = server.base_url() + suffix;
    EXPECT_EQ(resolve_embedder("openai/bge-m3", config)->embed("x"), (Embedding{0.0f, 1.0f}))
        << suffix;
  }
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(OpenAiEmbedder, SendsTheKeyFromTheNamedVariable) {
  FakeHttpServer server("/v1/embeddings", [](const Json& body, int, httplib::Response& response) {
    reply_with_vectors(body, response);
  });
  ::setenv("VESTIGE_EMBED_TEST_OPENAI_KEY", "sk-abc", 1);
  EmbeddingsConfig config;
  config.base_url = server.base_url();
  config.api_key_env = "VESTIGE_EMBED_TEST_OPENAI_KEY";
  const auto embedder = resolve_embedder("openai/text-embedding-3-small", config);
  ::unsetenv("VESTIGE_EMBED_TEST_OPENAI_KEY");

  embedder->embed("hello");

  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].authorization, "Bearer sk-abc");
  EXPECT_EQ(server.requests()[0].body["model"], "text-embedding-3-small");
}

TEST(OpenAiEmbedder, MissingKeyVariableFailsAtResolve) {
  ::unsetenv("VESTIGE_EMBED_TEST_NO_SUCH_KEY");
  EmbeddingsConfig config;
  config.api_key_env = "VESTIGE_EMBED_TEST_NO_SUCH_KEY";
  const Error e = test_support::capture_error(
      [&] { resolve_embedder("openai/text-embedding-3-small", config); });
  EXPECT_EQ(e.code(), ErrorCode::kConfig);
  EXPECT_THAT(e.what(), HasSubstr("VESTIGE_EMBED_TEST_NO_SUCH_KEY"));
}

}  // namespace
}  // namespace vestige::embed
