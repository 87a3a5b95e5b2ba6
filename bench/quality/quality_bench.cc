// Retrieval quality: how much of the evidence each way of searching finds.
//
// Loads the corpus (corpus.json, written by make_corpus.py) into a fresh
// SQLite store through the ingest gate, one batch per session, so that each
// session's memories are linked by temporal edges as in real use. Then asks
// every question through each configuration and reports, over the questions:
//   recall@5, recall@10  the fraction of a question's evidence groups with a
//                        memory in the top 5 / top 10 (a group is the original
//                        memory plus restatements that ingest kept apart);
//   MRR                  the mean of 1 / rank of the first evidence memory
//                        (0 when none is in the top 10);
//   stale first          for questions about a corrected fact: the fraction
//                        where an outdated memory ranks above the current one
//                        (or is returned while the current one is not).
// Prints a table per configuration and per question category, then a JSON
// summary (to stdout, or to the file given with --json) that also lists each
// question's results under the main configurations.
//
//   quality_bench [--corpus FILE] [--embedder NAME] [--json FILE] [--details CONFIG]
//                 [--reinforce-threshold X] [--related-threshold X]
//                 [--correction-threshold X]
// --details prints the questions a configuration misses; the thresholds are
// the ingest gate's (engine/ingest.h), to measure what they do to recall.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/ingest.h"
#include "engine/recall.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "vestige/embedder.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige::quality {
namespace {

struct CorpusMemory {
  std::string key;
  std::string content;
  std::string node_type;
  std::vector<std::string> tags;
};

struct Session {
  std::string id;
  int day = 0;
  std::optional<std::string> codebase;
  std::vector<CorpusMemory> memories;
};

struct Question {
  std::string id;
  std::string category;
  std::string text;
  std::vector<std::vector<std::string>> evidence;  // groups of memory keys
  std::vector<std::string> stale;                  // outdated memory keys
};

struct Corpus {
  int days = 0;
  std::vector<Session> sessions;
  std::vector<Question> questions;
};

[[noreturn]] void corpus_error(const std::filesystem::path& path, const std::string& what) {
  throw Error(
      ErrorCode::kInvalidInput,
      fmt::format("{}: {}; regenerate it with bench/quality/make_corpus.py", path.string(), what));
}

Corpus load_corpus(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw Error(
        ErrorCode::kInvalidInput,
        fmt::format("cannot read the corpus {}; pass its path with --corpus", path.string()));
  }
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::exception& e) {
    corpus_error(path, fmt::format("not valid JSON ({})", e.what()));
  }
  Corpus corpus;
  std::set<std::string> keys;
  try {
    corpus.days = j.at("days").get<int>();
    for (const Json& s : j.at("sessions")) {
      Session session;
      session.id = s.at("id").get<std::string>();
      session.day = s.at("day").get<int>();
      if (!s.at("codebase").is_null()) session.codebase = s.at("codebase").get<std::string>();
      for (const Json& m : s.at("memories")) {
        CorpusMemory memory{m.at("key").get<std::string>(), m.at("content").get<std::string>(),
                            m.at("node_type").get<std::string>(),
                            m.at("tags").get<std::vector<std::string>>()};
        if (!keys.insert(memory.key).second)
          corpus_error(path, "memory key repeated: " + memory.key);
        session.memories.push_back(std::move(memory));
      }
      if (session.memories.empty() || session.memories.size() > engine::kMaxBatchItems) {
        corpus_error(path, fmt::format("session {} has {} memories (1 to {} allowed)", session.id,
                                       session.memories.size(), engine::kMaxBatchItems));
      }
      corpus.sessions.push_back(std::move(session));
    }
    for (const Json& q : j.at("questions")) {
      Question question{q.at("id").get<std::string>(), q.at("category").get<std::string>(),
                        q.at("question").get<std::string>(),
                        q.at("evidence").get<std::vector<std::vector<std::string>>>(),
                        q.at("stale").get<std::vector<std::string>>()};
      if (question.evidence.empty()) corpus_error(path, question.id + " has no evidence");
      for (const auto& group : question.evidence) {
        if (group.empty()) corpus_error(path, question.id + " has an empty evidence group");
        for (const std::string& key : group) {
          if (!keys.contains(key)) corpus_error(path, question.id + " names unknown memory " + key);
        }
      }
      corpus.questions.push_back(std::move(question));
    }
  } catch (const Json::exception& e) {
    corpus_error(path, fmt::format("unexpected layout ({})", e.what()));
  }
  return corpus;
}

