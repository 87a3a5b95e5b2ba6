#pragma once

// Shared by the benchmarks: a synthetic corpus that looks like agent memories
// (Zipf-distributed vocabulary whose most frequent words are English stop
// words, as in real text; 8-40 words; a few tags and codebases), a seeded
// store, and latency percentiles reported as Google Benchmark counters.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
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

// The calling thread's CPU time so far, in microseconds.
inline double thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// Wall-clock and CPU time of one operation on the calling thread. On a busy
// machine the wall time includes waiting for a core and the CPU time does
// not, so the two together tell a slow operation from a loaded machine.
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_us_(thread_cpu_us()) {}
  std::chrono::steady_clock::duration wall() const {
    return std::chrono::steady_clock::now() - wall_;
  }
  double cpu_us() const { return thread_cpu_us() - cpu_us_; }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_us_;
};

// Records one latency sample per iteration and reports p50/p99 in
// microseconds: wall-clock (p50_us, p99_us) and, for samples taken with a
// Stopwatch, CPU time too (cpu_p50_us, cpu_p99_us).
class Latencies {
 public:
  void add(std::chrono::steady_clock::duration d) {
    samples_.push_back(std::chrono::duration<double, std::micro>(d).count());
  }
  void add(const Stopwatch& watch) {
    add(watch.wall());
    cpu_samples_.push_back(watch.cpu_us());
  }
  void report(benchmark::State& state) {
    if (samples_.empty()) return;
    state.counters["p50_us"] = percentile(samples_, 0.50);
    state.counters["p99_us"] = percentile(samples_, 0.99);
    if (!cpu_samples_.empty()) {
      state.counters["cpu_p50_us"] = percentile(cpu_samples_, 0.50);
      state.counters["cpu_p99_us"] = percentile(cpu_samples_, 0.99);
    }
    state.counters["qps"] =
        benchmark::Counter(static_cast<double>(samples_.size()), benchmark::Counter::kIsRate);
  }

 private:
  static double percentile(std::vector<double>& samples, double q) {
    std::sort(samples.begin(), samples.end());
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  }

  std::vector<double> samples_;
  std::vector<double> cpu_samples_;
};

// 100k-memory runs take minutes to seed: only with VESTIGE_BENCH_LARGE=1.
// True (and the benchmark marked skipped, saying so) for a run of more than
// 10,000 memories without it.
inline bool skip_large_run(benchmark::State& state, std::int64_t memories) {
  const char* v = std::getenv("VESTIGE_BENCH_LARGE");
  if (memories <= 10000 || (v != nullptr && std::string(v) == "1")) return false;
  state.SkipWithError("set VESTIGE_BENCH_LARGE=1 for 100k runs");
  return true;
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
