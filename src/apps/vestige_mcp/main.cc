// vestige-mcp: the Vestige memory server for AI agents, speaking the Model
// Context Protocol over stdio (newline-delimited JSON-RPC). Standard output
// carries protocol messages only; logs go to standard error.

#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "apps/vestige_mcp/signal_input.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"
#include "mcp/tools.h"
#include "mcp/tools_maintain.h"
#include "vestige/config.h"
#include "vestige/embedder.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace {

using namespace vestige;

struct Options {
  std::string data_dir;
  std::string config_file;
  std::string log_level;
  bool check_config = false;
};

void set_up_logging() {
  auto logger = spdlog::stderr_logger_mt("vestige-mcp");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
}

Config load(const Options& options) {
  ConfigSources sources;
  if (!options.config_file.empty()) sources.config_file = options.config_file;
  if (!options.data_dir.empty()) sources.data_dir = options.data_dir;
  return load_config(sources);
}

// Loads the search indexes (the SQLite backend builds its in-memory text
// index on the first text search and reads its vector index's snapshot on
// the first vector search) on the opener's thread, while the client is still
// initializing, so that the first recall does not pay for them. Vectors only
// when the store already holds the configured model's; any failure is left
// for the first real call to report.
void warm_up_indexes(MemoryStore& store, const Config& config) {
  try {
    SearchQuery text;
    text.text = "vestige";
    text.limit = 1;
    store.text_search(text);
    const std::optional<RegisteredModel> registered = store.registered_model();
    if (!registered) return;
    const std::unique_ptr<Embedder> embedder =
        resolve_embedder(config.embeddings.model, config.embeddings);
    if (registered->signature != embedder->signature()) return;
    store.register_model(embedder->signature());
    SearchQuery query;
    query.embedding = embedder->embed("vestige");
    query.limit = 1;
    store.vector_search(query);
  } catch (const std::exception& e) {
    spdlog::debug("search indexes not preloaded: {}", e.what());
  }
}

std::unique_ptr<MemoryStore> open_configured_store(const Config& config) {
  using Clock = std::chrono::steady_clock;
  const auto millis = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  const auto started = Clock::now();
  if (config.backend == "sqlite") ensure_data_dir(config);
  std::unique_ptr<MemoryStore> store = open_store(config);
  const auto opened = Clock::now();
  warm_up_indexes(*store, config);
  const std::string backend = store->backend_name();
  spdlog::info("{} backend ready (opened in {} ms, search indexes loaded in {} ms)",
               backend == "sqlite"     ? "SQLite"
               : backend == "postgres" ? "Postgres"
                                       : backend.c_str(),
               millis(opened - started), millis(Clock::now() - opened));
  return store;
}

int serve(const Config& config) {
  mcp::ToolContext context(config, [config] {
    try {
      return open_configured_store(config);
    } catch (const std::exception& e) {
      spdlog::error("the store cannot be opened: {} (tools will report this and try again)",
                    e.what());
      throw;
    }
  });
  mcp::Server server(
      {.version = std::string(VESTIGE_VERSION), .instructions = mcp::server_instructions()});
  mcp::register_all(server, context);
  mcp::Maintenance maintenance(context, config.consolidation);
  maintenance.register_tool(server);

  // The input stream blocks the shutdown signals before the store's opener
  // thread starts, so that only the read loop receives them. Automatic
  // consolidation runs in its slices whenever no request is waiting.
  mcp_app::SignalAwareInput input(
      STDIN_FILENO, [&maintenance] { return maintenance.run_background_slice(); },
      std::chrono::seconds(1));
  std::istream in(&input);
  context.start_opening();
  const mcp::StdioReport report = mcp::serve_stdio(server, in, std::cout);
  if (input.signal()) {
    spdlog::info("signal {} received: shutting down", strsignal(*input.signal()));
  } else {
    spdlog::info("end of input: shutting down");
  }
  context.close();
  spdlog::info("stopped after {} input lines and {} replies", report.lines, report.replies);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  set_up_logging();
  // A client that closed our stdout must not kill us mid-write: the write
  // fails instead, and serve_stdio stops.
  ::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"Vestige MCP server: long-term memory for AI agents over stdio", "vestige-mcp"};
  Options options;
  app.add_option("--data-dir", options.data_dir,
                 "Data directory (default: $VESTIGE_DATA_DIR, else ~/.vestige)");
  app.add_option("--config", options.config_file,
                 "Configuration file (default: $VESTIGE_CONFIG, else <data dir>/vestige.toml)");
  app.add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error or off (default: [log] level, else info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("--check-config", options.check_config,
               "Validate the configuration and exit (0 valid, 2 invalid) without opening the "
               "database");
  app.set_version_flag("--version", std::string(VESTIGE_VERSION));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and version to stdout, which is fine before serving.
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    const Config config = load(options);
    spdlog::set_level(
        spdlog::level::from_str(options.log_level.empty() ? config.log.level : options.log_level));
    if (options.check_config) {
      std::cerr << "vestige-mcp: configuration is valid"
                << (config.file ? " (" + config.file->string() + ")" : std::string(" (defaults)"))
                << '\n';
      return kExitOk;
    }
    return serve(config);
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return exit_code(e.code());
  } catch (const std::exception& e) {
    spdlog::error("unexpected error: {}", e.what());
    return kExitFailure;
  }
}
