#pragma once

#include <CLI/CLI.hpp>

#include "apps/vestige/context.h"

namespace vestige::cli {

// Each adds its subcommands to `app`; their callbacks run the command and
// throw vestige::Error on failure (main maps it to an exit code).
void add_memory_commands(CLI::App& app, Context& ctx);    // ingest, get, delete, search/recall
void add_transfer_commands(CLI::App& app, Context& ctx);  // import, export
void add_admin_commands(CLI::App& app, Context& ctx);     // stats, health, config, db
void add_engine_commands(CLI::App& app, Context& ctx);    // review, consolidate, dream, gc
void add_migrate_commands(CLI::App& app, Context& ctx);   // migrate copy, migrate reembed

}  // namespace vestige::cli
