#include <fmt/format.h>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige {

namespace {

// Throws Error(kConfig) unless the backend is one this build can open.
void require_known_backend(const Config& config) {
  if (config.backend == "sqlite" || config.backend == "postgres") return;
  throw Error(ErrorCode::kConfig,
              fmt::format("unknown storage backend \"{}\"; use \"sqlite\" or \"postgres\"",
                          config.backend));
}

}  // namespace

std::unique_ptr<MemoryStore> open_store(const Config& config, const OpenOptions& options) {
  require_known_backend(config);
  if (config.backend == "postgres") {
    return open_postgres_store(
        {.config = config.postgres, .migrate = options.migrate, .read_only = options.read_only});
  }
  return open_sqlite_store(
      {.path = config.sqlite.path, .migrate = options.migrate, .read_only = options.read_only});
}

std::unique_ptr<SchemaAdmin> open_schema_admin(const Config& config) {
  require_known_backend(config);
  if (config.backend == "postgres") return open_postgres_schema_admin(config.postgres);
  return open_sqlite_schema_admin(config.sqlite.path);
}

}  // namespace vestige
