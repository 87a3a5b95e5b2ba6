// import, export.

#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "apps/vestige/commands.h"
#include "ops/jsonl.h"
#include "vestige/error.h"

namespace vestige::cli {

namespace {

struct ImportArgs {
  std::string file;
  std::size_t batch_size = 500;
  bool no_embed = false;
};

void run_import(Context& ctx, const ImportArgs& args) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.file != "-") {
    file.open(args.file);
    if (!file) throw Error(ErrorCode::kUsage, fmt::format("cannot read {}", args.file));
    in = &file;
  }
  ops::ImportOptions options;
  options.batch_size = args.batch_size;
  MemoryStore& store = ctx.store_for_writes();
  if (!args.no_embed) options.embedder = &ctx.embedder();
  const ops::ImportReport report = ops::import_jsonl(store, *in, options);

  if (ctx.json()) {
    Json errors = Json::array();
    for (const auto& e : report.errors) {
      errors.push_back(Json{{"line", e.line}, {"id", e.id}, {"reason", e.reason}});
    }
    std::cout << Json{{"lines", report.lines},
                      {"inserted", report.inserted},
                      {"existing", report.existing},
                      {"errors", errors}}
                     .dump(2)
              << '\n';
  } else {
    for (const auto& e : report.errors) {
      std::cerr << fmt::format("line {}{}: {}\n", e.line, e.id.empty() ? "" : " (id " + e.id + ")",
                               e.reason);
    }
    std::cout << fmt::format("imported {} memories ({} already present, {} lines with errors)\n",
                             report.inserted, report.existing, report.errors.size());
  }
  if (!report.errors.empty()) ctx.set_exit_code(kExitRowErrors);
}

struct ExportArgs {
  std::string file = "-";
  bool no_embeddings = false;
};

void run_export(Context& ctx, const ExportArgs& args) {
  ops::ExportOptions options;
  options.include_embeddings = !args.no_embeddings;
  MemoryStore& store = ctx.store();
  if (args.file == "-") {
    ops::export_jsonl(store, std::cout, options);
    return;
  }
  // Write to a temporary name and rename, so an interrupted export never
  // leaves a truncated file that looks complete.
  const std::string partial = args.file + ".partial";
  std::ofstream out(partial, std::ios::trunc);
  if (!out) throw Error(ErrorCode::kUsage, fmt::format("cannot write {}", partial));
  const ops::ExportReport report = ops::export_jsonl(store, out, options);
  out.close();
  std::error_code ec;
  std::filesystem::rename(partial, args.file, ec);
  if (ec)
    throw Error(ErrorCode::kBackend,
                fmt::format("cannot rename {} to {}: {}", partial, args.file, ec.message()));
  std::cerr << fmt::format("exported {} memories to {}\n", report.memories, args.file);
}

}  // namespace

void add_transfer_commands(CLI::App& app, Context& ctx) {
  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Load memories from JSON Lines (one memory per line), keeping their ids; safe to re-run");
  cmd->add_option("file", import_args->file, "The .jsonl file, or - for standard input")
      ->required();
  cmd->add_option("--batch-size", import_args->batch_size, "Memories per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--no-embed", import_args->no_embed,
                "Do not embed lines that carry no embedding (they are then found by text only)");
  cmd->callback([&ctx, import_args] { run_import(ctx, *import_args); });

  auto export_args = std::make_shared<ExportArgs>();
  cmd = app.add_subcommand("export", "Write every memory as JSON Lines, embeddings included");
  cmd->add_option("file", export_args->file, "Output file (default: standard output)");
  cmd->add_flag("--no-embeddings", export_args->no_embeddings, "Leave the embeddings out");
  cmd->callback([&ctx, export_args] { run_export(ctx, *export_args); });
}

}  // namespace vestige::cli
