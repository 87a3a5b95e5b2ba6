#include "mcp/tools_maintain.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "engine/consolidation.h"
#include "engine/maintenance.h"
#include "ops/jsonl.h"
#include "vestige/error.h"

namespace vestige::mcp {
namespace {

namespace fs = std::filesystem;

Json input_schema() {
  return object_schema(
      Json{
          {"action",
           {{"type", "string"},
            {"enum", {"consolidate", "dream", "gc", "export", "undo_merge"}},
            {"description",
             "consolidate: decay, link related memories, merge near duplicates, prune weak "
             "edges; dream: link and summarise recent memories; gc: list (dry_run, the "
             "default) or delete faded and hidden memories and expired merge records; export: "
             "write every memory to "
             "'path' as JSON Lines; undo_merge: undo one consolidation merge"}}},
          {"dry_run",
           {{"type", "boolean"},
            {"description",
             "Report what would change without writing (gc: default true; "
             "consolidate, dream: default false)"}}},
          {"max_memories",
           {{"type", "integer"},
            {"minimum", 1},
            {"description",
             "consolidate: examine at most this many memories, continuing from "
             "where the last such call stopped (default: one whole pass)"}}},
          {"window_hours",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", 8760},
            {"description", "dream: memories created this recently (default 24)"}}},
          {"max_retention",
           {{"type", "number"},
            {"minimum", 0},
            {"maximum", 1},
            {"description",
             "gc: memories retained at most this much are candidates (default "
             "0.1, the unavailable state)"}}},
          {"path", string_schema("export: an absolute file path to write (must not exist yet)")},
          {"include_embeddings",
           {{"type", "boolean"}, {"description", "export: include vectors (default true)"}}},
          {"merge_id", id_schema("undo_merge: the merge id a consolidate report gave")},
      },
      {"action"});
}

engine::ConsolidationOptions consolidation_options(const ConsolidationConfig& config,
                                                   bool dry_run) {
  engine::ConsolidationOptions options = engine::consolidation_options(config);
  options.dry_run = dry_run;
  return options;
}

std::string consolidation_text(const engine::ConsolidationReport& r) {
  std::string text = fmt::format(
      "{}examined {} memories: {} decayed, {} linked, {} merged, {} edges pruned{} ({:.0f} ms)",
      r.dry_run ? "dry run: " : "", r.examined, r.decayed, r.linked, r.merges.size(), r.pruned,
      r.pass_complete ? "; pass complete" : "; more to do", r.elapsed_ms);
  for (const engine::MergeReport& m : r.merges) {
    text +=
        fmt::format("\nmerged {} memories into {}{}", m.absorbed_ids.size(), m.kept_id.to_string(),
                    m.merge_id.is_nil() ? "" : " (undo: merge_id " + m.merge_id.to_string() + ")");
  }
  return text;
}

ToolResult export_memories(ToolContext& context, const Json& args) {
  const auto path_arg = optional_string(args, "path");
  if (!path_arg || path_arg->empty()) {
    throw Error(ErrorCode::kInvalidInput, "action 'export' needs argument 'path'");
  }
  const fs::path path(*path_arg);
  if (!path.is_absolute()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("argument 'path' must be an absolute path; got \"{}\"", *path_arg));
  }
  if (fs::exists(path)) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("{} already exists; choose a new file name (export never overwrites)",
                            path.string()));
  }
  // Written beside the target and renamed into place, so a failed export
  // never leaves a partial file under the requested name.
  const fs::path partial = path.string() + ".partial";
  ops::ExportReport report;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error(ErrorCode::kInvalidInput,
                  fmt::format("cannot write {}: {}; check that the directory exists and is "
                              "writable",
                              partial.string(), std::strerror(errno)));
    }
    ops::ExportOptions options;
    options.include_embeddings = args.value("include_embeddings", true);
    try {
      report = ops::export_jsonl(context.store(), out, options);
      out.flush();
      if (!out) throw Error(ErrorCode::kBackend, "writing " + partial.string() + " failed");
    } catch (...) {
      out.close();
      std::error_code ignored;
      fs::remove(partial, ignored);
      throw;
    }
  }
  fs::rename(partial, path);
  return {fmt::format("exported {} memories to {}", report.memories, path.string()),
          Json{{"path", path.string()}, {"memories", report.memories}}};
}

}  // namespace

Maintenance::Maintenance(ToolContext& context, ConsolidationConfig config)
    : context_(context), config_(config) {}

Maintenance::~Maintenance() = default;

engine::Consolidator& Maintenance::background_consolidator() {
  if (!background_) {
    background_ = std::make_unique<engine::Consolidator>(
        context_.store_for_writes(), context_.embedder(), consolidation_options(config_, false));
  }
  return *background_;
}