// ---- Scoring ---------------------------------------------------------------

inline constexpr std::size_t kDepth = 10;

struct Score {
  double recall_at_5 = 0.0;
  double recall_at_10 = 0.0;
  double reciprocal_rank = 0.0;
  std::optional<bool> stale_first;  // correction questions only
};

struct Landed {
  std::map<std::string, Uuid> id_of_key;  // where each corpus memory ended up
  std::set<std::string> merged;           // keys that ingest reinforced or updated into another
  std::map<std::string, engine::IngestResult> result_of_key;
};

Score score(const Question& q, const std::vector<Uuid>& ranked, const Landed& landed) {
  auto rank_of = [&](const Uuid& id) -> std::optional<std::size_t> {
    const auto it = std::find(ranked.begin(), ranked.end(), id);
    if (it == ranked.end()) return std::nullopt;
    return static_cast<std::size_t>(it - ranked.begin()) + 1;
  };
  Score s;
  std::set<Uuid> evidence_ids;
  std::size_t found5 = 0, found10 = 0;
  std::optional<std::size_t> first;
  for (const auto& group : q.evidence) {
    std::optional<std::size_t> best;
    for (const std::string& key : group) {
      const Uuid& id = landed.id_of_key.at(key);
      evidence_ids.insert(id);
      const auto r = rank_of(id);
      if (r && (!best || *r < *best)) best = r;
    }
    if (best && *best <= 5) ++found5;
    if (best && *best <= 10) ++found10;
    if (best && (!first || *best < *first)) first = best;
  }
  const double groups = static_cast<double>(q.evidence.size());
  s.recall_at_5 = static_cast<double>(found5) / groups;
  s.recall_at_10 = static_cast<double>(found10) / groups;
  s.reciprocal_rank = first ? 1.0 / static_cast<double>(*first) : 0.0;
  if (!q.stale.empty()) {
    // An outdated memory that ingest merged into the current one is not stale.
    std::optional<std::size_t> stale_rank;
    for (const std::string& key : q.stale) {
      const Uuid& id = landed.id_of_key.at(key);
      if (evidence_ids.contains(id)) continue;
      const auto r = rank_of(id);
      if (r && (!stale_rank || *r < *stale_rank)) stale_rank = r;
    }
    s.stale_first = stale_rank && (!first || *stale_rank < *first);
  }
  return s;
}

struct Totals {
  std::size_t questions = 0;
  double recall_at_5 = 0.0;
  double recall_at_10 = 0.0;
  double reciprocal_rank = 0.0;
  std::size_t corrections = 0;
  std::size_t stale_first = 0;

  void add(const Score& s) {
    ++questions;
    recall_at_5 += s.recall_at_5;
    recall_at_10 += s.recall_at_10;
    reciprocal_rank += s.reciprocal_rank;
    if (s.stale_first) {
      ++corrections;
      if (*s.stale_first) ++stale_first;
    }
  }
  double mean(double sum) const { return questions ? sum / static_cast<double>(questions) : 0.0; }
  Json to_json() const {
    Json j = {{"questions", questions},
              {"recall_at_5", mean(recall_at_5)},
              {"recall_at_10", mean(recall_at_10)},
              {"mrr", mean(reciprocal_rank)}};
    if (corrections > 0) {
      j["stale_first"] = static_cast<double>(stale_first) / static_cast<double>(corrections);
    }
    return j;
  }
};

// ---- Configurations --------------------------------------------------------

// One way of searching: the ids it returns for a question, best first.
struct Configuration {
  std::string name;
  std::string description;
  std::function<std::vector<Uuid>(const Question&, const Embedding&)> search;
  bool headline = true;  // part of the main table (the rest is the weight sweep)
};

std::vector<Uuid> ids(const std::vector<SearchResult>& results) {
  std::vector<Uuid> out;
  for (const SearchResult& r : results) out.push_back(r.memory.id);
  return out;
}

