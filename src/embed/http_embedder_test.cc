#include "embed/http_embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "embed/ollama_embedder.h"
#include "embed/openai_embedder.h"
#include "embed/test_support.h"

namespace vestige::embed {
namespace {

using namespace std::chrono_literals;
using test_support::capture_error;
using test_support::FakeHttpServer;
using ::testing::HasSubstr;

constexpr int kDim = 4;

// What the fake server answers for `text`: a vector that is not normalised
// and differs between texts, so that tests can check order and normalisation.
Embedding raw_vector(const std::string& text) {
  Embedding v(kDim, 1.0f);
  v[text.size() % kDim] = 5.0f;
  return v;
}

Embedding normalised(Embedding v) {
  double sum = 0;
  for (float x : v) sum += double(x) * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(sum));
  return v;
}

// One protocol, as the shared tests see it.
struct ProtocolCase {
  std::string provider;
  std::string path;
  std::string unreachable_advice;
  std::string missing_field;
  // A well-formed reply carrying `vectors`.
  Json (*reply)(const std::vector<Embedding>& vectors);
  std::unique_ptr<Embedder> (*make)(HttpEmbedderOptions options);
};

Json ollama_reply(const std::vector<Embedding>& vectors) {
  return Json{{"model", "test-model"}, {"embeddings", vectors}};
}

// Listed in reverse to check that the client orders by "index".
Json openai_reply(const std::vector<Embedding>& vectors) {
  Json data = Json::array();
  for (std::size_t i = vectors.size(); i-- > 0;) {
    data.push_back(Json{{"object", "embedding"}, {"index", i}, {"embedding", vectors[i]}});
  }
  return Json{{"object", "list"}, {"data", data}, {"model", "test-model"}};
}

std::vector<Embedding> raw_vectors_for(const Json& request) {
  std::vector<Embedding> vectors;
  for (const Json& text : request["input"]) vectors.push_back(raw_vector(text.get<std::string>()));
  return vectors;
}

class HttpEmbedderTest : public ::testing::TestWithParam<ProtocolCase> {
 protected:
  HttpEmbedderOptions options(const std::string& base_url) const {
    HttpEmbedderOptions o;
    o.provider = GetParam().provider;
    o.model = "test-model";
    o.base_url = parse_base_url(base_url);
    o.timeout = 2s;
    o.batch_size = 32;
    o.max_retries = 2;
    o.initial_backoff = 1ms;
    o.max_backoff = 4ms;
    return o;
  }

  // A server that answers every request correctly.
  std::unique_ptr<FakeHttpServer> good_server() const {
    const auto reply = GetParam().reply;
    return std::make_unique<FakeHttpServer>(
        GetParam().path, [reply](const Json& body, int, httplib::Response& response) {
          response.set_content(reply(raw_vectors_for(body)).dump(), "application/json");
        });
  }

  // A server that always sends `body` with `status`.
  std::unique_ptr<FakeHttpServer> fixed_server(int status, const std::string& body) const {
    return std::make_unique<FakeHttpServer>(
        GetParam().path, [status, body](const Json&, int, httplib::Response& response) {
          response.status = status;
          response.set_content(body, "application/json");
        });
  }

