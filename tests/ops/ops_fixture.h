#pragma once

// Stores filled with every kind of row, and the comparison that proves a copy
// holds exactly its source: every table read in key order from both sides.

#include <cstddef>
#include <string>

#include "vestige/memory_store.h"
#include "vestige/store_transfer.h"

namespace vestige::testing {

// Memories (with embeddings from builtin/hash-384, tags, metadata, codebase,
// some without an embedding), scheduling rows, review events, edges, a domain
// and a group with a membership, written through `store`.
void fill_store(MemoryStore& store, std::size_t memories);

// Every row of every table, in key order, as one comparable list per table.
std::vector<std::vector<Row>> all_rows(StoreTransfer& store);

// Empty when both hold the same rows; otherwise says where they differ.
std::string compare_stores(StoreTransfer& expected, StoreTransfer& actual);

}  // namespace vestige::testing
