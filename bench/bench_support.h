#pragma once

// Shared by the benchmarks: a synthetic corpus that looks like agent memories
// (Zipf-distributed vocabulary whose most frequent words are English stop
// words, as in real text; 8-40 words; a few tags and codebases), a seeded
// store, and latency percentiles reported as Google Benchmark counters.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/stop_words.h"

namespace vestige::bench {

class Corpus {
 public:
  explicit Corpus(std::uint32_t seed = 42) : rng_(seed) {
    static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "po",
                                       "da", "fe", "gi", "ho", "ju", "be", "co", "wi", "xa", "yo"};
    std::uniform_int_distribution<int> syllable(0, 19), length(2, 4);
    for (const std::string_view w : stop_words()) vocabulary_.emplace_back(w);
    for (int i = 0; i < 5000; ++i) {
      std::string word;
      for (int s = length(rng_); s > 0; --s) word += kSyllables[syllable(rng_)];
      vocabulary_.push_back(word + std::to_string(i % 7));
    }
    // Zipf weights: common words are common, as in real text.
    std::vector<double> weights;
    for (std::size_t r = 1; r <= vocabulary_.size(); ++r)
      weights.push_back(1.0 / static_cast<double>(r));
    zipf_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }

  std::string sentence(int min_words, int max_words) {
    std::uniform_int_distribution<int> n(min_words, max_words);
    std::string out;
    for (int i = n(rng_); i > 0; --i) {
      if (!out.empty()) out += ' ';
      out += vocabulary_[zipf_(rng_)];
    }
    return out;
  }

  Memory memory() {
    Memory m;
    m.content = sentence(8, 40);
    static const char* kTypes[] = {"fact", "decision", "preference", "pattern", "event"};
    m.node_type = kTypes[rng_() % 5];
    m.tags = {"t" + std::to_string(rng_() % 20)};
    if (rng_() % 2 == 0) m.codebase = "repo" + std::to_string(rng_() % 10);
    return m;
  }

 private:
  std::mt19937 rng_;
  std::vector<std::string> vocabulary_;
  std::discrete_distribution<std::size_t> zipf_;
};

// Records one latency sample per iteration and reports p50/p99 in microseconds.
class Latencies {
 public:
  void add(std::chrono::steady_clock::duration d) {
    samples_.push_back(std::chrono::duration<double, std::micro>(d).count());
  }
  void report(benchmark::State& state) {
    if (samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    auto at = [&](double q) {
      return samples_[std::min(samples_.size() - 1, static_cast<std::size_t>(q * samples_.size()))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["qps"] =
        benchmark::Counter(static_cast<double>(samples_.size()), benchmark::Counter::kIsRate);
  }

 private:
  std::vector<double> samples_;
};

// 100k-memory runs take minutes to seed: only with VESTIGE_BENCH_LARGE=1.
inline bool large_runs_enabled() {
  const char* v = std::getenv("VESTIGE_BENCH_LARGE");
  return v != nullptr && std::string(v) == "1";
}

// Bumped whenever Corpus changes, so a store seeded from an older corpus is
// not reused.
inline constexpr int kCorpusVersion = 2;

inline std::filesystem::path bench_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vestige-bench-v" + std::to_string(kCorpusVersion) + "-" + name);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace vestige::bench