  // The Error of embedding three texts.
  Error embed_error(const HttpEmbedderOptions& o) const {
    const auto embedder = GetParam().make(o);
    const std::vector<std::string> texts{"a", "bb", "ccc"};
    return capture_error([&] { embedder->embed_batch(texts); });
  }
};

TEST_P(HttpEmbedderTest, EmbedsInBatchesInOrderAndNormalises) {
  const auto server = good_server();
  auto o = options(server->base_url());
  o.batch_size = 3;
  const auto embedder = GetParam().make(o);
  const std::vector<std::string> texts{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"};

  const std::vector<Embedding> vectors = embedder->embed_batch(texts);

  ASSERT_EQ(vectors.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Embedding expected = normalised(raw_vector(texts[i]));
    ASSERT_EQ(vectors[i].size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_FLOAT_EQ(vectors[i][k], expected[k]);
  }
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path, GetParam().path);
  EXPECT_EQ(requests[0].body["model"], "test-model");
  EXPECT_EQ(requests[0].body["input"], Json::array({"a", "bb", "ccc"}));
  EXPECT_EQ(requests[1].body["input"].size(), 3u);
  EXPECT_EQ(requests[2].body["input"], Json::array({"g"}));
  EXPECT_EQ(requests[0].authorization, "");
  // The dimension came with the replies, so the signature needs no probe.
  EXPECT_EQ(embedder->signature().dimension, kDim);
  EXPECT_EQ(server->requests().size(), 3u);
}

TEST_P(HttpEmbedderTest, EmptyInputMakesNoRequest) {
  const auto server = good_server();
  const auto embedder = GetParam().make(options(server->base_url()));
  EXPECT_TRUE(embedder->embed_batch({}).empty());
  EXPECT_TRUE(server->requests().empty());
}

TEST_P(HttpEmbedderTest, SignatureProbesOnceWhenDimensionIsNotConfigured) {
  const auto server = good_server();
  const auto embedder = GetParam().make(options(server->base_url()));

  const ModelSignature& signature = embedder->signature();
  embedder->signature();

  EXPECT_EQ(signature.name, GetParam().provider + "/test-model");
  EXPECT_EQ(signature.dimension, kDim);
  EXPECT_EQ(signature.hash.size(), 64u);
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body["input"].size(), 1u);
}

TEST_P(HttpEmbedderTest, ConcurrentCallersShareOneProbe) {
  const auto server = good_server();
  const auto embedder = GetParam().make(options(server->base_url()));
  std::vector<std::thread> threads;
  std::atomic<int> dimension_sum = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { dimension_sum += embedder->signature().dimension; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(dimension_sum, 4 * kDim);
  EXPECT_EQ(server->requests().size(), 1u);
}

TEST_P(HttpEmbedderTest, ConfiguredDimensionNeedsNoProbe) {
  const auto server = good_server();
  auto o = options(server->base_url());
  o.dimension = kDim;
  const auto embedder = GetParam().make(o);
  EXPECT_EQ(embedder->signature().dimension, kDim);
  EXPECT_TRUE(server->requests().empty());
}

TEST_P(HttpEmbedderTest, SignatureIgnoresBaseUrlButNotModelOrDimension) {
  auto o = options("http://127.0.0.1:1");
  o.dimension = 768;
  const ModelSignature a = GetParam().make(o)->signature();
  o.base_url = parse_base_url("https://elsewhere.example.com/prefix");
  EXPECT_EQ(GetParam().make(o)->signature(), a);
  o.dimension = 1024;
  EXPECT_NE(GetParam().make(o)->signature().hash, a.hash);
  o.dimension = 768;
  o.model = "other-model";
  EXPECT_NE(GetParam().make(o)->signature().hash, a.hash);
}

TEST_P(HttpEmbedderTest, SendsBearerTokenWhenConfigured) {
  const auto server = good_server();
  auto o = options(server->base_url());
  o.api_key = "sk-test-123";
  o.api_key_env = "TEST_KEY";
  GetParam().make(o)->embed("hello");
  ASSERT_EQ(server->requests().size(), 1u);
  EXPECT_EQ(server->requests()[0].authorization, "Bearer sk-test-123");
}

TEST_P(HttpEmbedderTest, RetriesServerErrorsThenSucceeds) {
  const auto reply = GetParam().reply;
  FakeHttpServer server(
      GetParam().path, [reply](const Json& body, int call, httplib::Response& response) {
        if (call == 0) {
          response.status = 500;
          response.set_content("{\"error\": \"overloaded\"}", "application/json");
          return;
        }
        response.set_content(reply(raw_vectors_for(body)).dump(), "application/json");
      });
  const auto embedder = GetParam().make(options(server.base_url()));
  const Embedding v = embedder->embed("hello");
  EXPECT_EQ(v.size(), std::size_t(kDim));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_P(HttpEmbedderTest, RetriesRateLimitingUntilAttemptsRunOut) {
  const auto server = fixed_server(429, "{\"error\": {\"message\": \"slow down\"}}");
  const Error e = embed_error(options(server->base_url()));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_EQ(server->requests().size(), 3u);  // max_retries = 2
  EXPECT_THAT(e.what(), HasSubstr("HTTP 429"));
  EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(e.what(), HasSubstr("slow down"));
}

TEST_P(HttpEmbedderTest, DoesNotRetryClientErrors) {
  const auto server = fixed_server(400, "{\"error\": \"input is too long\"}");
  const Error e = embed_error(options(server->base_url()));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_EQ(server->requests().size(), 1u);
  EXPECT_THAT(e.what(), HasSubstr(GetParam().provider + "/test-model"));
  EXPECT_THAT(e.what(), HasSubstr(server->base_url() + GetParam().path));
  EXPECT_THAT(e.what(), HasSubstr("HTTP 400"));
  EXPECT_THAT(e.what(), HasSubstr("input is too long"));
}

TEST_P(HttpEmbedderTest, UnauthorisedNamesTheKeyVariable) {
  const auto server = fixed_server(401, "{\"error\": {\"message\": \"invalid api key\"}}");
  auto o = options(server->base_url());
  o.api_key = "wrong";
  o.api_key_env = "MY_EMBEDDINGS_KEY";
  const Error e = embed_error(o);
  EXPECT_EQ(server->requests().size(), 1u);
  EXPECT_THAT(e.what(), HasSubstr("HTTP 401"));
  EXPECT_THAT(e.what(), HasSubstr("$MY_EMBEDDINGS_KEY"));
}

TEST_P(HttpEmbedderTest, LongErrorBodiesAreCut) {
  const auto server = fixed_server(400, std::string(5000, 'x'));
  const std::string message = embed_error(options(server->base_url())).what();
  EXPECT_THAT(message, HasSubstr("xxx..."));
  EXPECT_LT(message.size(), 1000u);
}

TEST_P(HttpEmbedderTest, ConnectionRefusedSaysWhatToDo) {
  const std::string url = "http://127.0.0.1:" + std::to_string(test_support::unused_port());
  const Error e = embed_error(options(url));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("cannot connect to " + url + GetParam().path));
  EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(e.what(), HasSubstr(GetParam().unreachable_advice));
  EXPECT_THAT(e.what(), HasSubstr("base_url"));
}

TEST_P(HttpEmbedderTest, RejectsAReplyThatIsNotJson) {
  const auto server = fixed_server(200, "<html>hello</html>");
  const Error e = embed_error(options(server->base_url()));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_EQ(server->requests().size(), 1u);
  EXPECT_THAT(e.what(), HasSubstr("not JSON"));
  EXPECT_THAT(e.what(), HasSubstr("<html>hello</html>"));
}

TEST_P(HttpEmbedderTest, RejectsAReplyWithoutTheVectors) {
  const auto server = fixed_server(200, "{\"something\": []}");
  const Error e = embed_error(options(server->base_url()));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr(GetParam().missing_field));
  EXPECT_THAT(e.what(), HasSubstr("base_url"));
}

TEST_P(HttpEmbedderTest, RejectsTheWrongNumberOfVectors) {
  const auto reply = GetParam().reply;
  FakeHttpServer server(GetParam().path,
                        [reply](const Json& body, int, httplib::Response& response) {
                          std::vector<Embedding> vectors = raw_vectors_for(body);
                          vectors.pop_back();
                          response.set_content(reply(vectors).dump(), "application/json");
                        });
  const Error e = embed_error(options(server.base_url()));
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("2 vectors for 3 texts"));
}

