#include "engine/recall.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/ingest.h"
#include "engine/strength.h"
#include "vestige/error.h"

namespace vestige::engine {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidInput, "recall: " + message);
}

// Chain of successors followed when a superseded memory matched: a fact
// corrected more often than this is rare, and the walk must end.
constexpr int kMaxSuccessorChain = 8;

// Keeps a superseded memory strictly below its successor.
constexpr double kBelowSuccessor = 0.999;

std::string short_id(const Uuid& id) {
  return id.to_string().substr(0, 8);
}

// `text` cut to at most `max_chars` bytes on a UTF-8 character boundary,
// with "..." appended when something was cut.
std::string cut(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  std::size_t end = max_chars;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string render(const std::string& content, DetailLevel level) {
  switch (level) {
    case DetailLevel::kBrief: {
      const std::size_t newline = content.find('\n');
      if (newline == std::string::npos) return cut(content, kBriefChars);
      // The first line alone, marked as cut since more follows.
      std::string first = cut(std::string_view(content).substr(0, newline), kBriefChars);
      if (!first.ends_with("...")) first += "...";
      return first;
    }
    case DetailLevel::kSummary:
      return cut(content, kSummaryChars);
    case DetailLevel::kFull:
      return content;
  }
  return content;
}

bool has_all_tags(const Memory& m, const std::vector<std::string>& tags) {
  return std::all_of(tags.begin(), tags.end(), [&](const std::string& t) {
    return std::find(m.tags.begin(), m.tags.end(), t) != m.tags.end();
  });
}

// The request's store-level filters, for memories that did not come from
// the search (neighbours, successors, associations).
bool passes_filters(const Memory& m, const RecallRequest& request) {
  if (m.engine.suppressed) return false;
  if (!has_all_tags(m, request.tags)) return false;
  if (!request.node_types.empty() && std::find(request.node_types.begin(), request.node_types.end(),
                                               m.node_type) == request.node_types.end()) {
    return false;
  }
  if (request.codebase && m.codebase != request.codebase) return false;
  if (!request.include_superseded && m.engine.superseded_by) return false;
  return true;
}

double cosine(const Embedding& a, const std::optional<Embedding>& b) {
  if (!b || b->size() != a.size()) return 0.0;
  double dot = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) dot += static_cast<double>(a[i]) * (*b)[i];
  return dot;  // both are L2-normalised (Embedder contract)
}

Json memory_json(const RecalledMemory& r, DetailLevel detail) {
  Json j;
  j["id"] = r.memory.id;
  j["kind"] = result_kind_name(r.kind);
  j["rank"] = r.rank;
  j["score"] = r.score;
  j["node_type"] = r.memory.node_type;
  j["content"] = r.text;
  j["superseded"] = r.superseded_by.has_value();
  if (r.superseded_by) j["superseded_by"] = *r.superseded_by;
  if (detail != DetailLevel::kBrief) {
    j["tags"] = r.memory.tags;
    j["codebase"] = r.memory.codebase ? Json(*r.memory.codebase) : Json(nullptr);
    j["created_at"] = format_timestamp(r.memory.created_at);
    j["retention"] = r.retention;
    j["state"] = r.state;
  }
  if (detail == DetailLevel::kFull) {
    j["metadata"] = r.memory.metadata;
    j["updated_at"] = format_timestamp(r.memory.updated_at);
    j["engine"] = r.memory.engine;
  }
  Json why;
  if (r.why.text_rank) why["text_rank"] = *r.why.text_rank;
  if (r.why.vector_rank) why["vector_rank"] = *r.why.vector_rank;
  if (r.why.text_score) why["text_score"] = *r.why.text_score;
  if (r.why.vector_similarity) why["vector_similarity"] = *r.why.vector_similarity;
  why["text_relevance"] = r.why.text_relevance;
  why["neighbour_evidence"] = r.why.neighbour_evidence;
  if (r.why.evidence_from) why["evidence_from"] = *r.why.evidence_from;
  why["relevance"] = r.why.relevance;
  why["retention"] = r.why.retention;
  why["recency"] = r.why.recency;
  if (r.why.pulled_in_as_successor) why["successor_of_match"] = true;
  if (r.why.activation) {
    why["activation"] = *r.why.activation;
    Json path = Json::array();
    for (const Edge& e : r.why.association_path) {
      path.push_back({{"source_id", e.source_id},
                      {"target_id", e.target_id},
                      {"edge_type", e.edge_type},
                      {"weight", e.weight}});
    }
    why["association_path"] = std::move(path);
  }
  why["summary"] = r.why.summary;
  j["why"] = std::move(why);
  return j;
}

}  // namespace

