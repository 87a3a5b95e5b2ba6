// stats, health, config print|check, db status|migrate|revert.

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "apps/vestige/commands.h"
#include "apps/vestige/output.h"
#include "store/postgres/postgres_store.h"
#include "vestige/error.h"

namespace vestige::cli {

namespace {

void print_json(const Json& j) {
  std::cout << j.dump(2) << '\n';
}

void run_config_check(Context& ctx, bool connect) {
  const Config& config = ctx.config();
  // Resolving the embedder validates its name and settings without network I/O.
  const auto embedder = resolve_embedder(config.embeddings.model, config.embeddings);
  Json report{{"config_file", config.file ? Json(config.file->string()) : Json(nullptr)},
              {"data_dir", config.data_dir.string()},
              {"backend", config.backend},
              {"embedding_model", config.embeddings.model},
              {"valid", true}};
  if (connect) {
    MemoryStore& store = ctx.store();
    const HealthReport health = store.health();
    report["connection"] =
        Json{{"backend", store.backend_name()},
             {"server_version", health.server_version},
             {"schema_version", health.schema_version},
             {"registered_model", health.model ? Json(*health.model) : Json(nullptr)},
             {"status", health_status_name(health.status)}};
    if (store.backend_name() == "postgres") {
      const std::string pgvector = postgres_server_report(store).pgvector_version;
      report["connection"]["pgvector_version"] = pgvector.empty() ? Json(nullptr) : Json(pgvector);
    }
  }
  if (ctx.json()) {
    print_json(report);
    return;
  }
  std::cout << fmt::format("configuration ok: {}\n", config.file
                                                         ? config.file->string()
                                                         : "no vestige.toml found, using defaults");
  std::cout << fmt::format("data dir:        {}\nbackend:         {}\nembedding model: {}\n",
                           config.data_dir.string(), config.backend, config.embeddings.model);
  if (connect) {
    const Json& c = report["connection"];
    std::cout << fmt::format(
        "connected:       {} ({})\nschema version:  {}\nregistered model: {}\nstatus:          "
        "{}\n",
        c["backend"].get<std::string>(), c["server_version"].get<std::string>(),
        c["schema_version"].get<int>(),
        c["registered_model"].is_null() ? std::string("none registered yet")
                                        : describe(c["registered_model"].get<ModelSignature>()),
        c["status"].get<std::string>());
    if (c.contains("pgvector_version") && c["pgvector_version"].is_string()) {
      std::cout << fmt::format("pgvector:        {}\n", c["pgvector_version"].get<std::string>());
    }
  }
}

std::unique_ptr<SchemaAdmin> schema_admin(Context& ctx) {
  const Config& config = ctx.config();
  if (config.backend == "sqlite") ensure_data_dir(config);
  return open_schema_admin(config);
}

void run_db_status(Context& ctx) {
  const auto migrations = schema_admin(ctx)->status();
  if (ctx.json()) {
    Json out = Json::array();
    for (const MigrationStatus& m : migrations) {
      out.push_back(
          Json{{"version", m.version},
               {"name", m.name},
               {"applied", m.applied},
               {"applied_at", m.applied_at ? Json(format_timestamp(*m.applied_at)) : Json(nullptr)},
               {"success", m.success},
               {"checksum_ok", m.checksum_ok}});
    }
    print_json(out);
    return;
  }
  std::cout << fmt::format("{:<8} {:<24} {:<10} {}\n", "version", "name", "state", "applied at");
  for (const MigrationStatus& m : migrations) {
    std::string state = m.applied ? "applied" : "pending";
    if (m.applied && !m.success) state = "FAILED";
    if (m.applied && !m.checksum_ok) state = "MODIFIED";
    std::cout << fmt::format("{:<8} {:<24} {:<10} {}\n", m.version, m.name, state,
                             m.applied_at ? format_timestamp(*m.applied_at) : "");
  }
}

void report_versions(Context& ctx, const char* verb, const std::vector<int>& versions) {
  if (ctx.json()) {
    print_json(Json{{verb, versions}});
  } else if (versions.empty()) {
    std::cout << "nothing to do: the schema is already at the requested version\n";
  } else {
    std::cout << fmt::format("{} migration{} {}\n", verb, versions.size() == 1 ? "" : "s",
                             fmt::join(versions, ", "));
  }
}

struct RevertArgs {
  int to = -1;
  bool yes = false;
};

void run_db_revert(Context& ctx, const RevertArgs& args) {
  if (!args.yes) {
    if (!isatty(STDIN_FILENO)) {
      throw Error(ErrorCode::kUsage,
                  "vestige db revert destroys the data of every reverted migration; back up first, "
                  "then re-run with --yes");
    }
    std::cerr << fmt::format(
        "Reverting to schema version {} destroys the data held by newer migrations.\n"
        "Type 'revert' to continue: ",
        args.to);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "revert") throw Error(ErrorCode::kUsage, "revert cancelled; nothing was changed");
  }
  report_versions(ctx, "reverted", schema_admin(ctx)->revert(args.to));
}

}  // namespace

void add_admin_commands(CLI::App& app, Context& ctx) {
  app.add_subcommand("stats", "Counts, registered model and storage size")->callback([&ctx] {
    const StoreStats stats = ctx.store().stats(now_utc());
    if (ctx.json()) {
      print_json(stats);
    } else {
      std::cout << render_stats(stats);
    }
  });

  app.add_subcommand("health", "Check that the store is usable (exit 1 when it is not)")
      ->callback([&ctx] {
        const HealthReport health = ctx.store().health();
        if (ctx.json()) {
          print_json(health);
        } else {
          std::cout << render_health(health);
        }
        if (health.status != HealthStatus::kOk) ctx.set_exit_code(kExitFailure);
      });

  CLI::App* config = app.add_subcommand("config", "Show or validate vestige.toml");
  config->require_subcommand(1);
  config->add_subcommand("print", "Show the effective configuration, secrets masked")
      ->callback([&ctx] { std::cout << render_config(ctx.config()); });
  auto connect = std::make_shared<bool>(false);
  CLI::App* check = config->add_subcommand(
      "check",
      "Validate the configuration (exit 0, or 2 with the reason) without opening the database");
  check->add_flag("--connect", *connect,
                  "Also open the store and report backend, versions and the registered model");
  check->callback([&ctx, connect] { run_config_check(ctx, *connect); });

  CLI::App* db = app.add_subcommand("db", "Schema migrations");
  db->require_subcommand(1);
  db->add_subcommand("status", "List migrations and whether each is applied")->callback([&ctx] {
    run_db_status(ctx);
  });
  auto migrate_to = std::make_shared<std::optional<int>>();
  CLI::App* migrate = db->add_subcommand("migrate", "Apply pending migrations");
  migrate->add_option("--to", *migrate_to, "Stop at this version (default: the newest)");
  migrate->callback([&ctx, migrate_to] {
    report_versions(ctx, "applied", schema_admin(ctx)->migrate(*migrate_to));
  });
  auto revert = std::make_shared<RevertArgs>();
  CLI::App* revert_cmd = db->add_subcommand(
      "revert", "Run down migrations to an older version (destroys the data they held)");
  revert_cmd->add_option("--to", revert->to, "Target version (0 removes the whole schema)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  revert_cmd->add_flag("--yes", revert->yes, "Do not ask for confirmation");
  revert_cmd->callback([&ctx, revert] { run_db_revert(ctx, *revert); });
}

}  // namespace vestige::cli
