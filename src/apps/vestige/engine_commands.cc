// review, consolidate, dream, gc: the engine's maintenance from the command
// line.

#include <fmt/format.h>

#include <iostream>

#include "apps/vestige/commands.h"
#include "engine/consolidation.h"
#include "engine/fsrs.h"
#include "engine/maintenance.h"
#include "engine/review.h"
#include "vestige/error.h"

namespace vestige::cli {

namespace {

Uuid parse_uuid(const std::string& text, std::string_view what) {
  const auto id = Uuid::parse(text);
  if (!id) {
    throw Error(ErrorCode::kUsage, fmt::format("\"{}\" is not a {} (expected a UUID such as "
                                               "0192f1a4-7b3c-7d2e-8f00-0123456789ab)",
                                               text, what));
  }
  return *id;
}

struct ReviewArgs {
  std::string id;
  int rating = 0;
};

void run_review(Context& ctx, const ReviewArgs& args) {
  const Uuid id = parse_uuid(args.id, "memory id");
  const engine::Scheduler scheduler;
  const engine::ReviewResult r =
      engine::review_memory(ctx.store(), scheduler, id, args.rating, now_utc());
  if (ctx.json()) {
    std::cout << engine::to_json(r).dump(2) << '\n';
    return;
  }
  std::cout << fmt::format(
      "reviewed {} with rating {}\n"
      "stability:   {:.2f} days\n"
      "difficulty:  {:.2f}\n"
      "state:       {} (reps {}, lapses {})\n"
      "next review: {} (in {} day{})\n",
      args.id, r.rating, r.state.stability, r.state.difficulty, r.state.state, r.state.reps,
      r.state.lapses, format_timestamp(r.state.next_review), r.interval_days,
      r.interval_days == 1 ? "" : "s");
}

struct ConsolidateArgs {
  bool dry_run = false;
  std::string undo;
  std::size_t max_memories = 0;
  int max_millis = 0;
};

void print_consolidation(const engine::ConsolidationReport& r) {
  std::cout << fmt::format(
      "{}examined {} memories: {} decayed, {} linked, {} weak edges pruned, {} merges{}\n",
      r.dry_run ? "dry run (nothing written): " : "", r.examined, r.decayed, r.linked, r.pruned,
      r.merges.size(),
      r.pass_complete ? "" : " (stopped by the budget before the end of the store)");
  for (const engine::MergeReport& m : r.merges) {
    std::vector<std::string> absorbed;
    for (const Uuid& id : m.absorbed_ids) absorbed.push_back(id.to_string());
    std::cout << fmt::format("merged {} into {} (similarity {:.3f})", fmt::join(absorbed, ", "),
                             m.kept_id.to_string(), m.similarity);
    if (!m.merge_id.is_nil()) {
      std::cout << fmt::format("; undo with: vestige consolidate --undo {}",
                               m.merge_id.to_string());
    }
    std::cout << '\n';
  }
}

void run_consolidate(Context& ctx, const ConsolidateArgs& args) {
  if (!args.undo.empty() && (args.dry_run || args.max_memories != 0 || args.max_millis != 0)) {
    throw Error(ErrorCode::kUsage,
                "--undo reverses one merge and takes no other option; run it on its own");
  }
  MemoryStore& store = ctx.store_for_writes();
  engine::ConsolidationOptions options = engine::consolidation_options(ctx.config().consolidation);
  options.dry_run = args.dry_run;
  engine::Consolidator consolidator(store, ctx.embedder(), options);

  if (!args.undo.empty()) {
    const engine::UndoReport r = consolidator.undo(parse_uuid(args.undo, "merge id"));
    if (ctx.json()) {
      std::cout << engine::to_json(r).dump(2) << '\n';
      return;
    }
    std::vector<std::string> restored;
    for (const Uuid& id : r.restored_ids) restored.push_back(id.to_string());
    std::cout << fmt::format("undid merge {}: {} restored as it was, {} restored\n", args.undo,
                             r.kept_id.to_string(), fmt::join(restored, ", "));
    return;
  }

  engine::SliceBudget budget;
  budget.max_memories = args.max_memories;
  budget.max_time = std::chrono::milliseconds(args.max_millis);
  const engine::ConsolidationReport r = consolidator.run(now_utc(), budget);
  if (ctx.json()) {
    std::cout << engine::to_json(r).dump(2) << '\n';
  } else {
    print_consolidation(r);
  }
}

struct DreamArgs {
  bool dry_run = false;
  int hours = 24;
};

void run_dream(Context& ctx, const DreamArgs& args) {
  engine::DreamOptions options;
  options.dry_run = args.dry_run;
  options.window = std::chrono::hours(args.hours);
  const engine::DreamReport r =
      engine::dream(ctx.store_for_writes(), ctx.embedder(), now_utc(), options);
  if (ctx.json()) {
    std::cout << engine::to_json(r).dump(2) << '\n';
    return;
  }
  std::cout << fmt::format(
      "{}looked at {} memories from the last {} hours: {} linked, {} summaries\n",
      r.dry_run ? "dry run (nothing written): " : "", r.examined, args.hours, r.linked,
      r.summaries.size());
  for (const engine::DreamSummary& summary : r.summaries) {
    std::cout << fmt::format(
        "{} ({} memories): {}\n",
        summary.id.is_nil() ? std::string("(not written)") : summary.id.to_string(),
        summary.members.size(), summary.content);
  }
}

struct GcArgs {
  bool remove = false;
  double max_retention = 0.1;
  bool keep_suppressed = false;
  std::size_t limit = 1000;
};

void run_gc(Context& ctx, const GcArgs& args) {
  engine::GcOptions options;
  options.dry_run = !args.remove;
  options.max_retention = args.max_retention;
  options.include_suppressed = !args.keep_suppressed;
  options.limit = args.limit;
  options.merge_record_lifetime = engine::merge_record_lifetime(ctx.config().consolidation);
  const engine::GcReport r = engine::gc(ctx.store(), now_utc(), options);
  if (ctx.json()) {
    std::cout << engine::to_json(r).dump(2) << '\n';
    return;
  }
  for (const engine::GcCandidate& c : r.candidates) {
    std::cout << fmt::format("{}  {}  {}\n", c.id.to_string(), c.reason, c.preview);
  }
  if (r.dry_run) {
    std::cout << fmt::format(
        "{} of {} memories would be deleted (dry run; add --delete to delete them)\n",
        r.candidates.size(), r.scanned);
  } else {
    std::cout << fmt::format("deleted {} of {} memories\n", r.deleted, r.scanned);
  }
}

}  // namespace

void add_engine_commands(CLI::App& app, Context& ctx) {
  auto review = std::make_shared<ReviewArgs>();
  CLI::App* cmd = app.add_subcommand(
      "review", "Record a spaced-repetition review of a memory (FSRS-6) and show its schedule");
  cmd->add_option("id", review->id, "Memory id")->required();
  cmd->add_option("--rating", review->rating, "1 again, 2 hard, 3 good, 4 easy")
      ->required()
      ->check(CLI::Range(1, 4));
  cmd->callback([&ctx, review] { run_review(ctx, *review); });

  auto consolidate = std::make_shared<ConsolidateArgs>();
  cmd = app.add_subcommand("consolidate",
                           "Decay, link related memories, merge near duplicates and prune weak "
                           "edges (one whole pass unless limited)");
  cmd->add_flag("--dry-run", consolidate->dry_run, "Report what would change; write nothing");
  cmd->add_option("--undo", consolidate->undo,
                  "Reverse the merge with this id (printed by an earlier run)");
  cmd->add_option("--max-memories", consolidate->max_memories,
                  "Examine at most this many memories (a slice; 0 = all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-millis", consolidate->max_millis,
                  "Stop after about this many milliseconds (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&ctx, consolidate] { run_consolidate(ctx, *consolidate); });

  auto dream = std::make_shared<DreamArgs>();
  cmd = app.add_subcommand("dream",
                           "Link recent memories and write extractive summaries of related groups");
  cmd->add_flag("--dry-run", dream->dry_run, "Report what would change; write nothing");
  cmd->add_option("--hours", dream->hours, "Look at memories stored in the last this many hours")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 365));
  cmd->callback([&ctx, dream] { run_dream(ctx, *dream); });

  auto gc = std::make_shared<GcArgs>();
  cmd = app.add_subcommand("gc",
                           "List memories that have faded out or are suppressed (merged away, "
                           "hidden) and merge records older than [consolidation] "
                           "merge_record_days; delete them only with --delete");
  cmd->add_flag("--delete", gc->remove, "Delete the listed memories with their links and reviews");
  cmd->add_option("--max-retention", gc->max_retention,
                  "List memories whose retention is at most this (0.1 = unavailable, 0.4 = "
                  "silent)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--keep-suppressed", gc->keep_suppressed,
                "Do not list suppressed memories (merged away or hidden)");
  cmd->add_option("--limit", gc->limit, "At most this many memories")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->callback([&ctx, gc] { run_gc(ctx, *gc); });
}

}  // namespace vestige::cli
