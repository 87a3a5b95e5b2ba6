#pragma once

// A 64-bit hash that must never change: the builtin embedder's stored vectors
// depend on it, on every platform and in every release. std::hash promises
// neither, so this is FNV-1a over the bytes, finished with MurmurHash3's fmix64
// so that every output bit (the embedder uses the top bit as a sign and the
// rest as an index) depends on every input bit; FNV-1a alone mixes its high
// bits poorly for short inputs.

#include <cstdint>
#include <string_view>

namespace vestige::embed {

inline constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// Feeds `bytes` into a running FNV-1a state.
constexpr std::uint64_t fnv1a_update(std::uint64_t state, std::string_view bytes) {
  for (const char c : bytes) {
    state ^= static_cast<unsigned char>(c);
    state *= kFnvPrime;
  }
  return state;
}

constexpr std::uint64_t fmix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// The stable hash of `bytes` under `seed`.
constexpr std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0) {
  return fmix64(fnv1a_update(kFnvOffsetBasis ^ seed, bytes));
}

}  // namespace vestige::embed
