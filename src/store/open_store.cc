#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige {

namespace {

// Throws Error(kConfig) unless the backend is one this build can open.
void require_available_backend(const Config& config) {
  if (config.backend == "sqlite") return;
  if (config.backend == "postgres") {
    throw Error(ErrorCode::kConfig,
                "the PostgreSQL backend is not available in this build of Vestige yet; set "
                "[storage] backend = \"sqlite\" in vestige.toml");
  }
  throw Error(ErrorCode::kConfig,
              fmt::format("unknown storage backend \"{}\"; use \"sqlite\" or \"postgres\"",
                          config.backend));
}

}  // namespace

std::unique_ptr<MemoryStore> open_store(const Config& config, const OpenOptions& options) {
  require_available_backend(config);
  return open_sqlite_store(
      {.path = config.sqlite.path, .migrate = options.migrate, .read_only = options.read_only});
}

std::unique_ptr<SchemaAdmin> open_schema_admin(const Config& config) {
  require_available_backend(config);
  return open_sqlite_schema_admin(config.sqlite.path);
}

}  // namespace vestige
