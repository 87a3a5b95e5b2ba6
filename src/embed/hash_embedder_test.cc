#include "embed/hash_embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "embed/stable_hash.h"
#include "embed/test_support.h"

namespace vestige::embed {
namespace {

using ::testing::HasSubstr;

double cosine(const Embedding& a, const Embedding& b) {
  double dot = 0;
  for (std::size_t i = 0; i < a.size(); ++i) dot += double(a[i]) * b[i];
  return dot;  // both are unit vectors
}

double norm(const Embedding& v) {
  return std::sqrt(cosine(v, v));
}

class HashEmbedderTest : public ::testing::Test {
 protected:
  double similarity(std::string_view a, std::string_view b) const {
    return cosine(embedder_.embed_text(a), embedder_.embed_text(b));
  }

  HashEmbedder embedder_{384};
};

TEST_F(HashEmbedderTest, IsDeterministic) {
  const std::string text =
      "Vestige remembers what the agent learnt, in any language: café, 数据库.";
  EXPECT_EQ(embedder_.embed_text(text), embedder_.embed_text(text));
  EXPECT_EQ(HashEmbedder(384).embed_text(text), embedder_.embed_text(text));
}

TEST_F(HashEmbedderTest, HasTheDimensionAndUnitNorm) {
  for (const int dim : {64, 256, 384, 768, 4096}) {
    HashEmbedder embedder(dim);
    const Embedding v = embedder.embed_text("the database is locked");
    EXPECT_EQ(v.size(), std::size_t(dim));
    EXPECT_NEAR(norm(v), 1.0, 1e-6);
    EXPECT_EQ(embedder.signature().dimension, dim);
    EXPECT_EQ(embedder.signature().name, "builtin/hash-" + std::to_string(dim));
  }
}

TEST_F(HashEmbedderTest, TextWithoutWordsGetsAFixedUnitVector) {
  const Embedding empty = embedder_.embed_text("");
  EXPECT_NEAR(norm(empty), 1.0, 1e-6);
  for (const float x : empty) EXPECT_FALSE(std::isnan(x));
  EXPECT_EQ(embedder_.embed_text("  ... !!! -- "), empty);
  EXPECT_LT(std::abs(cosine(empty, embedder_.embed_text("hello world"))), 0.2);
}

TEST_F(HashEmbedderTest, SimilarTextsAreCloserThanUnrelatedOnes) {
  const double related = similarity("the database is locked", "database locked error");
  const double unrelated = similarity("the database is locked", "my cat likes fish");
  EXPECT_GT(related, 0.5);
  EXPECT_LT(unrelated, 0.2);
  EXPECT_LT(similarity("database locked error", "my cat likes fish"), 0.2);
}

TEST_F(HashEmbedderTest, ToleratesTypos) {
  const double typo = similarity("postgres connection pool", "postgress conection pool");
  EXPECT_GT(typo, 0.35);
  EXPECT_GT(typo, similarity("postgres connection pool", "my cat likes fish") + 0.25);
  EXPECT_GT(typo, similarity("postgres connection pool", "the weather is nice today") + 0.25);
}

TEST_F(HashEmbedderTest, MatchesWordForms) {
  EXPECT_GT(similarity("running", "runs"), 0.5);
  EXPECT_GT(similarity("running", "runs"), similarity("running", "swimming") + 0.3);
  EXPECT_GT(similarity("connected to the server", "server connections"), 0.5);
}

TEST_F(HashEmbedderTest, IsCaseInsensitiveAndKeepsNonAsciiWords) {
  EXPECT_NEAR(similarity("Database LOCKED", "database locked"), 1.0, 1e-6);
  EXPECT_GT(similarity("café crème", "crème café"), 0.6);
  EXPECT_LT(similarity("café", "caf"), 0.7);
  EXPECT_LT(similarity("数据库", "文件"), 0.3);
}

TEST_F(HashEmbedderTest, BatchesAreTheSameAsSingleTexts) {
  const std::vector<std::string> texts{"one", "", "two words"};
  const auto vectors = embedder_.embed_batch(texts);
  ASSERT_EQ(vectors.size(), 3u);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(vectors[i], embedder_.embed_text(texts[i]));
  }
  EXPECT_TRUE(embedder_.embed_batch({}).empty());
  EXPECT_EQ(embedder_.embed("one"), vectors[0]);
}

TEST(HashEmbedderSignature, ChangesWithTheDimension) {
  const ModelSignature a = HashEmbedder(384).signature();
  const ModelSignature b = HashEmbedder(768).signature();
  EXPECT_EQ(a.hash.size(), 64u);
  EXPECT_NE(a.hash, b.hash);
  EXPECT_EQ(a, HashEmbedder(384).signature());
  EXPECT_THAT(hash_embedder_parameters(384), HasSubstr("algorithm_version="));
  EXPECT_THAT(hash_embedder_parameters(384), HasSubstr("dimension=384"));
}

// Stored vectors depend on these exact values. If this test fails, the
// vectors changed: raise kAlgorithmVersion in hash_embedder.cc (which changes
// the signature hash, so stores know their vectors are stale) and update the
// expected values here.
TEST(HashEmbedderSignature, IsStableAcrossReleases) {
  EXPECT_EQ(stable_hash(""), 0xefd01f60ba992926ULL);
  EXPECT_EQ(stable_hash("abc"), 0x33ebaf9927cbc5bdULL);
  HashEmbedder embedder(384);
  EXPECT_EQ(embedder.signature().hash,
            "2c48fd71e1828192075a92d91b21585f3e9710258db1074094295e9bdacaad49");
  // "cat": the word and the 3-grams "<ca", "cat", "at>".
  const Embedding v = embedder.embed_text("cat");
  std::vector<std::pair<std::size_t, float>> nonzero;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != 0.0f) nonzero.emplace_back(i, v[i]);
  }
  ASSERT_EQ(nonzero.size(), 4u);
  const double word = 1.0 / std::sqrt(1.0 + 3 * 0.3 * 0.3);
  const double gram = 0.3 * word;
  EXPECT_EQ(nonzero[0].first, 79u);
  EXPECT_FLOAT_EQ(nonzero[0].second, float(gram));
  EXPECT_EQ(nonzero[1].first, 159u);
  EXPECT_FLOAT_EQ(nonzero[1].second, float(-word));
  EXPECT_EQ(nonzero[2].first, 197u);
  EXPECT_FLOAT_EQ(nonzero[2].second, float(gram));
  EXPECT_EQ(nonzero[3].first, 217u);
  EXPECT_FLOAT_EQ(nonzero[3].second, float(-gram));
}

