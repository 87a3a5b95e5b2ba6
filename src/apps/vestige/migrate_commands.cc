// migrate copy, migrate reembed.

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "apps/vestige/commands.h"
#include "ops/copy.h"
#include "ops/reembed.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "vestige/error.h"
#include "vestige/store_transfer.h"

namespace vestige::cli {

namespace {

struct CopyArgs {
  std::string from;
  std::string to;
  std::string sqlite_path;
  std::string postgres_url;
  std::size_t batch_size = 500;
  bool dry_run = false;
  bool allow_source_upgrade = false;
};

// Refuses every unsupported combination before anything is opened.
void check_copy_args(const CopyArgs& args) {
  const bool supported = (args.from == "sqlite" && args.to == "postgres") ||
                         (args.from == "postgres" && args.to == "sqlite");
  if (!supported) {
    throw Error(ErrorCode::kUsage,
                fmt::format("cannot copy --from {} --to {}: supported are --from sqlite --to "
                            "postgres and --from postgres --to sqlite",
                            args.from.empty() ? "(missing)" : args.from,
                            args.to.empty() ? "(missing)" : args.to));
  }
  if (args.allow_source_upgrade && args.from != "sqlite") {
    throw Error(ErrorCode::kUsage,
                "--allow-source-upgrade applies to a SQLite source only (--from sqlite)");
  }
  if (args.allow_source_upgrade && args.dry_run) {
    throw Error(ErrorCode::kUsage,
                "--dry-run writes nothing, so it cannot upgrade the source; drop "
                "--allow-source-upgrade for the dry run");
  }
}

PostgresConfig postgres_config(const Config& config, const CopyArgs& args) {
  PostgresConfig pg = config.postgres;
  if (!args.postgres_url.empty()) pg.url = args.postgres_url;
  if (pg.url.empty()) {
    throw Error(ErrorCode::kUsage,
                "no PostgreSQL database named: pass --postgres-url or set [storage.postgres] url "
                "in vestige.toml");
  }
  return pg;
}

std::unique_ptr<StoreTransfer> open_source(const CopyArgs& args,
                                           const std::filesystem::path& sqlite_path,
                                           const PostgresConfig& pg) {
  if (args.from == "sqlite") {
    if (args.allow_source_upgrade) {
      // The one write a copy may make to its source, and only when asked to.
      open_sqlite_store({.path = sqlite_path, .migrate = true});
    }
    return open_sqlite_transfer(sqlite_path, true);
  }
  auto source = open_postgres_transfer(pg, true);
  try {
    source->count(Table::kMemories);
  } catch (const Error& e) {
    throw Error(ErrorCode::kInit,
                fmt::format("the PostgreSQL database at {} holds no Vestige store to copy from "
                            "({})",
                            source->location(), e.what()));
  }
  return source;
}

// The destination as it is now, read-only, or null when it has no store yet
// (no file, no schema): used for the model check before anything is written,
// and by the dry run.
std::unique_ptr<StoreTransfer> existing_destination(const CopyArgs& args,
                                                    const std::filesystem::path& sqlite_path,
                                                    const PostgresConfig& pg) {
  if (args.to == "sqlite") {
    std::error_code ec;
    if (!std::filesystem::exists(sqlite_path, ec)) return nullptr;
    return open_sqlite_transfer(sqlite_path, true);
  }
  auto destination = open_postgres_transfer(pg, true);
  try {
    destination->registered_model();
    destination->count(Table::kMemories);
  } catch (const Error&) {
    return nullptr;  // no schema yet: the copy creates it
  }
  return destination;
}

void print_copy_report(Context& ctx, const CopyArgs& args, const ops::CopyReport& report) {
  const double rate = report.seconds > 0 ? static_cast<double>(report.rows()) / report.seconds : 0;
  if (ctx.json()) {
    Json tables = Json::array();
    for (const auto& t : report.tables) {
      tables.push_back({{"table", table_name(t.table)},
                        {"source_rows", t.source_rows},
                        {"destination_rows", t.destination_rows},
                        {"inserted", t.inserted},
                        {"present", t.present},
                        {"errors", t.errors},
                        {"seconds", t.seconds}});
    }
    Json errors = Json::array();
    for (const auto& e : report.errors) {
      errors.push_back({{"table", table_name(e.table)}, {"key", e.key}, {"reason", e.reason}});
    }
    std::cout << Json{{"from", args.from},
                      {"to", args.to},
                      {"dry_run", report.dry_run},
                      {"model", report.model ? Json(*report.model) : Json(nullptr)},
                      {"tables", tables},
                      {"errors", errors},
                      {"index_seconds", report.index_seconds},
                      {"seconds", report.seconds},
                      {"rows_per_second", rate}}
                     .dump(2)
              << '\n';
    return;
  }
  for (const auto& e : report.errors) {
    std::cerr << fmt::format("{} {}: {}\n", table_name(e.table), e.key, e.reason);
  }
  if (report.dry_run) {
    std::cout << fmt::format("dry run: nothing was written. Model: {}\n",
                             report.model ? describe(*report.model) : "none registered");
    std::cout << fmt::format("{:<18} {:>10} {:>12}\n", "table", "source", "destination");
    for (const auto& t : report.tables) {
      std::cout << fmt::format("{:<18} {:>10} {:>12}\n", table_name(t.table), t.source_rows,
                               t.destination_rows);
    }
    return;
  }
  std::cout << fmt::format("{:<18} {:>10} {:>10} {:>10} {:>8} {:>12}\n", "table", "source",
                           "copied", "present", "errors", "rows/s");
  for (const auto& t : report.tables) {
    std::cout << fmt::format("{:<18} {:>10} {:>10} {:>10} {:>8} {:>12.0f}\n", table_name(t.table),
                             t.source_rows, t.inserted, t.present, t.errors,
                             t.seconds > 0 ? static_cast<double>(t.source_rows) / t.seconds : 0.0);
  }
  if (args.to == "postgres") {
    std::cout << fmt::format("vector index checked or built in {:.1f} s\n", report.index_seconds);
  }
  std::cout << fmt::format("copied {} rows ({} errors) in {:.1f} s, {:.0f} rows/s\n", report.rows(),
                           report.errors.size(), report.seconds, rate);
}

void run_copy(Context& ctx, const CopyArgs& args) {
  check_copy_args(args);
  const Config& config = ctx.config();
  const std::filesystem::path sqlite_path =
      args.sqlite_path.empty() ? config.sqlite.path : std::filesystem::path(args.sqlite_path);
  const PostgresConfig pg = postgres_config(config, args);

  auto source = open_source(args, sqlite_path, pg);
  const auto source_model = source->registered_model();
  auto destination = existing_destination(args, sqlite_path, pg);
  ops::check_copy_models(source_model,
                         destination ? destination->registered_model() : std::nullopt);

  if (!args.dry_run) {
    destination.reset();
    // The destination's schema (and, for a store with vectors, the source's
    // model in its registry) before the first row.
    std::unique_ptr<MemoryStore> store;
    if (args.to == "sqlite") {
      if (args.sqlite_path.empty()) ensure_data_dir(config);
      store = open_sqlite_store({.path = sqlite_path});
    } else {
      store = open_postgres_store({.config = pg});
    }
    if (source_model) store->register_model(source_model->signature);
    store.reset();
    destination = args.to == "sqlite" ? open_sqlite_transfer(sqlite_path, false)
                                      : open_postgres_transfer(pg, false);
  }
  ops::FaultPoints faults = ops::FaultPoints::from_environment();
  ops::CopyOptions options{.batch_size = args.batch_size,
                           .dry_run = args.dry_run,
                           .progress = &std::cerr,
                           .terminal = ::isatty(STDERR_FILENO) != 0,
                           .faults = &faults};
  std::cerr << fmt::format("copying {} {} -> {} {}\n", source->backend_name(), source->location(),
                           args.to,
                           args.to == "sqlite" ? sqlite_path.string() : mask_secrets(pg.url));
  const ops::CopyReport report = ops::copy_store(*source, destination.get(), options);
  print_copy_report(ctx, args, report);
  if (!report.errors.empty()) ctx.set_exit_code(kExitRowErrors);
}

struct ReembedArgs {
  std::string model;
  std::size_t batch_size = 128;
  bool yes = false;
  bool dry_run = false;
  bool concurrent_index = false;
  bool resume = false;
};

bool confirmed(const ops::ReembedPlan& plan) {
  std::cerr << fmt::format(
      "Re-embed {} memories with {}? Vector search is refused until the run finishes. [y/N] ",
      plan.rows, describe(plan.target));
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void run_reembed(Context& ctx, const ReembedArgs& args) {
  const Config& config = ctx.config();
  if (args.concurrent_index && config.backend != "postgres") {
    throw Error(ErrorCode::kUsage,
                "--concurrent-index applies to the PostgreSQL backend only (SQLite keeps its "
                "vector index in memory)");
  }
  if (!args.dry_run && !args.yes && ::isatty(STDIN_FILENO) == 0) {
    throw Error(ErrorCode::kUsage,
                "migrate reembed rewrites every stored vector; pass --yes to confirm when "
                "standard input is not a terminal (or --dry-run to see the plan)");
  }
  EmbeddingsConfig embeddings = config.embeddings;
  // The configured dimension belongs to the configured model.
  if (args.model != embeddings.model) embeddings.dimension.reset();
  embeddings.model = args.model;
  auto embedder = resolve_embedder(args.model, embeddings);

  // The schema up to date before the transfer opens it (a dry run only checks).
  ctx.store({.migrate = !args.dry_run, .read_only = false});
  auto store = config.backend == "postgres" ? open_postgres_transfer(config.postgres, false)
                                            : open_sqlite_transfer(config.sqlite.path, false);
  ops::FaultPoints faults = ops::FaultPoints::from_environment();
  ops::ReembedOptions options{.batch_size = args.batch_size,
                              .resume = args.resume,
                              .concurrent_index = args.concurrent_index,
                              .progress = &std::cerr,
                              .terminal = ::isatty(STDERR_FILENO) != 0,
                              .faults = &faults};
  const ops::ReembedPlan plan = ops::plan_reembed(*store, *embedder, options);
  if (plan.already_done) {
    std::cout << fmt::format("the store already uses {}; nothing to do\n", describe(plan.target));
    return;
  }
  if (args.dry_run) {
    if (ctx.json()) {
      std::cout << Json{{"target", plan.target},
                        {"current", plan.current ? Json(*plan.current) : Json(nullptr)},
                        {"interrupted_run", plan.interrupted.has_value()},
                        {"rows", plan.rows},
                        {"batches", plan.batches},
                        {"dimension_changes", plan.dimension_changes},
                        {"estimated_seconds", plan.estimated_seconds}}
                       .dump(2)
                << '\n';
      return;
    }
    std::cout << fmt::format(
        "dry run: nothing was written.\nfrom:       {}\nto:         {}\nmemories:   {} in {} "
        "batches of {}\ndimension:  {}\nestimated:  {:.1f} s for encoding (from one probe "
        "batch), plus the index build\n",
        plan.current ? describe(*plan.current) : "no registered model", describe(plan.target),
        plan.rows, plan.batches, args.batch_size, plan.dimension_changes ? "changes" : "unchanged",
        plan.estimated_seconds);
    if (plan.interrupted) {
      std::cout << fmt::format("an interrupted re-embed to {} is recorded ({} rows done)\n",
                               plan.interrupted->target.name, plan.interrupted->rows_done);
    }
    return;
  }
  if (!args.yes && !confirmed(plan)) {
    std::cerr << "nothing was changed\n";
    return;
  }
  if (plan.interrupted) {
    std::cerr << fmt::format(
        "an interrupted re-embed to {} was found ({} rows done); {}\n",
        plan.interrupted->target.name, plan.interrupted->rows_done,
        args.resume && plan.interrupted->target == plan.target
            ? "continuing after the last finished batch"
            : "encoding every memory again (--resume continues where it stopped)");
  }
  std::cerr << "warning: vector search is refused until the re-embed finishes\n";
  const ops::ReembedReport report = ops::run_reembed(*store, *embedder, plan, options);
  const double rate =
      report.encode_seconds > 0 ? static_cast<double>(report.rows) / report.encode_seconds : 0.0;
  if (ctx.json()) {
    std::cout << Json{{"model", plan.target},      {"rows", report.rows},
                      {"skipped", report.skipped}, {"encode_seconds", report.encode_seconds},
                      {"rows_per_second", rate},   {"index_seconds", report.index_seconds},
                      {"seconds", report.seconds}}
                     .dump(2)
              << '\n';
    return;
  }
  std::cout << fmt::format(
      "re-embedded {} memories with {} in {:.1f} s ({:.0f} rows/s{}); index and checks {:.1f} "
      "s; the registry now names {}\n",
      report.rows, plan.target.name, report.encode_seconds, rate,
      report.skipped > 0 ? fmt::format(", {} done before", report.skipped) : "",
      report.index_seconds, describe(plan.target));
}

}  // namespace

void add_migrate_commands(CLI::App& app, Context& ctx) {
  CLI::App* migrate =
      app.add_subcommand("migrate", "Move a store to another backend or embedding model");
  migrate->require_subcommand(1);

  auto copy = std::make_shared<CopyArgs>();
  CLI::App* cmd = migrate->add_subcommand(
      "copy", "Copy every row between SQLite and PostgreSQL; safe to re-run and to interrupt");
  cmd->add_option("--from", copy->from, "Source backend: sqlite or postgres")->required();
  cmd->add_option("--to", copy->to, "Destination backend: postgres or sqlite")->required();
  cmd->add_option("--sqlite-path", copy->sqlite_path,
                  "The SQLite database (default: [storage.sqlite] path)");
  cmd->add_option("--postgres-url", copy->postgres_url,
                  "The PostgreSQL database (default: [storage.postgres] url)");
  cmd->add_option("--batch-size", copy->batch_size, "Rows per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  cmd->add_flag("--dry-run", copy->dry_run,
                "Count rows and check the models; write nothing, create nothing");
  cmd->add_flag("--allow-source-upgrade", copy->allow_source_upgrade,
                "Bring an older SQLite source schema up to date first (writes to the source)");
  cmd->callback([&ctx, copy] { run_copy(ctx, *copy); });

  auto reembed = std::make_shared<ReembedArgs>();
  cmd = migrate->add_subcommand(
      "reembed", "Re-encode every memory with another embedding model; re-run to finish");
  cmd->add_option("--model", reembed->model,
                  "The new model: builtin/hash-<dim>, ollama/<model>, openai/<model>")
      ->required();
  cmd->add_option("--batch-size", reembed->batch_size, "Memories per model call and transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("--yes", reembed->yes, "Do not ask (required when stdin is not a terminal)");
  cmd->add_flag("--dry-run", reembed->dry_run,
                "Probe the model and show rows, batches, estimated time; write nothing");
  cmd->add_flag("--concurrent-index", reembed->concurrent_index,
                "PostgreSQL: build the HNSW index with CREATE INDEX CONCURRENTLY");
  cmd->add_flag("--resume", reembed->resume,
                "Continue an interrupted run after its last finished batch");
  cmd->callback([&ctx, reembed] { run_reembed(ctx, *reembed); });
}

}  // namespace vestige::cli
