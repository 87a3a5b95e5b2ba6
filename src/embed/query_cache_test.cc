#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "vestige/embedder.h"

namespace vestige {
namespace {

// Embeds a text as {length, first byte, id}, counting calls.
class CountingEmbedder final : public Embedder {
 public:
  explicit CountingEmbedder(std::string hash, float id = 0) : id_(id) {
    signature_ = ModelSignature{"test/counting", 3, std::move(hash)};
  }

  const ModelSignature& signature() override { return signature_; }

  std::vector<Embedding> embed_batch(std::span<const std::string> texts) override {
    std::vector<Embedding> vectors;
    for (const std::string& t : texts) {
      ++calls;
      vectors.push_back(expected(t));
    }
    return vectors;
  }

  Embedding expected(const std::string& text) const {
    return {float(text.size()), text.empty() ? 0.0f : float(text[0]), id_};
  }

  std::atomic<int> calls = 0;

 private:
  ModelSignature signature_;
  float id_;
};

TEST(QueryEmbeddingCache, CountsHitsAndMisses) {
  CountingEmbedder embedder("h1");
  QueryEmbeddingCache cache(10);
  EXPECT_EQ(cache.get_or_embed(embedder, "alpha"), embedder.expected("alpha"));
  EXPECT_EQ(cache.get_or_embed(embedder, "alpha"), embedder.expected("alpha"));
  EXPECT_EQ(cache.get_or_embed(embedder, "beta"), embedder.expected("beta"));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(embedder.calls, 2);
}

TEST(QueryEmbeddingCache, EvictsTheLeastRecentlyUsed) {
  CountingEmbedder embedder("h1");
  QueryEmbeddingCache cache(2);
  cache.get_or_embed(embedder, "a");  // miss: [a]
  cache.get_or_embed(embedder, "b");  // miss: [b a]
  cache.get_or_embed(embedder, "a");  // hit:  [a b]
  cache.get_or_embed(embedder, "c");  // miss, evicts b: [c a]
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(embedder.calls, 3);
  cache.get_or_embed(embedder, "a");  // hit: [a c]
  EXPECT_EQ(embedder.calls, 3);
  cache.get_or_embed(embedder, "b");  // miss, evicts c: [b a]
  EXPECT_EQ(embedder.calls, 4);
  cache.get_or_embed(embedder, "a");  // hit
  EXPECT_EQ(embedder.calls, 4);
  cache.get_or_embed(embedder, "c");  // miss
  EXPECT_EQ(embedder.calls, 5);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 5u);
}

TEST(QueryEmbeddingCache, IsKeyedByModel) {
  CountingEmbedder first("hash-of-model-1", 1);
  CountingEmbedder second("hash-of-model-2", 2);
  QueryEmbeddingCache cache(10);
  EXPECT_EQ(cache.get_or_embed(first, "same text")[2], 1.0f);
  EXPECT_EQ(cache.get_or_embed(second, "same text")[2], 2.0f);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(QueryEmbeddingCache, ZeroCapacityNeverCaches) {
  CountingEmbedder embedder("h1");
  QueryEmbeddingCache cache(0);
  cache.get_or_embed(embedder, "a");
  cache.get_or_embed(embedder, "a");
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(embedder.calls, 2);
}

TEST(QueryEmbeddingCache, SurvivesConcurrentUse) {
  CountingEmbedder embedder("h1");
  QueryEmbeddingCache cache(16);
  constexpr int kThreads = 8;
  constexpr int kLookups = 2000;
  std::atomic<int> wrong = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLookups; ++i) {
        // Half the lookups hit a few hot queries, the rest cycle through more
        // queries than fit, forcing evictions.
        const int query = i % 2 == 0 ? i % 5 : 5 + (i * 7 + t) % 40;
        const std::string text = "query " + std::to_string(query);
        if (cache.get_or_embed(embedder, text) != embedder.expected(text)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(cache.hits() + cache.misses(), std::size_t(kThreads * kLookups));
  EXPECT_EQ(cache.misses(), std::size_t(embedder.calls));
  EXPECT_LE(cache.size(), 16u);
  EXPECT_GT(cache.hits(), 0u);
}

}  // namespace
}  // namespace vestige