// Whole vectors of longer texts, bit for bit (stable_hash of the float bytes),
// so that no refactoring of the shared feature code changes stored vectors.
TEST(HashEmbedderSignature, WholeVectorsAreBitForBitStable) {
  HashEmbedder embedder(384);
  const auto fingerprint = [&](std::string_view text) {
    const Embedding v = embedder.embed_text(text);
    return stable_hash(
        std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  };
  EXPECT_EQ(fingerprint("The car would not start after the mechanic replaced the battery."),
            0xe4182085f327532eULL);
  EXPECT_EQ(fingerprint("We decided to buy a second-hand automobile; café 数据库 ok"),
            0xfaac3c827b22e721ULL);
  EXPECT_EQ(fingerprint(""), 0x01b9b9474e72fcdaULL);
}

TEST(HashEmbedderDimension, OutOfRangeIsAConfigError) {
  for (const int dim : {0, 63, 4097}) {
    const Error e = test_support::capture_error([&] { HashEmbedder embedder(dim); });
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
    EXPECT_THAT(e.what(), HasSubstr("between 64 and 4096"));
  }
}

TEST(HashEmbedderSpeed, TakesMicrosecondsPerText) {
  HashEmbedder embedder(384);
  const std::string text =
      "The deployment failed because the PostgreSQL connection pool was exhausted after the "
      "migration added a long-running transaction; raising max_connections fixed it.";
  constexpr int kTexts = 2000;
  const auto start = std::chrono::steady_clock::now();
  float sink = 0;
  for (int i = 0; i < kTexts; ++i) sink += embedder.embed_text(text)[0];
  const auto per_text = (std::chrono::steady_clock::now() - start) / kTexts;
  // Generous, for slow sanitizer or debug builds; typically ~10 us.
  EXPECT_LT(per_text, std::chrono::milliseconds(1)) << sink;
  ::testing::Test::RecordProperty(
      "microseconds_per_text",
      std::to_string(std::chrono::duration<double, std::micro>(per_text).count()));
}

}  // namespace
}  // namespace vestige::embed
