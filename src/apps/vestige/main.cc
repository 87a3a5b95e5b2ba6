// vestige: the command-line interface to a Vestige memory store.

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "apps/vestige/commands.h"
#include "apps/vestige/context.h"
#include "vestige/error.h"

namespace {

// Logs go to stderr, uncoloured (stdout carries command output and --json).
void set_up_logging() {
  auto logger = spdlog::stderr_logger_mt("vestige");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vestige;
  set_up_logging();

  CLI::App app{"Vestige: long-term memory for AI agents", "vestige"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::GlobalOptions global;
  app.add_option("--data-dir", global.data_dir,
                 "Data directory (default: $VESTIGE_DATA_DIR, else ~/.vestige)");
  app.add_option("--config", global.config_file,
                 "Configuration file (default: $VESTIGE_CONFIG, else <data dir>/vestige.toml)");
  app.add_flag("--json", global.json, "Machine-readable output");

  cli::Context ctx(global);
  cli::add_memory_commands(app, ctx);
  cli::add_transfer_commands(app, ctx);
  cli::add_admin_commands(app, ctx);
  cli::add_engine_commands(app, ctx);
  cli::add_migrate_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const Error& e) {
    std::cerr << "vestige: " << e.what() << '\n';
    return exit_code(e.code());
  } catch (const std::exception& e) {
    std::cerr << "vestige: unexpected error: " << e.what() << '\n';
    return kExitFailure;
  }
  return ctx.exit_code();
}