TEST_P(HttpEmbedderTest, RejectsTheWrongDimension) {
  const auto server = good_server();
  auto o = options(server->base_url());
  o.dimension = 768;
  const Error e = embed_error(o);
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("dimension 4, but [embeddings] dimension is 768"));
  EXPECT_THAT(e.what(), HasSubstr("set dimension = 4"));
}

TEST_P(HttpEmbedderTest, RejectsADimensionChangeBetweenReplies) {
  const auto reply = GetParam().reply;
  FakeHttpServer server(GetParam().path,
                        [reply](const Json& body, int call, httplib::Response& response) {
                          std::vector<Embedding> vectors = raw_vectors_for(body);
                          if (call > 0) {
                            for (auto& v : vectors) v.push_back(1.0f);
                          }
                          response.set_content(reply(vectors).dump(), "application/json");
                        });
  const auto embedder = GetParam().make(options(server.base_url()));
  embedder->embed("first");
  const Error e = capture_error([&] { embedder->embed("second"); });
  EXPECT_THAT(e.what(), HasSubstr("dimension 5, but earlier replies had dimension 4"));
}

TEST_P(HttpEmbedderTest, RejectsNonFiniteNumbers) {
  const auto reply = GetParam().reply;
  FakeHttpServer server(GetParam().path, [reply](const Json&, int, httplib::Response& response) {
    // 1e39 is a valid JSON number but beyond the float range.
    std::string body = reply(std::vector<Embedding>{Embedding{1.0f, 2.0f, 3.0f, 4.0f}}).dump();
    body.replace(body.find("2.0"), 3, "1e39");
    response.set_content(body, "application/json");
  });
  const auto embedder = GetParam().make(options(server.base_url()));
  const Error e = capture_error([&] { embedder->embed("x"); });
  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("non-finite"));
}