std::string_view detail_level_name(DetailLevel level) {
  switch (level) {
    case DetailLevel::kBrief:
      return "brief";
    case DetailLevel::kSummary:
      return "summary";
    case DetailLevel::kFull:
      return "full";
  }
  return "summary";
}

std::optional<DetailLevel> parse_detail_level(std::string_view name) {
  if (name == "brief") return DetailLevel::kBrief;
  if (name == "summary") return DetailLevel::kSummary;
  if (name == "full") return DetailLevel::kFull;
  return std::nullopt;
}

std::string_view result_kind_name(ResultKind kind) {
  return kind == ResultKind::kMatch ? "match" : "association";
}

std::size_t estimate_tokens(std::string_view text) {
  return (text.size() + kCharsPerToken - 1) / kCharsPerToken;
}

void validate(const RecallRequest& request) {
  if (request.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    invalid("the query is empty; give the words or question to search the memories for");
  }
  if (request.limit < 1 || request.limit > kMaxRecallLimit) {
    invalid(fmt::format("limit must be between 1 and {}, not {}", kMaxRecallLimit, request.limit));
  }
  if (request.min_retention && !(*request.min_retention >= 0.0 && *request.min_retention <= 1.0)) {
    invalid(fmt::format("min_retention must be between 0 and 1, not {}", *request.min_retention));
  }
  if (request.token_budget && *request.token_budget == 0) {
    invalid("token_budget must be at least 1 (leave it out for no budget)");
  }
  if (request.max_associations > kMaxRecallLimit) {
    invalid(fmt::format("max_associations must be at most {}, not {}", kMaxRecallLimit,
                        request.max_associations));
  }
}

struct Recaller::Candidate {
  Memory memory;  // without its embedding
  RecallWhy why;
  double score = 0.0;
  bool pruned = false;  // cannot reach the top `limit`; left unscored
};

Recaller::Recaller(MemoryStore& store, Embedder& embedder, QueryEmbeddingCache* cache,
                   RecallOptions options, AccessRecorder* recorder)
    : store_(store),
      embedder_(embedder),
      cache_(cache),
      options_(std::move(options)),
      recorder_(recorder) {
  validate(options_.activation);
  if (options_.rrf_k < 1) invalid(fmt::format("rrf_k must be at least 1, not {}", options_.rrf_k));
}

Embedding Recaller::embed_query(std::string_view query) {
  return cache_ != nullptr ? cache_->get_or_embed(embedder_, query) : embedder_.embed(query);
}

