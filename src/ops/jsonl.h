#pragma once

// `vestige export` / `vestige import`: a store as JSON Lines, one memory per
// line (the JSON form of vestige::Memory: id, content, node_type, tags,
// metadata, codebase, created_at, ..., and optionally embedding).

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "vestige/embedder.h"
#include "vestige/memory_store.h"

namespace vestige::ops {

struct ExportOptions {
  bool include_embeddings = true;
  std::size_t page_size = 500;
};

struct ExportReport {
  std::int64_t memories = 0;
};

// Writes every memory in (created_at, id) order. Memory use is bounded by one
// page, whatever the store's size.
ExportReport export_jsonl(MemoryStore& store, std::ostream& out, const ExportOptions& options = {});

struct ImportOptions {
  std::size_t batch_size = 500;
  // Embeds lines that carry no embedding, so imported memories are found by
  // vector search too. Null leaves them without one. The store handle must be
  // bound (register_model) to this embedder's model, or to the model the
  // file's embeddings came from.
  Embedder* embedder = nullptr;
};

struct ImportRowError {
  std::size_t line = 0;  // 1-based line number in the input
  std::string id;        // the line's id, when it had a readable one
  std::string reason;
};

struct ImportReport {
  std::size_t lines = 0;     // non-blank lines read
  std::size_t inserted = 0;  // memories written
  std::size_t existing = 0;  // memories whose id was already in the store
  std::vector<ImportRowError> errors;
};

// Writes records as given (no ingest gate), preserving ids. A line without an
// id gets one derived from its content (derive_import_id), so importing the
// same file twice writes nothing the second time. A bad line (not JSON, wrong
// field type, wrong embedding dimension, constraint violation) is reported
// with its line number and reason and does not stop the import or lose the
// other lines of its batch. A model mismatch stops the import (thrown).
ImportReport import_jsonl(MemoryStore& store, std::istream& in, const ImportOptions& options = {});

// A deterministic id for a record that has none: a version 8 UUID whose first
// 48 bits are the record's created_at in Unix milliseconds (0 when unset, so
// such records sort first) and whose other bits come from a SHA-256 of its
// content, node type, codebase and tags.
Uuid derive_import_id(const Memory& memory);

}  // namespace vestige::ops