// The engine's recall pipeline, read-only (no access recorded, so that one
// question does not change what the next one finds); matches only, since
// associations are listed apart from them.
std::function<std::vector<Uuid>(const Question&, const Embedding&)> pipeline(
    MemoryStore& store, Embedder& embedder, Timestamp now, engine::RecallOptions options) {
  auto recaller = std::make_shared<engine::Recaller>(store, embedder, nullptr, options);
  return [recaller, now](const Question& q, const Embedding&) {
    engine::RecallRequest request;
    request.query = q.text;
    request.limit = kDepth;
    request.record_access = false;
    std::vector<Uuid> out;
    for (const engine::RecalledMemory& m : recaller->recall(request, now).matches) {
      out.push_back(m.memory.id);
    }
    return out;
  };
}

std::vector<Configuration> configurations(MemoryStore& store, Embedder& embedder, Timestamp now) {
  auto query_for = [now](const Question& q) {
    SearchQuery query;
    query.text = q.text;
    query.limit = kDepth;
    query.now = now;
    return query;
  };
  std::vector<Configuration> out;
  out.push_back({"text", "store text_search (full-text branch alone)",
                 [&store, query_for](const Question& q, const Embedding&) {
                   return ids(store.text_search(query_for(q)));
                 }});
  out.push_back({"vector", "store vector_search (vector branch alone)",
                 [&store, query_for](const Question& q, const Embedding& e) {
                   SearchQuery query = query_for(q);
                   query.text.clear();
                   query.embedding = e;
                   return ids(store.vector_search(query));
                 }});
  auto hybrid = [&store, query_for](double text_weight, double vector_weight, int rrf_k) {
    return [&store, query_for, text_weight, vector_weight, rrf_k](const Question& q,
                                                                  const Embedding& e) {
      SearchQuery query = query_for(q);
      query.embedding = e;
      query.text_weight = text_weight;
      query.vector_weight = vector_weight;
      query.rrf_k = rrf_k;
      return ids(store.hybrid_search(query));
    };
  };
  const SearchQuery defaults;
  out.push_back({"hybrid", "store hybrid_search, default weights (RRF, equal weights, k = 60)",
                 hybrid(defaults.text_weight, defaults.vector_weight, defaults.rrf_k)});
  const engine::RecallOptions recall_defaults;
  out.push_back({"pipeline",
                 "engine Recaller, default options (re-ranking, session neighbours, "
                 "supersession)",
                 pipeline(store, embedder, now, recall_defaults)});
  engine::RecallOptions no_neighbours = recall_defaults;
  no_neighbours.neighbour_share = 0.0;
  no_neighbours.neighbour_expand = 0;
  out.push_back({"pipeline, no neighbours", "engine Recaller without session-neighbour evidence",
                 pipeline(store, embedder, now, no_neighbours)});
  engine::RecallOptions relevance_only = recall_defaults;
  relevance_only.retention_weight = 0.0;
  relevance_only.recency_weight = 0.0;
  out.push_back({"pipeline, relevance only",
                 "engine Recaller without the retention and recency re-rank",
                 pipeline(store, embedder, now, relevance_only), false});
  // Sweep of the pipeline's relevance weights and neighbour share.
  for (const auto& [text_weight, vector_weight, share] :
       std::vector<std::tuple<double, double, double>>{
           {0.8, 0.2, 0.3}, {0.4, 0.6, 0.3}, {0.6, 0.4, 0.15}, {0.6, 0.4, 0.5}, {0.8, 0.2, 0.5}}) {
    engine::RecallOptions options = recall_defaults;
    options.text_weight = text_weight;
    options.vector_weight = vector_weight;
    options.neighbour_share = share;
    out.push_back({fmt::format("pipeline t={} v={} n={}", text_weight, vector_weight, share),
                   "engine Recaller with these relevance weights and neighbour share",
                   pipeline(store, embedder, now, options), false});
  }
  // Weight sweep of the store's fusion: text weight fixed at 1.
  for (const int k : {60, 20, 10}) {
    const std::vector<double> vector_weights =
        k == 60 ? std::vector<double>{1.25, 0.75, 0.6, 0.5, 0.4, 0.35, 0.25, 0.1}
                : std::vector<double>{0.75, 0.5, 0.35, 0.25, 0.1};
    for (const double vector_weight : vector_weights) {
      out.push_back({fmt::format("hybrid t=1 v={} k={}", vector_weight, k),
                     "store hybrid_search with these weights", hybrid(1.0, vector_weight, k),
                     false});
    }
  }
  return out;
}

// ---- Running ---------------------------------------------------------------

