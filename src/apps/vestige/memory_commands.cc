// ingest (through the ingest gate), get, delete, search (alias recall: the
// engine's recall pipeline, or one of the store's searches with --mode).

#include <fmt/format.h>

#include <iostream>
#include <iterator>

#include "apps/vestige/commands.h"
#include "apps/vestige/output.h"
#include "engine/ingest.h"
#include "engine/recall.h"
#include "vestige/error.h"

namespace vestige::cli {

namespace {

Uuid parse_id(const std::string& text) {
  const auto id = Uuid::parse(text);
  if (!id) {
    throw Error(ErrorCode::kUsage, fmt::format("\"{}\" is not a memory id (expected a UUID such as "
                                               "0192f1a4-7b3c-7d2e-8f00-0123456789ab)",
                                               text));
  }
  return *id;
}

void print_json(const Json& j) {
  std::cout << j.dump(2) << '\n';
}

struct IngestArgs {
  std::vector<std::string> words;
  bool from_stdin = false;
  std::string node_type{kDefaultNodeType};
  std::string tags;
  std::string codebase;
  std::string metadata;
  bool force_create = false;
};

// The gate decides whether the text is new (create), a restatement
// (reinforce), an addition (update) or a correction (supersede) of a stored
// memory. The memory's id goes to stdout, alone, so that scripts can capture
// it; the decision and its reason go to stderr. --json prints both.
void run_ingest(Context& ctx, const IngestArgs& args) {
  engine::IngestItem item;
  if (args.from_stdin) {
    item.content.assign(std::istreambuf_iterator<char>(std::cin), {});
    while (!item.content.empty() && (item.content.back() == '\n' || item.content.back() == '\r')) {
      item.content.pop_back();
    }
  } else {
    item.content = fmt::format("{}", fmt::join(args.words, " "));
  }
  if (item.content.empty()) {
    throw Error(ErrorCode::kUsage, "nothing to ingest: give the text as arguments or use --stdin");
  }
  item.node_type = args.node_type;
  item.tags = split_list(args.tags);
  if (!args.codebase.empty()) item.codebase = args.codebase;
  if (!args.metadata.empty()) {
    try {
      item.metadata = Json::parse(args.metadata);
    } catch (const Json::exception& e) {
      throw Error(ErrorCode::kUsage, fmt::format("--metadata is not valid JSON: {}", e.what()));
    }
    if (!item.metadata.is_object()) {
      throw Error(ErrorCode::kUsage,
                  "--metadata must be a JSON object, e.g. '{\"source\":\"notes\"}'");
    }
  }
  item.force_create = args.force_create;
  MemoryStore& store = ctx.store_for_writes();
  engine::IngestGate gate(store, ctx.embedder());
  const engine::IngestResult result = gate.ingest(item, now_utc());
  if (ctx.json()) {
    Json j{{"decision", engine::decision_name(result.decision)},
           {"id", result.memory_id},
           {"reason", result.reason}};
    j["similarity"] = result.similarity ? Json(*result.similarity) : Json(nullptr);
    j["superseded_id"] = result.superseded_id ? Json(*result.superseded_id) : Json(nullptr);
    if (const std::optional<Memory> stored = store.get(result.memory_id)) {
      Json memory = *stored;
      memory.erase("embedding");
      j["memory"] = std::move(memory);
    }
    print_json(j);
  } else {
    std::cout << result.memory_id.to_string() << '\n';
    std::cerr << engine::decision_name(result.decision) << ": " << result.reason << '\n';
  }
}

struct SearchArgs {
  std::vector<std::string> words;
  std::size_t limit = 10;
  std::string tags;
  std::vector<std::string> types;
  std::string codebase;
  std::optional<double> min_retention;
  std::optional<double> min_retrievability;
  std::string mode = "recall";
};

// The default mode: the engine's recall pipeline, the same ranking an agent
// gets from the MCP recall tool (re-ranked by retention and recency, session
// neighbours as evidence, corrections above what they superseded). Like the
// tool, it records the returned memories as accessed: a person looking a
// memory up uses it as much as an agent does. Associations are left out, so
// that the output stays one ranked list of at most --limit matches.
void run_recall(Context& ctx, const SearchArgs& args, std::vector<std::string> node_types) {
  if (args.min_retrievability) {
    throw Error(ErrorCode::kUsage,
                "--min-retrievability filters the store's own search modes (--mode hybrid, text "
                "or vector); the recall pipeline filters on retention: use --min-retention");
  }
  if (args.limit > engine::kMaxRecallLimit) {
    throw Error(ErrorCode::kUsage,
                fmt::format("--limit {}: recall returns at most {} matches; use --mode hybrid "
                            "for a longer list",
                            args.limit, engine::kMaxRecallLimit));
  }
  engine::RecallRequest request;
  request.query = fmt::format("{}", fmt::join(args.words, " "));
  request.limit = args.limit;
  request.min_retention = args.min_retention;
  request.tags = split_list(args.tags);
  request.node_types = std::move(node_types);
  if (!args.codebase.empty()) request.codebase = args.codebase;
  request.detail = engine::DetailLevel::kFull;
  request.max_associations = 0;
  engine::validate(request);

  MemoryStore& store = ctx.store_for_writes();
  engine::Recaller recaller(store, ctx.embedder());
  const engine::RecallResult result = recaller.recall(request, now_utc());
  if (ctx.json()) {
    Json out = Json::array();
    for (const engine::RecalledMemory& m : result.matches) out.push_back(recalled_json(m));
    print_json(out);
    return;
  }
  if (result.matches.empty()) {
    std::cout << "no memories match\n";
    return;
  }
  for (const engine::RecalledMemory& m : result.matches) std::cout << render_recalled(m);
}

void run_search(Context& ctx, const SearchArgs& args) {
  std::vector<std::string> node_types;
  for (const std::string& t : args.types) {
    for (std::string& item : split_list(t)) node_types.push_back(std::move(item));
  }
  if (args.mode == "recall") {
    run_recall(ctx, args, std::move(node_types));
    return;
  }
  if (args.min_retention) {
    throw Error(ErrorCode::kUsage,
                "--min-retention belongs to the recall pipeline (the default mode); the store's "
                "search modes filter with --min-retrievability");
  }
  SearchQuery query;
  query.text = fmt::format("{}", fmt::join(args.words, " "));
  query.limit = args.limit;
  query.filter.tags = split_list(args.tags);
  query.filter.node_types = std::move(node_types);
  if (!args.codebase.empty()) query.filter.codebase = args.codebase;
  query.filter.min_retrievability = args.min_retrievability;

  MemoryStore& store = ctx.store();
  std::vector<SearchResult> results;
  if (args.mode == "text") {
    results = store.text_search(query);
  } else {
    Embedder* embedder = ctx.embedder_for_queries();
    if (embedder != nullptr) query.embedding = embedder->embed(query.text);
    if (args.mode == "vector") {
      if (!query.embedding) {
        throw Error(ErrorCode::kUsage,
                    "vector search needs stored embeddings, and this store has none yet; "
                    "ingest or import memories first, or use --mode text");
      }
      results = store.vector_search(query);
    } else {
      results = store.hybrid_search(query);
    }
  }
  if (ctx.json()) {
    Json out = Json::array();
    for (const SearchResult& r : results) out.push_back(r);
    print_json(out);
    return;
  }
  if (results.empty()) {
    std::cout << "no memories match\n";
    return;
  }
  for (std::size_t i = 0; i < results.size(); ++i)
    std::cout << render_search_result(i + 1, results[i]);
}

}  // namespace

void add_memory_commands(CLI::App& app, Context& ctx) {
  auto ingest = std::make_shared<IngestArgs>();
  CLI::App* cmd =
      app.add_subcommand("ingest",
                         "Store a memory through the ingest gate: new, reinforce, update or "
                         "supersede (prints the id; the decision goes to stderr)");
  cmd->add_option("text", ingest->words, "The memory's text (or use --stdin)");
  cmd->add_flag("--stdin", ingest->from_stdin, "Read the text from standard input");
  cmd->add_option("--type", ingest->node_type,
                  "Node type: fact, preference, decision, pattern, event, note, ...")
      ->capture_default_str();
  cmd->add_option("--tags", ingest->tags, "Comma-separated tags");
  cmd->add_option("--codebase", ingest->codebase, "Repository or project the memory belongs to");
  cmd->add_option("--metadata", ingest->metadata, "A JSON object stored with the memory");
  cmd->add_flag("--force-create", ingest->force_create,
                "Always store a new memory, skipping the ingest gate's duplicate, update and "
                "correction checks");
  cmd->callback([&ctx, ingest] { run_ingest(ctx, *ingest); });

  auto search = std::make_shared<SearchArgs>();
  cmd = app.add_subcommand("search",
                           "Find memories by text and meaning: the recall pipeline agents use "
                           "(records the results as accessed)");
  cmd->alias("recall");
  cmd->add_option("query", search->words, "What to look for")->required();
  cmd->add_option("--limit", search->limit,
                  "Maximum number of results (recall: up to 100; store modes: up to 1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--tags", search->tags,
                  "Only memories carrying all of these comma-separated tags");
  cmd->add_option("--type", search->types,
                  "Only memories of these node types (repeatable or comma-separated)");
  cmd->add_option("--codebase", search->codebase, "Only memories of this codebase");
  cmd->add_option("--min-retention", search->min_retention,
                  "recall mode: only memories whose retention now is at least this")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-retrievability", search->min_retrievability,
                  "store modes: only memories whose FSRS retrievability now is at least this")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--mode", search->mode,
                  "recall (the engine's ranking, as agents get it), or one of the store's own "
                  "searches, read-only: hybrid (fused text and vector), text, vector")
      ->capture_default_str()
      ->check(CLI::IsMember({"recall", "hybrid", "text", "vector"}));
  cmd->callback([&ctx, search] { run_search(ctx, *search); });

  auto get_id = std::make_shared<std::string>();
  cmd = app.add_subcommand("get", "Show one memory");
  cmd->add_option("id", *get_id, "Memory id")->required();
  cmd->callback([&ctx, get_id] {
    const auto memory = ctx.store().get(parse_id(*get_id));
    if (!memory) throw Error(ErrorCode::kNotFound, fmt::format("no memory with id {}", *get_id));
    if (ctx.json()) {
      print_json(*memory);
    } else {
      std::cout << render_memory(*memory);
    }
  });

  auto delete_id = std::make_shared<std::string>();
  cmd = app.add_subcommand("delete", "Delete one memory with its scheduling, reviews and links");
  cmd->add_option("id", *delete_id, "Memory id")->required();
  cmd->callback([&ctx, delete_id] {
    if (!ctx.store().remove(parse_id(*delete_id))) {
      throw Error(ErrorCode::kNotFound, fmt::format("no memory with id {}", *delete_id));
    }
    if (ctx.json()) {
      print_json(Json{{"deleted", *delete_id}});
    } else {
      std::cout << "deleted " << *delete_id << '\n';
    }
  });
}

}  // namespace vestige::cli