bool Maintenance::run_background_slice() {
  if (!config_.auto_run || !context_.store_ready()) return false;
  try {
    if (!pass_running_) {
      activity_ += context_.take_activity();
      const bool enough_activity =
          config_.every_ingests > 0 && activity_ >= static_cast<std::size_t>(config_.every_ingests);
      const bool long_enough =
          config_.every_minutes > 0 && std::chrono::steady_clock::now() - last_pass_ >=
                                           std::chrono::minutes(config_.every_minutes);
      if (!enough_activity && !long_enough) return false;
      activity_ = 0;
      pass_running_ = true;
      background_consolidator().restart_pass();
      spdlog::debug("automatic consolidation: pass started");
    }
    engine::SliceBudget budget;
    budget.max_memories = static_cast<std::size_t>(config_.max_memories_per_run);
    budget.max_time = std::chrono::milliseconds(config_.max_millis_per_run);
    const engine::ConsolidationReport report = background_consolidator().run(now_utc(), budget);
    if (report.linked + report.merges.size() + report.pruned > 0) {
      spdlog::info("automatic consolidation: {}", consolidation_text(report));
    }
    if (report.pass_complete) {
      pass_running_ = false;
      last_pass_ = std::chrono::steady_clock::now();
      spdlog::debug("automatic consolidation: pass complete");
    }
  } catch (const std::exception& e) {
    spdlog::warn("automatic consolidation stopped: {}", e.what());
    pass_running_ = false;
    last_pass_ = std::chrono::steady_clock::now();
    background_.reset();
  }
  return pass_running_;
}

void Maintenance::register_tool(Server& server) {
  server.add_tool(Tool{
      .name = "maintain",
      .description =
          "Housekeeping of the memory store: consolidate (apply decay, link related memories, "
          "merge near duplicates reversibly, prune weak edges; also runs automatically), "
          "dream (link and summarise recent memories), gc (list, or with dry_run false "
          "delete, memories that have faded out and merge records past their lifetime), export "
          "(JSON Lines backup), undo_merge.",
      .input_schema = input_schema(),
      .handler = [this](const Json& args) -> ToolResult {
        const std::string action = args["action"].get<std::string>();
        const Timestamp now = now_utc();
        if (action == "consolidate") {
          const bool dry_run = args.value("dry_run", false);
          engine::Consolidator consolidator(context_.store_for_writes(), context_.embedder(),
                                            consolidation_options(config_, dry_run));
          engine::ConsolidationReport report;
          if (args.contains("max_memories")) {
            engine::SliceBudget budget;
            budget.max_memories = args["max_memories"].get<std::size_t>();
            report = consolidator.run(now, budget);
          } else {
            report = consolidator.run_pass(now);
          }
          return {consolidation_text(report), engine::to_json(report)};
        }
        if (action == "dream") {
          engine::DreamOptions options;
          options.dry_run = args.value("dry_run", false);
          if (args.contains("window_hours")) {
            options.window = std::chrono::hours(args["window_hours"].get<int>());
          }
          const engine::DreamReport report =
              engine::dream(context_.store_for_writes(), context_.embedder(), now, options);
          std::string text = fmt::format("{}examined {} recent memories: {} linked, {} summaries",
                                         report.dry_run ? "dry run: " : "", report.examined,
                                         report.linked, report.summaries.size());
          for (const engine::DreamSummary& s : report.summaries) {
            text += fmt::format("\nsummary of {} memories: {}", s.members.size(),
                                excerpt(s.content, 300));
          }
          return {text, engine::to_json(report)};
        }
        if (action == "gc") {
          engine::GcOptions options;
          options.dry_run = args.value("dry_run", true);
          if (args.contains("max_retention")) {
            options.max_retention = args["max_retention"].get<double>();
          }
          options.merge_record_lifetime = engine::merge_record_lifetime(config_);
          const engine::GcReport report = engine::gc(context_.store(), now, options);
          std::string text = fmt::format(
              "{} {} of {} memories", report.dry_run ? "would delete" : "deleted",
              report.dry_run ? report.candidates.size() : report.deleted, report.scanned);
          for (const engine::GcCandidate& c : report.candidates) {
            text +=
                fmt::format("\n{} [{}] {}: {}", c.id.to_string(), c.node_type, c.reason, c.preview);
          }
          if (report.dry_run && !report.candidates.empty()) {
            text += "\nrun again with dry_run false to delete them";
          }
          return {text, engine::to_json(report)};
        }
        if (action == "export") return export_memories(context_, args);
        const Uuid merge_id = parse_id(require_argument(args, "merge_id", action), "merge_id");
        engine::Consolidator consolidator(context_.store_for_writes(), context_.embedder(),
                                          consolidation_options(config_, false));
        const engine::UndoReport report = consolidator.undo(merge_id);
        return {fmt::format("undid merge {}: {} memories restored beside {}", merge_id.to_string(),
                            report.restored_ids.size(), report.kept_id.to_string()),
                engine::to_json(report)};
      }});
}

}  // namespace vestige::mcp