RecallResult Recaller::recall(const RecallRequest& request, Timestamp now) {
  validate(request);
  const auto started = std::chrono::steady_clock::now();
  const Embedding query_vector = embed_query(request.query);

  // 1. Search.
  SearchQuery query;
  query.text = request.query;
  query.embedding = query_vector;
  query.limit = std::max(request.limit * options_.overfetch, options_.min_candidates);
  if (request.min_retention) query.limit *= 2;
  query.filter.tags = request.tags;
  query.filter.node_types = request.node_types;
  query.filter.codebase = request.codebase;
  query.now = now;

  std::vector<Candidate> candidates;
  std::unordered_map<Uuid, std::size_t> index;
  double best_text = 0.0;
  for (SearchResult& hit : store_.hybrid_search(query)) {
    Candidate c;
    c.why.text_rank = hit.text_rank;
    c.why.vector_rank = hit.vector_rank;
    c.why.text_score = hit.text_score;
    if (hit.vector_distance) {
      c.why.vector_similarity = std::clamp(1.0 - *hit.vector_distance, 0.0, 1.0);
    }
    if (hit.text_score) best_text = std::max(best_text, *hit.text_score);
    c.memory = std::move(hit.memory);
    c.memory.embedding.reset();
    index.emplace(c.memory.id, candidates.size());
    candidates.push_back(std::move(c));
  }
  const double weight_sum = options_.text_weight + options_.vector_weight;
  auto base_relevance = [&](const Candidate& c) {
    if (options_.fusion == RecallOptions::Fusion::kRanks) {
      const double k = options_.rrf_k;
      const double best = weight_sum / (k + 1.0);
      double fused = 0.0;
      if (c.why.text_rank) fused += options_.text_weight / (k + *c.why.text_rank);
      if (c.why.vector_rank) fused += options_.vector_weight / (k + *c.why.vector_rank);
      return best > 0.0 ? fused / best : 0.0;
    }
    const double vector = c.why.vector_similarity.value_or(0.0);
    return weight_sum > 0.0
               ? (options_.text_weight * c.why.text_relevance + options_.vector_weight * vector) /
                     weight_sum
               : 0.0;
  };
  for (Candidate& c : candidates) {
    if (c.why.text_score && best_text > 0.0) {
      c.why.text_relevance = std::max(0.0, *c.why.text_score) / best_text;
    }
    c.why.relevance = base_relevance(c);
  }

  // 2. Temporal neighbours. Evidence flows from a text match to the memories
  // stored just before and after it, so only the best text matches' edges are
  // read (one store call each); a neighbour the search missed joins the
  // candidates on that evidence.
  if (options_.neighbour_share > 0.0 && options_.neighbour_expand > 0) {
    std::vector<std::size_t> sources;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i].why.text_relevance > 0.0) sources.push_back(i);
    }
    std::stable_sort(sources.begin(), sources.end(), [&](std::size_t a, std::size_t b) {
      return candidates[a].why.text_relevance > candidates[b].why.text_relevance;
    });
    if (sources.size() > options_.neighbour_expand) sources.resize(options_.neighbour_expand);
    std::vector<std::pair<std::size_t, Uuid>> pairs;  // source index, neighbour
    std::vector<Uuid> missing;
    for (const std::size_t source : sources) {
      const Uuid& id = candidates[source].memory.id;
      for (const Edge& e : store_.edges(id, EdgeDirection::kBoth)) {
        if (e.edge_type != kTemporalEdge) continue;
        const Uuid& other = e.source_id == id ? e.target_id : e.source_id;
        pairs.emplace_back(source, other);
        if (!index.contains(other)) missing.push_back(other);
      }
    }
    for (Memory& m : store_.get_batch(missing)) {
      if (index.contains(m.id) || !passes_filters(m, request)) continue;
      Candidate c;
      c.why.vector_similarity = std::clamp(cosine(query_vector, m.embedding), 0.0, 1.0);
      c.memory = std::move(m);
      c.memory.embedding.reset();
      c.why.relevance = base_relevance(c);
      index.emplace(c.memory.id, candidates.size());
      candidates.push_back(std::move(c));
    }
    for (const auto& [source, other] : pairs) {
      auto it = index.find(other);
      if (it == index.end()) continue;
      const Candidate& from = candidates[source];
      Candidate& to = candidates[it->second];
      const double evidence = options_.neighbour_share * from.why.text_relevance;
      if (evidence > to.why.neighbour_evidence) {
        to.why.neighbour_evidence = evidence;
        to.why.evidence_from = from.memory.id;
      }
    }
  }

  // 3. Successors of superseded matches that the search missed.
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    std::optional<Uuid> next = candidates[i].memory.engine.superseded_by;
    for (int step = 0; next && step < kMaxSuccessorChain; ++step) {
      if (index.contains(*next)) break;
      std::optional<Memory> successor = store_.get(*next);
      if (!successor || !passes_filters(*successor, request)) break;
      Candidate c;
      c.why.vector_similarity = std::clamp(cosine(query_vector, successor->embedding), 0.0, 1.0);
      c.why.pulled_in_as_successor = true;
      c.memory = std::move(*successor);
      c.memory.embedding.reset();
      c.why.relevance = base_relevance(c);
      next = c.memory.engine.superseded_by;
      index.emplace(c.memory.id, candidates.size());
      candidates.push_back(std::move(c));
    }
  }

  // 4. Re-rank by retention and recency. Retention needs the memory's
  // scheduling row (a store call each), so it is read only for candidates that
  // can still reach the top `limit`: with retention unknown a score lies
  // between relevance x (base + recency part) and that plus relevance x
  // retention_weight, and a candidate whose upper bound is below the limit-th
  // best lower bound cannot make it. Superseded memories and their successors
  // are always scored (step 5 moves their scores), and with min_retention
  // every candidate is, since the filter may remove better ones.
  std::unordered_set<Uuid> in_supersession;
  for (const Candidate& c : candidates) {
    if (c.memory.engine.superseded_by) {
      in_supersession.insert(c.memory.id);
      in_supersession.insert(*c.memory.engine.superseded_by);
    }
  }
  std::vector<double> lower_bounds;
  for (Candidate& c : candidates) {
    c.why.relevance += c.why.neighbour_evidence;
    const double age_days = std::max(0.0, days_between(c.memory.created_at, now));
    c.why.recency = std::pow(0.5, age_days / options_.recency_half_life_days);
    if (!c.memory.engine.superseded_by && !c.memory.engine.suppressed) {
      lower_bounds.push_back(c.why.relevance *
                             (options_.base_weight + options_.recency_weight * c.why.recency));
    }
  }
  double cutoff = 0.0;
  if (!request.min_retention && lower_bounds.size() >= request.limit) {
    std::nth_element(lower_bounds.begin(), lower_bounds.begin() + (request.limit - 1),
                     lower_bounds.end(), std::greater<>());
    cutoff = lower_bounds[request.limit - 1];
  }
  for (Candidate& c : candidates) {
    const double lower =
        c.why.relevance * (options_.base_weight + options_.recency_weight * c.why.recency);
    if (lower + c.why.relevance * options_.retention_weight < cutoff &&
        !in_supersession.contains(c.memory.id)) {
      c.pruned = true;
      continue;
    }
    c.why.retention =
        retention_at(c.memory.engine, c.memory.created_at, store_.get_scheduling(c.memory.id), now);
    c.score = lower + c.why.relevance * options_.retention_weight * c.why.retention;
  }

  // 5. Supersession: a successor is at least as relevant as what it replaced
  // (the query was about that fact, and this is its current form); the
  // replaced one is penalised and kept below it. Chains are short, so a few
  // passes settle them.
  for (int pass = 0; pass < kMaxSuccessorChain; ++pass) {
    for (Candidate& c : candidates) {
      if (!c.memory.engine.superseded_by) continue;
      auto it = index.find(*c.memory.engine.superseded_by);
      if (it != index.end()) {
        candidates[it->second].score = std::max(candidates[it->second].score, c.score);
      }
    }
  }
  for (Candidate& c : candidates) {
    if (c.memory.engine.superseded_by) c.score *= options_.superseded_factor;
  }
  for (int pass = 0; pass < kMaxSuccessorChain; ++pass) {
    for (Candidate& c : candidates) {
      if (!c.memory.engine.superseded_by) continue;
      auto it = index.find(*c.memory.engine.superseded_by);
      if (it != index.end()) {
        c.score = std::min(c.score, candidates[it->second].score * kBelowSuccessor);
      }
    }
  }

  // 6. min_retention, order, limit.
  std::vector<const Candidate*> ranked;
  for (const Candidate& c : candidates) {
    if (c.pruned || c.memory.engine.suppressed) continue;
    // Dropped only now, so that a superseded match still brought in its successor.
    if (!request.include_superseded && c.memory.engine.superseded_by) continue;
    if (request.min_retention && c.why.retention < *request.min_retention) continue;
    if (c.score <= 0.0) continue;
    ranked.push_back(&c);
  }
  std::sort(ranked.begin(), ranked.end(), [](const Candidate* a, const Candidate* b) {
    if (a->score != b->score) return a->score > b->score;
    return a->memory.id < b->memory.id;
  });
  if (ranked.size() > request.limit) ranked.resize(request.limit);

  RecallResult result;
  result.query = request.query;
  result.detail = request.detail;
  result.token_budget = request.token_budget;
  result.candidates = candidates.size();

  auto make = [&](ResultKind kind, std::size_t rank, double score, Memory memory, RecallWhy why) {
    RecalledMemory r;
    r.kind = kind;
    r.rank = rank;
    r.score = score;
    r.retention = why.retention;
    r.state = std::string(state_name(memory_state(why.retention)));
    r.superseded_by = memory.engine.superseded_by;
    r.text = render(memory.content, request.detail);
    r.tokens = estimate_tokens(r.text) + kResultOverheadTokens;
    r.memory = std::move(memory);
    r.why = std::move(why);
    return r;
  };

  std::vector<RecalledMemory> matches;
  for (const Candidate* c : ranked) {
    RecallWhy why = c->why;
    std::string summary;
    if (why.text_rank) {
      summary += fmt::format("text rank {} (relevance {:.2f})", *why.text_rank, why.text_relevance);
    }
    if (why.vector_rank) {
      if (!summary.empty()) summary += ", ";
      summary += fmt::format("vector rank {} (cosine {:.2f})", *why.vector_rank,
                             why.vector_similarity.value_or(0.0));
    }
    if (why.pulled_in_as_successor) {
      if (!summary.empty()) summary += ", ";
      summary += "the current version of a matching memory it supersedes";
    }
    if (why.neighbour_evidence > 0.0 && why.evidence_from) {
      if (!summary.empty()) summary += ", ";
      summary += fmt::format("session neighbour {} matches (evidence {:.2f})",
                             short_id(*why.evidence_from), why.neighbour_evidence);
    }
    summary += fmt::format("; retention {:.2f}, recency {:.2f}", why.retention, why.recency);
    if (c->memory.engine.superseded_by) {
      summary += fmt::format("; superseded by {}", short_id(*c->memory.engine.superseded_by));
    }
    why.summary = std::move(summary);
    matches.push_back(make(ResultKind::kMatch, matches.size() + 1, c->score, c->memory, why));
  }

  // 7. Associations from the best matches.
  std::vector<RecalledMemory> associations;
  if (request.max_associations > 0 && !matches.empty()) {
    std::vector<ActivationSeed> seeds;
    const double top = matches.front().score;
    for (const RecalledMemory& m : matches) {
      if (seeds.size() == options_.association_seeds) break;
      const double activation = top > 0.0 ? std::clamp(m.score / top, 0.0, 1.0) : 1.0;
      if (activation > 0.0) seeds.push_back({m.memory.id, activation});
    }
    std::unordered_set<Uuid> returned;
    for (const RecalledMemory& m : matches) returned.insert(m.memory.id);
    std::vector<Activation> reached = spread_activation(store_, seeds, options_.activation);
    std::erase_if(reached, [&](const Activation& a) { return returned.contains(a.id); });
    // Read a few more than needed: some will be filtered out.
    if (reached.size() > request.max_associations * 3) {
      reached.resize(request.max_associations * 3);
    }
    std::vector<Uuid> ids;
    for (const Activation& a : reached) ids.push_back(a.id);
    std::unordered_map<Uuid, Memory> rows;
    for (Memory& m : store_.get_batch(ids)) {
      m.embedding.reset();
      rows.emplace(m.id, std::move(m));
    }
    for (Activation& a : reached) {
      if (associations.size() == request.max_associations) break;
      auto row = rows.find(a.id);
      if (row == rows.end() || !passes_filters(row->second, request)) continue;
      RecallWhy why;
      why.retention = retention_at(row->second.engine, row->second.created_at,
                                   store_.get_scheduling(a.id), now);
      if (request.min_retention && why.retention < *request.min_retention) continue;
      why.recency = std::pow(0.5, std::max(0.0, days_between(row->second.created_at, now)) /
                                      options_.recency_half_life_days);
      why.activation = a.activation;
      std::string path;
      for (const Edge& e : a.path) {
        path += fmt::format(" -> {} ({:.2f})", e.edge_type, e.weight);
      }
      why.summary =
          fmt::format("associated with match {} via{}; activation {:.2f}, retention {:.2f}",
                      short_id(a.seed), path, a.activation, why.retention);
      if (row->second.engine.superseded_by) {
        why.summary +=
            fmt::format("; superseded by {}", short_id(*row->second.engine.superseded_by));
      }
      why.association_path = std::move(a.path);
      associations.push_back(make(ResultKind::kAssociation, associations.size() + 1, a.activation,
                                  std::move(row->second), std::move(why)));
    }
  }

  // 8. Token budget: rank order, matches before associations; the first
  // result that does not fit ends the listing, so what is shown is always a
  // prefix of the ranking and nothing below a missing result is shown.
  bool full = false;
  auto take = [&](std::vector<RecalledMemory>& from, std::vector<RecalledMemory>& to) {
    for (RecalledMemory& r : from) {
      if (!full && request.token_budget && result.tokens_used + r.tokens > *request.token_budget) {
        full = true;
      }
      if (full) {
        result.expandable.push_back(r.memory.id);
        continue;
      }
      result.tokens_used += r.tokens;
      to.push_back(std::move(r));
    }
  };
  take(matches, result.matches);
  take(associations, result.associations);

  // 9. Access: the agent saw these memories again (testing effect).
  if (request.record_access) {
    std::vector<Uuid> seen;
    for (const RecalledMemory& r : result.matches) seen.push_back(r.memory.id);
    for (const RecalledMemory& r : result.associations) seen.push_back(r.memory.id);
    if (recorder_ != nullptr) {
      recorder_->record(seen, now);
    } else {
      std::vector<std::pair<Uuid, Timestamp>> accesses;
      for (const Uuid& id : seen) accesses.emplace_back(id, now);
      record_accesses(store_, accesses);
    }
  }

  result.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::vector<Activation> Recaller::associations_for_query(std::string_view query, std::size_t seeds,
                                                         const ActivationOptions& activation,
                                                         Timestamp now) {
  if (query.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    invalid("the query is empty; give the words to find the memories to start from");
  }
  if (seeds < 1 || seeds > kMaxRecallLimit) {
    invalid(fmt::format("seeds must be between 1 and {}, not {}", kMaxRecallLimit, seeds));
  }
  validate(activation);
  SearchQuery search;
  search.text = std::string(query);
  search.embedding = embed_query(query);
  search.limit = seeds;
  search.now = now;
  std::vector<ActivationSeed> start;
  const std::vector<SearchResult> hits = store_.hybrid_search(search);
  for (const SearchResult& hit : hits) {
    const double top = hits.front().score;
    start.push_back({hit.memory.id, top > 0.0 ? std::clamp(hit.score / top, 1e-9, 1.0) : 1.0});
  }
  std::vector<Activation> reached = spread_activation(store_, start, activation);
  std::vector<Uuid> ids;
  for (const Activation& a : reached) ids.push_back(a.id);
  std::unordered_set<Uuid> visible;
  for (const Memory& m : store_.get_batch(ids)) {
    if (!m.engine.suppressed) visible.insert(m.id);
  }
  std::erase_if(reached, [&](const Activation& a) { return !visible.contains(a.id); });
  return reached;
}

