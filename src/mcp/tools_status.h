#pragma once

// The store's status as memory_status and memory://stats report it.

#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::mcp {

// {health, backend, counts, retention, model, schema_version, storage_bytes}:
// health, stats and the retention summary, each an aggregate the store
// computes, so the cost does not grow with the size of the memories.
Json status_json(MemoryStore& store, Timestamp now);

}  // namespace vestige::mcp
