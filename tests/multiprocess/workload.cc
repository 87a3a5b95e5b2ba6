#include "workload.h"

#include <fmt/format.h>

#include <array>

namespace vestige::multiprocess {

std::unique_ptr<Embedder> workload_embedder() {
  return resolve_embedder("builtin/hash-384", EmbeddingsConfig{});
}

std::string workload_content(const std::string& prefix, int index) {
  static constexpr std::array<const char*, 8> kTopics = {
      "deployment", "database", "caching", "logging", "testing", "security", "billing", "search"};
  return fmt::format("{} note {} on {} and {}: step {} of the {} runbook", prefix, index,
                     kTopics[index % kTopics.size()], kTopics[(index / 8) % kTopics.size()],
                     index * 7 + 3, kTopics[(index + 3) % kTopics.size()]);
}

}  // namespace vestige::multiprocess
