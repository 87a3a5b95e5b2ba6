#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "vestige/embedder.h"

namespace vestige {

// The key is the model's signature hash plus the text, so that a cache shared
// across a model change never returns a vector of the old model.
struct QueryEmbeddingCache::State {
  struct Entry {
    std::string key;
    Embedding vector;
  };

  explicit State(std::size_t capacity) : capacity(capacity) {}

  // Moves a hit to the front; returns nullptr on a miss.
  const Embedding* find(const std::string& key) {
    const auto it = index.find(key);
    if (it == index.end()) return nullptr;
    entries.splice(entries.begin(), entries, it->second);
    return &it->second->vector;
  }

  void insert(std::string key, Embedding vector) {
    if (capacity == 0 || find(key) != nullptr) return;
    if (entries.size() == capacity) {
      index.erase(entries.back().key);
      entries.pop_back();
    }
    entries.push_front(Entry{std::move(key), std::move(vector)});
    index.emplace(entries.front().key, entries.begin());
  }

  const std::size_t capacity;
  mutable std::mutex mutex;
  std::list<Entry> entries;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index;
  std::size_t hits = 0;
  std::size_t misses = 0;
};

QueryEmbeddingCache::QueryEmbeddingCache(std::size_t capacity)
    : state_(std::make_unique<State>(capacity)) {}

QueryEmbeddingCache::~QueryEmbeddingCache() = default;

Embedding QueryEmbeddingCache::get_or_embed(Embedder& embedder, std::string_view text) {
  std::string key = embedder.signature().hash;
  key.push_back('\n');
  key.append(text);
  {
    const std::lock_guard lock(state_->mutex);
    if (const Embedding* cached = state_->find(key)) {
      ++state_->hits;
      return *cached;
    }
    ++state_->misses;
  }
  // Embedding can take a network round trip, so it runs without the lock;
  // two threads missing on the same text at once both embed it, and the
  // second insert is a no-op.
  Embedding vector = embedder.embed(text);
  const std::lock_guard lock(state_->mutex);
  state_->insert(std::move(key), vector);
  return vector;
}

std::size_t QueryEmbeddingCache::size() const {
  const std::lock_guard lock(state_->mutex);
  return state_->entries.size();
}

std::size_t QueryEmbeddingCache::hits() const {
  const std::lock_guard lock(state_->mutex);
  return state_->hits;
}

std::size_t QueryEmbeddingCache::misses() const {
  const std::lock_guard lock(state_->mutex);
  return state_->misses;
}

}  // namespace vestige
