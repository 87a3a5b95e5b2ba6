#pragma once

#include <memory>

#include "vestige/config.h"
#include "vestige/memory_store.h"

namespace vestige {

struct PostgresStoreOptions {
  PostgresConfig config;  // url, max_connections, acquire_timeout_secs
  bool migrate = true;    // apply pending migrations on open
  bool read_only = false;
};

// Opens a PostgreSQL memory store: checks the server (pgvector present and
// recent enough, privileges), migrates in the startup order, and logs
// "Postgres backend ready". Throws Error(kInit) saying what to do.
std::unique_ptr<MemoryStore> open_postgres_store(const PostgresStoreOptions& options);

// Schema administration of a PostgreSQL database.
std::unique_ptr<SchemaAdmin> open_postgres_schema_admin(const PostgresConfig& config);

// What `vestige config check --connect` reports about a PostgreSQL server.
struct PostgresServerReport {
  std::string server_version;    // "PostgreSQL 18.6"
  std::string pgvector_version;  // "0.8.7", empty when not installed
};
PostgresServerReport postgres_server_report(const MemoryStore& store);

}  // namespace vestige
