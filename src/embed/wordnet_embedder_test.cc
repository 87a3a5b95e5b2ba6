#include "embed/wordnet_embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "embed/hash_embedder.h"
#include "embed/test_support.h"
#include "vestige/embedder.h"

namespace vestige::embed {
namespace {

using ::testing::HasSubstr;

double cosine(const Embedding& a, const Embedding& b) {
  double dot = 0;
  for (std::size_t i = 0; i < a.size(); ++i) dot += double(a[i]) * b[i];
  return dot;  // both are unit vectors
}

class WordNetEmbedderTest : public ::testing::Test {
 protected:
  double wordnet_similarity(std::string_view a, std::string_view b) const {
    return cosine(wordnet_.embed_text(a), wordnet_.embed_text(b));
  }
  double hash_similarity(std::string_view a, std::string_view b) const {
    return cosine(hash_.embed_text(a), hash_.embed_text(b));
  }

  WordNetEmbedder wordnet_{384};
  HashEmbedder hash_{384};
};

TEST_F(WordNetEmbedderTest, IsDeterministic) {
  const std::string text = "The mechanic bought new batteries for both cars, café 数据库.";
  EXPECT_EQ(wordnet_.embed_text(text), wordnet_.embed_text(text));
  EXPECT_EQ(WordNetEmbedder(384).embed_text(text), wordnet_.embed_text(text));
  const std::string texts[] = {text, "", "another one"};
  const std::vector<Embedding> batch = wordnet_.embed_batch(texts);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0], wordnet_.embed_text(text));
  EXPECT_EQ(batch[1], hash_.embed_text(""));
}

TEST_F(WordNetEmbedderTest, SynonymsAreCloserThanWithTheHashEmbedder) {
  const std::pair<const char*, const char*> pairs[] = {
      {"car", "automobile"},
      {"buy", "purchase"},
      {"my car broke down", "my automobile broke down"},
      {"we bought tickets", "we purchased tickets"},
  };
  // The WordNet features are weighted low (see wordnet_embedder.cc), so the
  // gain is small but always there: hash-only similarity of "car" and
  // "automobile" is exactly 0.
  for (const auto& [a, b] : pairs) {
    const double with_wordnet = wordnet_similarity(a, b);
    const double hash_only = hash_similarity(a, b);
    EXPECT_GT(with_wordnet, hash_only + 0.01) << a << " / " << b;
  }
  // An unrelated pair gains nothing.
  EXPECT_LT(wordnet_similarity("car", "banana"), 0.1);
  EXPECT_GT(wordnet_similarity("car", "automobile"), wordnet_similarity("car", "banana"));
}

TEST_F(WordNetEmbedderTest, MatchesIrregularWordForms) {
  // "bought" and "buy" share no Porter stem; WordNet's morphology joins them.
  EXPECT_GT(wordnet_similarity("bought", "buy"), hash_similarity("bought", "buy") + 0.05);
  EXPECT_GT(wordnet_similarity("mice", "mouse"), hash_similarity("mice", "mouse") + 0.05);
}

TEST_F(WordNetEmbedderTest, TextsWithoutWordNetWordsGetTheHashVector) {
  for (const char* text : {"", "xqzt vlorp 数据库", "the of and"}) {
    EXPECT_EQ(wordnet_.embed_text(text), hash_.embed_text(text)) << text;
  }
}

TEST_F(WordNetEmbedderTest, SignatureDiffersFromTheHashEmbedder) {
  const ModelSignature& s = wordnet_.signature();
  EXPECT_EQ(s.name, "builtin/wordnet-384");
  EXPECT_EQ(s.dimension, 384);
  EXPECT_EQ(s.hash.size(), 64u);
  EXPECT_NE(s.hash, hash_.signature().hash);
  EXPECT_NE(s.hash, WordNetEmbedder(768).signature().hash);
  EXPECT_EQ(s, WordNetEmbedder(384).signature());
  EXPECT_THAT(wordnet_embedder_parameters(384), HasSubstr("wordnet=3.0"));
  EXPECT_THAT(wordnet_embedder_parameters(384), HasSubstr(hash_embedder_parameters(384)));
}

TEST_F(WordNetEmbedderTest, IsSafeFromManyThreads) {
  const std::string texts[] = {"the cars were purchased", "running mice", "big dogs barked",
                               "a quick automobile"};
  std::vector<Embedding> expected;
  for (const std::string& t : texts) expected.push_back(WordNetEmbedder(384).embed_text(t));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      WordNetEmbedder embedder(384);
      for (int i = 0; i < 200; ++i) {
        const std::size_t k = std::size_t((i + t) % 4);
        if (embedder.embed_text(texts[k]) != expected[k]) ++mismatches[std::size_t(t)];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const int m : mismatches) EXPECT_EQ(m, 0);
}

TEST_F(WordNetEmbedderTest, TakesMicrosecondsPerText) {
  const std::string text =
      "The deployment failed because the PostgreSQL connection pool was exhausted after the "
      "migration added a long-running transaction; raising max_connections fixed it.";
  wordnet_.embed_text(text);  // fills the per-word cache
  constexpr int kTexts = 2000;
  const auto start = std::chrono::steady_clock::now();
  float sink = 0;
  for (int i = 0; i < kTexts; ++i) sink += wordnet_.embed_text(text)[0];
  const auto per_text = (std::chrono::steady_clock::now() - start) / kTexts;
  EXPECT_LT(per_text, std::chrono::milliseconds(1)) << sink;
}

TEST(WordNetEmbedderNames, ResolveEmbedderBuildsThemAndRejectsBadOnes) {
  const EmbeddingsConfig config;
  for (const int dim : {64, 384, 4096}) {
    const std::string name = "builtin/wordnet-" + std::to_string(dim);
    const auto embedder = resolve_embedder(name, config);
    EXPECT_EQ(embedder->signature().name, name);
    EXPECT_EQ(embedder->embed("car").size(), std::size_t(dim));
  }
  for (const char* name : {"builtin/wordnet-", "builtin/wordnet-abc", "builtin/wordnet-384x",
                           "builtin/wordnet--384", "builtin/wordnet"}) {
    const Error e = test_support::capture_error([&] { resolve_embedder(name, config); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << name;
    EXPECT_THAT(e.what(), HasSubstr("builtin/wordnet-<dim>")) << name;
  }
  for (const char* name : {"builtin/wordnet-32", "builtin/wordnet-8192"}) {
    const Error e = test_support::capture_error([&] { resolve_embedder(name, config); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << name;
    EXPECT_THAT(e.what(), HasSubstr("between 64 and 4096")) << name;
  }
}

// Runs in a fresh process (threadsafe death-test style re-executes the test
// binary), so WordNet has not been opened yet when WNSEARCHDIR points nowhere.
TEST(WordNetEmbedderMissingData, IsAClearConfigError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("WNSEARCHDIR", "/nonexistent/wordnet", 1);
        try {
          resolve_embedder("builtin/wordnet-384", EmbeddingsConfig{});
        } catch (const Error& e) {
          std::fprintf(stderr, "%s\n", e.what());
          std::exit(e.code() == ErrorCode::kConfig ? 3 : 4);
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(3), "apt-get install wordnet-base");
}

}  // namespace
}  // namespace vestige::embed