struct Args {
  std::filesystem::path corpus = VESTIGE_QUALITY_CORPUS;
  std::string embedder = "builtin/hash-384";
  std::optional<std::filesystem::path> json;
  std::optional<std::string> details;
  engine::IngestOptions ingest;
};

double threshold(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double v = -1.0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < 0.0 || v > 1.0) {
    throw Error(ErrorCode::kUsage,
                fmt::format("{} {}: give a cosine similarity between 0 and 1", flag, text));
  }
  return v;
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        throw Error(ErrorCode::kUsage, fmt::format("{} needs a value", flag));
      }
      return argv[++i];
    };
    if (flag == "--corpus") {
      args.corpus = value();
    } else if (flag == "--embedder") {
      args.embedder = value();
    } else if (flag == "--json") {
      args.json = value();
    } else if (flag == "--details") {
      args.details = value();
    } else if (flag == "--reinforce-threshold") {
      args.ingest.reinforce_threshold = threshold(flag, value());
    } else if (flag == "--related-threshold") {
      args.ingest.related_threshold = threshold(flag, value());
    } else if (flag == "--correction-threshold") {
      args.ingest.correction_threshold = threshold(flag, value());
    } else {
      throw Error(ErrorCode::kUsage,
                  fmt::format("unknown argument {}; usage: quality_bench [--corpus FILE] "
                              "[--embedder NAME] [--json FILE] [--details CONFIG] "
                              "[--reinforce-threshold X] [--related-threshold X] "
                              "[--correction-threshold X]",
                              flag));
    }
  }
  return args;
}