TEST_P(HttpEmbedderTest, RejectsAllZeroVectors) {
  const auto reply = GetParam().reply;
  FakeHttpServer server(GetParam().path, [reply](const Json&, int, httplib::Response& response) {
    response.set_content(reply(std::vector<Embedding>{Embedding(kDim, 0.0f)}).dump(),
                         "application/json");
  });
  const Error e = capture_error([&] { GetParam().make(options(server.base_url()))->embed("x"); });
  EXPECT_THAT(e.what(), HasSubstr("all-zero"));
}

TEST_P(HttpEmbedderTest, TimesOut) {
  FakeHttpServer* self = nullptr;
  FakeHttpServer server(GetParam().path, [&self](const Json&, int, httplib::Response& response) {
    self->stall(10s);
    response.set_content("{}", "application/json");
  });
  self = &server;
  EmbeddingsConfig config;
  config.base_url = server.base_url();
  config.timeout_secs = 1;
  config.max_retries = 0;
  const auto embedder = GetParam().make(
      http_embedder_options(config, GetParam().provider, "test-model", "http://unused"));

  const auto start = std::chrono::steady_clock::now();
  const Error e = capture_error([&] { embedder->embed("x"); });
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(e.code(), ErrorCode::kEmbedder);
  EXPECT_THAT(e.what(), HasSubstr("no complete reply"));
  EXPECT_THAT(e.what(), HasSubstr("within 1 s"));
  EXPECT_THAT(e.what(), HasSubstr("timeout_secs"));
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_P(HttpEmbedderTest, RetriesATimeout) {
  const auto reply = GetParam().reply;
  FakeHttpServer* self = nullptr;
  FakeHttpServer server(
      GetParam().path, [&self, reply](const Json& body, int call, httplib::Response& response) {
        if (call == 0) self->stall(5s);
        response.set_content(reply(raw_vectors_for(body)).dump(), "application/json");
      });
  self = &server;
  auto o = options(server.base_url());
  o.timeout = 250ms;
  EXPECT_EQ(GetParam().make(o)->embed("x").size(), std::size_t(kDim));
  EXPECT_EQ(server.requests().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(
    Protocols, HttpEmbedderTest,
    ::testing::Values(ProtocolCase{"ollama", "/api/embed", "ollama serve",
                                   "no \"embeddings\" field", &ollama_reply, &make_ollama_embedder},
                      ProtocolCase{"openai", "/v1/embeddings", "llama.cpp server",
                                   "no \"data\" field", &openai_reply, &make_openai_embedder}),
    [](const ::testing::TestParamInfo<ProtocolCase>& info) { return info.param.provider; });

TEST(ParseBaseUrl, SplitsOriginAndPrefix) {
  const BaseUrl plain = parse_base_url("http://127.0.0.1:11434");
  EXPECT_EQ(plain.origin, "http://127.0.0.1:11434");
  EXPECT_EQ(plain.path_prefix, "");
  const BaseUrl prefixed = parse_base_url("HTTPS://gateway.example.com/team/ollama/");
  EXPECT_EQ(prefixed.origin, "https://gateway.example.com");
  EXPECT_EQ(prefixed.path_prefix, "/team/ollama");
  EXPECT_EQ(parse_base_url("http://[::1]:8080/v1").origin, "http://[::1]:8080");
}

TEST(ParseBaseUrl, RejectsWhatHttplibCannotUse) {
  for (const char* url :
       {"127.0.0.1:11434", "ftp://host", "http://", "http://host:0", "http://host:99999",
        "http://host:abc", "http://u:p@host", "http://host/?q=1", "http://:80"}) {
    const Error e = capture_error([&] { parse_base_url(url); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << url;
    EXPECT_THAT(e.what(), HasSubstr("base_url")) << url;
  }
}

TEST(HttpEmbedderOptions, ComeFromTheConfig) {
  EmbeddingsConfig config;
  config.dimension = 768;
  config.timeout_secs = 7;
  config.batch_size = 5;
  config.max_retries = 1;
  const HttpEmbedderOptions o =
      http_embedder_options(config, "ollama", "nomic-embed-text", kOllamaDefaultBaseUrl);
  EXPECT_EQ(o.provider, "ollama");
  EXPECT_EQ(o.model, "nomic-embed-text");
  EXPECT_EQ(o.base_url.origin, "http://127.0.0.1:11434");
  EXPECT_EQ(o.dimension, 768);
  EXPECT_EQ(o.timeout, 7s);
  EXPECT_EQ(o.batch_size, 5u);
  EXPECT_EQ(o.max_retries, 1);
  EXPECT_FALSE(o.api_key);
}

TEST(HttpEmbedderOptions, ReadTheApiKeyFromTheNamedVariable) {
  ::setenv("VESTIGE_EMBED_TEST_KEY", "sk-from-env", 1);
  EmbeddingsConfig config;
  config.api_key_env = "VESTIGE_EMBED_TEST_KEY";
  const auto o = http_embedder_options(config, "openai", "m", kOpenAiDefaultBaseUrl);
  EXPECT_EQ(o.api_key, "sk-from-env");
  ::unsetenv("VESTIGE_EMBED_TEST_KEY");
}

TEST(HttpEmbedderOptions, UnsetKeyVariableIsAConfigError) {
  ::unsetenv("VESTIGE_EMBED_TEST_UNSET_KEY");
  EmbeddingsConfig config;
  config.api_key_env = "VESTIGE_EMBED_TEST_UNSET_KEY";
  const Error e =
      capture_error([&] { http_embedder_options(config, "openai", "m", kOpenAiDefaultBaseUrl); });
  EXPECT_EQ(e.code(), ErrorCode::kConfig);
  EXPECT_THAT(e.what(), HasSubstr("VESTIGE_EMBED_TEST_UNSET_KEY"));
  EXPECT_THAT(e.what(), HasSubstr("export"));
}

TEST(HttpEmbedderOptions, RejectInvalidNumbers) {
  const auto error_for = [](auto change) {
    EmbeddingsConfig config;
    change(config);
    return capture_error([&] { http_embedder_options(config, "ollama", "m", "http://x"); });
  };
  EXPECT_EQ(error_for([](EmbeddingsConfig& c) { c.dimension = 0; }).code(), ErrorCode::kConfig);
  EXPECT_EQ(error_for([](EmbeddingsConfig& c) { c.timeout_secs = 0; }).code(), ErrorCode::kConfig);
  EXPECT_EQ(error_for([](EmbeddingsConfig& c) { c.batch_size = 0; }).code(), ErrorCode::kConfig);
  EXPECT_EQ(error_for([](EmbeddingsConfig& c) { c.max_retries = -1; }).code(), ErrorCode::kConfig);
}

}  // namespace
}  // namespace vestige::embed
