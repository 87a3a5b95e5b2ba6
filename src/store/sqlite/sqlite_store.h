#pragma once

#include <filesystem>
#include <memory>

#include "vestige/memory_store.h"

namespace vestige {

struct SqliteStoreOptions {
  std::filesystem::path path;  // the database file; created (0600) when missing
  bool migrate = true;         // apply pending migrations on open
  bool read_only = false;
  int busy_timeout_ms = 30000;
};

// Opens (creating if needed) a SQLite memory store. Throws Error(kInit).
std::unique_ptr<MemoryStore> open_sqlite_store(const SqliteStoreOptions& options);

// Schema administration of a SQLite database file.
std::unique_ptr<SchemaAdmin> open_sqlite_schema_admin(const std::filesystem::path& path);

}  // namespace vestige