int run(const Args& args) {
  const Corpus corpus = load_corpus(args.corpus);
  const auto embedder = resolve_embedder(args.embedder, {});
  testing::TempDir dir("vestige-quality");
  const auto store = open_sqlite_store({.path = dir.path() / "quality.db"});
  store->register_model(embedder->signature());

  // Session days are counted from a fixed start, so runs are comparable; the
  // questions are asked the day after the last session.
  const Timestamp start = from_unix_micros(1'767'225'600'000'000);  // 2026-01-01T00:00:00Z
  auto at_day = [start](int day, std::size_t minute) {
    return start + std::chrono::days(day) + std::chrono::minutes(minute);
  };
  const Timestamp now = at_day(corpus.days + 1, 0);

  engine::IngestGate gate(*store, *embedder, args.ingest);
  Landed landed;
  std::map<std::string, std::size_t> decisions;
  std::size_t memories = 0;
  const auto ingest_start = std::chrono::steady_clock::now();
  for (std::size_t si = 0; si < corpus.sessions.size(); ++si) {
    const Session& session = corpus.sessions[si];
    std::vector<engine::IngestItem> items;
    for (const CorpusMemory& m : session.memories) {
      engine::IngestItem item;
      item.content = m.content;
      item.node_type = m.node_type;
      item.tags = m.tags;
      item.codebase = session.codebase;
      item.session_id = session.id;
      items.push_back(std::move(item));
    }
    const auto results = gate.ingest_batch(items, at_day(session.day, si));
    for (std::size_t i = 0; i < results.size(); ++i) {
      landed.id_of_key[session.memories[i].key] = results[i].memory_id;
      landed.result_of_key[session.memories[i].key] = results[i];
      if (results[i].decision == engine::IngestDecision::kReinforce ||
          results[i].decision == engine::IngestDecision::kUpdate) {
        landed.merged.insert(session.memories[i].key);
      }
      ++decisions[std::string(engine::decision_name(results[i].decision))];
    }
    memories += items.size();
  }
  const double ingest_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ingest_start).count();
  const StoreStats stats = store->stats(now);

  std::size_t merged_evidence = 0, evidence = 0;
  for (const Question& q : corpus.questions) {
    for (const auto& group : q.evidence) {
      for (const std::string& key : group) {
        ++evidence;
        if (landed.merged.contains(key)) ++merged_evidence;
      }
    }
  }

  // What the gate made of the corrections (the evidence of questions that
  // have an outdated memory): only a supersede links the two and marks the
  // old one, which is what lets recall rank the current fact first.
  // The gate's precision and recall as a correction detector: a correction
  // is found when it superseded one of the memories it makes outdated; every
  // other supersede (of an unrelated memory, or by a text that corrects
  // nothing) is a false one.
  std::map<std::string, std::size_t> correction_decisions;
  std::vector<double> correction_similarities;
  std::size_t corrections_found = 0, correction_count = 0;
  for (const Question& q : corpus.questions) {
    if (q.stale.empty()) continue;
    ++correction_count;
    const engine::IngestResult& r = landed.result_of_key.at(q.evidence.front().front());
    ++correction_decisions[std::string(engine::decision_name(r.decision))];
    if (r.similarity) correction_similarities.push_back(*r.similarity);
    if (r.decision == engine::IngestDecision::kSupersede &&
        std::any_of(q.stale.begin(), q.stale.end(), [&](const std::string& key) {
          return landed.id_of_key.at(key) == r.superseded_id;
        })) {
      ++corrections_found;
    }
  }
  const std::size_t supersedes =
      decisions[std::string(engine::decision_name(engine::IngestDecision::kSupersede))];

  std::vector<Embedding> query_vectors;
  for (const Question& q : corpus.questions) query_vectors.push_back(embedder->embed(q.text));

  fmt::print("Corpus: {} memories in {} sessions -> {} stored memories, {} edges ({:.1f} s)\n",
             memories, corpus.sessions.size(), stats.memories, stats.edges, ingest_s);
  fmt::print("Ingest decisions:");
  for (const auto& [name, count] : decisions) fmt::print(" {} {}", name, count);
  fmt::print("\nCorrections:");
  for (const auto& [name, count] : correction_decisions) fmt::print(" {} {}", name, count);
  if (!correction_similarities.empty()) {
    std::sort(correction_similarities.begin(), correction_similarities.end());
    fmt::print(" (similarity to the nearest memory: min {:.2f}, median {:.2f}, max {:.2f})",
               correction_similarities.front(),
               correction_similarities[correction_similarities.size() / 2],
               correction_similarities.back());
  }
  fmt::print(
      "\nGate as a correction detector: {} supersedes, {} of them of an outdated memory; "
      "precision {}, recall {}/{}",
      supersedes, corrections_found,
      supersedes ? fmt::format("{:.2f}", static_cast<double>(corrections_found) /
                                             static_cast<double>(supersedes))
                 : std::string("-"),
      corrections_found, correction_count);
  fmt::print(
      "\nQuestions: {} ({} evidence memories, {} of them merged into another by ingest), "
      "embedder {}\n\n",
      corpus.questions.size(), evidence, merged_evidence, args.embedder);

  Json summary = {{"embedder", args.embedder},
                  {"ingest",
                   {{"reinforce_threshold", args.ingest.reinforce_threshold},
                    {"related_threshold", args.ingest.related_threshold},
                    {"correction_threshold", args.ingest.correction_threshold}}},
                  {"corpus",
                   {{"memories", memories},
                    {"sessions", corpus.sessions.size()},
                    {"stored_memories", stats.memories},
                    {"edges", stats.edges},
                    {"decisions", decisions},
                    {"correction_decisions", correction_decisions},
                    {"corrections", correction_count},
                    {"corrections_superseding_an_outdated_memory", corrections_found},
                    {"supersedes", supersedes},
                    {"evidence_memories", evidence},
                    {"evidence_merged_by_ingest", merged_evidence},
                    {"questions", corpus.questions.size()}}},
                  {"configurations", Json::array()}};
  std::set<std::string> categories;
  for (const Question& q : corpus.questions) categories.insert(q.category);

  // Per-question recall@10 of the first configuration (text), so that each
  // other one can be compared question by question: how many it answers
  // better and how many worse. With ~200 questions a difference of one or two
  // questions is within noise; the paired counts show whether a change helps
  // some questions without hurting others.
  std::vector<double> reference_r10;
  // Questions no headline configuration answers at all: the headroom that
  // needs more than words in common (a semantic embedder).
  std::vector<bool> answered(corpus.questions.size(), false);
  // Per question, each headline configuration's recall@10 and reciprocal
  // rank, so that two runs can be compared question by question.
  Json per_question = Json::array();
  for (const Question& q : corpus.questions) {
    per_question.push_back({{"id", q.id}, {"category", q.category}, {"question", q.text}});
  }
  fmt::print("{:<28} {:>6} {:>6} {:>6} {:>11} {:>10} {:>8}\n", "configuration", "R@5", "R@10",
             "MRR", "stale first", "vs text", "ms/query");
  bool details_found = !args.details;
  for (const Configuration& config : configurations(*store, *embedder, now)) {
    Totals all;
    std::vector<double> r10;
    std::size_t better = 0, worse = 0;
    std::map<std::string, Totals> by_category;
    const bool details = args.details && *args.details == config.name;
    details_found = details_found || details;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t qi = 0; qi < corpus.questions.size(); ++qi) {
      const Question& q = corpus.questions[qi];
      const Score s = score(q, config.search(q, query_vectors[qi]), landed);
      all.add(s);
      by_category[q.category].add(s);
      r10.push_back(s.recall_at_10);
      if (config.headline && s.recall_at_10 > 0.0) answered[qi] = true;
      if (config.headline) {
        per_question[qi]["results"][config.name] = {{"recall_at_10", s.recall_at_10},
                                                    {"reciprocal_rank", s.reciprocal_rank}};
      }
      if (!reference_r10.empty()) {
        if (s.recall_at_10 > reference_r10[qi]) ++better;
        if (s.recall_at_10 < reference_r10[qi]) ++worse;
      }
      if (details && s.recall_at_10 < 1.0) {
        fmt::print("  miss {} [{}] R@10 {:.2f}: {}\n", q.id, q.category, s.recall_at_10, q.text);
      }
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        static_cast<double>(corpus.questions.size());
    const bool is_reference = reference_r10.empty();
    fmt::print("{:<28} {:>6.3f} {:>6.3f} {:>6.3f} {:>11} {:>10} {:>8.2f}\n", config.name,
               all.mean(all.recall_at_5), all.mean(all.recall_at_10), all.mean(all.reciprocal_rank),
               all.corrections ? fmt::format("{}/{}", all.stale_first, all.corrections) : "-",
               is_reference ? "-" : fmt::format("+{}/-{}", better, worse), ms);
    Json entry = all.to_json();
    if (is_reference) {
      reference_r10 = r10;
    } else {
      entry["vs_text_recall_at_10"] = {{"better", better}, {"worse", worse}};
    }
    entry["name"] = config.name;
    entry["description"] = config.description;
    entry["headline"] = config.headline;
    entry["ms_per_query"] = ms;
    for (const auto& [category, totals] : by_category) {
      entry["by_category"][category] = totals.to_json();
    }
    summary["configurations"].push_back(std::move(entry));
  }
  const auto unanswered =
      static_cast<std::size_t>(std::count(answered.begin(), answered.end(), false));
  summary["unanswered_by_every_headline_configuration"] = unanswered;
  summary["questions"] = std::move(per_question);
  if (!details_found) {
    throw Error(ErrorCode::kUsage,
                fmt::format("--details {}: no such configuration (names are in the first column)",
                            *args.details));
  }

  fmt::print("\nBy category (R@5 / R@10):\n{:<28}", "configuration");
  for (const std::string& c : categories) fmt::print(" {:>17}", c);
  fmt::print("\n");
  for (const Json& entry : summary["configurations"]) {
    if (!entry["headline"].get<bool>()) continue;
    fmt::print("{:<28}", entry["name"].get<std::string>());
    for (const std::string& c : categories) {
      const Json& t = entry["by_category"][c];
      fmt::print(" {:>17}",
                 fmt::format("{:.3f} / {:.3f} ({})", t["recall_at_5"].get<double>(),
                             t["recall_at_10"].get<double>(), t["questions"].get<std::size_t>()));
    }
    fmt::print("\n");
  }

  fmt::print(
      "Questions with no evidence in the top 10 of any configuration in this table: {} of {}\n",
      unanswered, corpus.questions.size());

  if (args.json) {
    std::ofstream out(*args.json);
    out << summary.dump(2) << "\n";
    if (!out) {
      throw Error(ErrorCode::kInvalidInput,
                  fmt::format("cannot write {}; check the directory exists and is writable",
                              args.json->string()));
    }
  } else {
    fmt::print("\n{}\n", summary.dump(2));
  }
  return 0;
}

}  // namespace
}  // namespace vestige::quality

int main(int argc, char** argv) {
  try {
    return vestige::quality::run(vestige::quality::parse_args(argc, argv));
  } catch (const vestige::Error& e) {
    std::fprintf(stderr, "quality_bench: %s\n", e.what());
    return vestige::exit_code(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quality_bench: %s\n", e.what());
    return vestige::kExitFailure;
  }
}
