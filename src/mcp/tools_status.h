#pragma once

// The store's status as memory_status and memory://stats report it.

#include <array>
#include <cstdint>

#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::mcp {

struct RetentionDistribution {
  std::int64_t memories = 0;
  double mean = 0.0;
  // Counts indexed by engine::MemoryState: active, dormant, silent, unavailable.
  std::array<std::int64_t, 4> by_state{};
};

// Retention of every memory at `now` (engine/strength.h), in one pass over the
// store by pages, so memory use stays bounded by a page.
RetentionDistribution retention_distribution(MemoryStore& store, Timestamp now);

// {health, backend, counts, retention, model, schema_version, storage_bytes}.
Json status_json(MemoryStore& store, Timestamp now);

}  // namespace vestige::mcp