Json RecallResult::to_json() const {
  Json j;
  j["query"] = query;
  j["detail_level"] = detail_level_name(detail);
  j["matches"] = Json::array();
  for (const RecalledMemory& r : matches) j["matches"].push_back(memory_json(r, detail));
  j["associations"] = Json::array();
  for (const RecalledMemory& r : associations) j["associations"].push_back(memory_json(r, detail));
  j["expandable"] = Json::array();
  for (const Uuid& id : expandable) j["expandable"].push_back(id);
  if (token_budget) j["token_budget"] = *token_budget;
  j["tokens_used"] = tokens_used;
  j["candidates"] = candidates;
  j["elapsed_ms"] = elapsed_ms;
  return j;
}

std::string RecallResult::to_text() const {
  std::string out;
  if (matches.empty() && associations.empty() && expandable.empty()) {
    return fmt::format("No memories match \"{}\".", query);
  }
  auto entry = [&](const RecalledMemory& r) {
    out += fmt::format("{}. [{}] {} (score {:.3f}", r.rank, r.memory.node_type,
                       r.memory.id.to_string(), r.score);
    if (detail != DetailLevel::kBrief) out += fmt::format(", {}", r.state);
    out += ")";
    if (r.superseded_by) out += fmt::format(" [superseded by {}]", r.superseded_by->to_string());
    out += "\n   " + r.text + "\n";
    if (detail != DetailLevel::kBrief && !r.memory.tags.empty()) {
      out += "   tags: ";
      for (std::size_t i = 0; i < r.memory.tags.size(); ++i) {
        out += (i ? ", " : "") + r.memory.tags[i];
      }
      out += "\n";
    }
    out += "   why: " + r.why.summary + "\n";
  };
  out += fmt::format("{} match{} for \"{}\":\n", matches.size(), matches.size() == 1 ? "" : "es",
                     query);
  for (const RecalledMemory& r : matches) entry(r);
  if (!associations.empty()) {
    out += "Associated memories (linked to the matches, not matched themselves):\n";
    for (const RecalledMemory& r : associations) entry(r);
  }
  if (!expandable.empty()) {
    out += fmt::format("{} more did not fit the token budget of {}; get them by id:\n",
                       expandable.size(), token_budget.value_or(0));
    for (const Uuid& id : expandable) out += "  " + id.to_string() + "\n";
  }
  return out;
}

}  // namespace vestige::engine
