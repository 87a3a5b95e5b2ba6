#include "engine/consolidation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_set>
#include <utility>

#include "engine/importance.h"
#include "engine/node_types.h"
#include "engine/strength.h"
#include "vestige/error.h"

namespace vestige::engine {
namespace {

// Memories read per export page. Small enough that a page read before a merge
// holds few rows the merge makes stale (those are re-read, see touched_).
constexpr std::size_t kPageSize = 64;

// A retrieval strength that moved less than this is not rewritten: a pass
// would otherwise write every memory every time, for changes no ranking sees.
constexpr double kDecayEpsilon = 1e-3;

bool linkable(const Memory& m) {
  return !is_bookkeeping_type(m.node_type) && !m.engine.suppressed && !m.engine.superseded_by;
}

// Summaries are derived from their members; merging one would fold a digest
// into the facts it digests.
bool mergeable(const Memory& m) {
  return linkable(m) && m.node_type != kSummaryType;
}

std::string normalised(std::string_view text) {
  return fmt::format("{}", fmt::join(lowercase_words(text), " "));
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  auto flush = [&](std::size_t end) {
    std::string s = trimmed(text.substr(start, end - start));
    if (!lowercase_words(s).empty()) out.push_back(std::move(s));
    start = end;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      flush(i);
      start = i + 1;
    } else if ((c == '.' || c == '!' || c == '?') &&
               (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' ||
                text[i + 1] == '\t' || text[i + 1] == '\r')) {
      flush(i + 1);
    }
  }
  flush(text.size());
  return out;
}

namespace {

// Similarity of an absorbed memory to the examined one, and the absorbed
// memory's full row.
struct Member {
  Memory memory;
  double similarity = 1.0;
  double retention = 0.0;
};

Memory stored_row(MemoryStore& store, const Uuid& id) {
  std::optional<Memory> m = store.get(id);
  if (!m) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("consolidation: memory {} was deleted while consolidating; run "
                            "consolidation again",
                            id.to_string()));
  }
  return std::move(*m);
}

double cosine(const Embedding& a, const Embedding& b) {
  // Embedders return L2-normalised vectors: the dot product is the cosine.
  double dot = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) dot += double(a[i]) * double(b[i]);
  return dot;
}

}  // namespace

std::vector<std::string> unique_sentences(std::string_view text, std::string_view kept) {
  // Padded with spaces so that a sentence matches whole words only.
  std::string known = " " + normalised(kept) + " ";
  std::vector<std::string> out;
  for (std::string& sentence : split_sentences(text)) {
    const std::string norm = " " + normalised(sentence) + " ";
    if (known.find(norm) != std::string::npos) continue;
    known += norm;
    out.push_back(std::move(sentence));
  }
  return out;
}

Json to_json(const ConsolidationReport& report) {
  Json merges = Json::array();
  for (const MergeReport& m : report.merges) {
    Json j{{"kept_id", m.kept_id}, {"absorbed_ids", m.absorbed_ids}, {"similarity", m.similarity}};
    j["merge_id"] = m.merge_id.is_nil() ? Json(nullptr) : Json(m.merge_id);
    merges.push_back(std::move(j));
  }
  return Json{{"dry_run", report.dry_run},
              {"examined", report.examined},
              {"decayed", report.decayed},
              {"linked", report.linked},
              {"pruned", report.pruned},
              {"unchanged", report.unchanged},
              {"merged", report.merges.size()},
              {"merges", std::move(merges)},
              {"pass_complete", report.pass_complete},
              {"budget_exhausted", report.budget_exhausted},
              {"elapsed_ms", report.elapsed_ms}};
}

Json to_json(const UndoReport& report) {
  return Json{{"merge_id", report.merge_id},
              {"kept_id", report.kept_id},
              {"restored_ids", report.restored_ids},
              {"edges_removed", report.edges_removed}};
}

struct Consolidator::Group {
  std::vector<Member> members;  // the examined memory first
};

Consolidator::Consolidator(MemoryStore& store, Embedder& embedder, ConsolidationOptions options)
    : store_(store), embedder_(embedder), options_(options) {}

ConsolidationReport Consolidator::run(Timestamp now, SliceBudget budget) {
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::steady_clock::now() - started; };
  ConsolidationReport report;
  report.dry_run = options_.dry_run;
  touched_.clear();
  absorbed_.clear();
  linked_.clear();
  std::size_t visited = 0;
  if (!cursor_) {
    pass_started_ = now_utc();
    decay_writes_.clear();
  }
  for (;;) {
    std::size_t page_size = kPageSize;
    if (budget.max_memories > 0) page_size = std::min(page_size, budget.max_memories - visited);
    const ExportPage page = store_.export_page(cursor_, std::max<std::size_t>(page_size, 1));
    for (const Memory& listed : page.memories) {
      const bool out_of_memories = budget.max_memories > 0 && visited >= budget.max_memories;
      const bool out_of_time = budget.max_time.count() > 0 && elapsed() >= budget.max_time;
      if (visited > 0 && (out_of_memories || out_of_time)) {
        report.budget_exhausted = true;
        report.elapsed_ms = std::chrono::duration<double, std::milli>(elapsed()).count();
        return report;
      }
      cursor_ = ExportCursor{listed.created_at, listed.id};
      ++visited;
      if (touched_.contains(listed.id)) {
        std::optional<Memory> fresh = store_.get(listed.id);
        if (fresh) consolidate_one(std::move(*fresh), now, report);
      } else {
        consolidate_one(listed, now, report);
      }
    }
    if (!page.next) {
      cursor_.reset();
      report.pass_complete = true;
      if (!options_.dry_run) {
        settled_before_ = pass_started_;
        settled_decay_writes_ = std::move(decay_writes_);
        decay_writes_.clear();
      }
      break;
    }
  }
  report.elapsed_ms = std::chrono::duration<double, std::milli>(elapsed()).count();
  return report;
}

ConsolidationReport Consolidator::run_pass(Timestamp now) {
  return run(now, SliceBudget{});
}

void Consolidator::consolidate_one(Memory memory, Timestamp now, ConsolidationReport& report) {
  if (is_bookkeeping_type(memory.node_type)) return;
  ++report.examined;
  if (absorbed_.contains(memory.id)) return;  // merged away earlier in this dry run

  // Decided before this visit's own decay write changes updated_at.
  bool unchanged = false;
  if (settled_before_) {
    const auto own = settled_decay_writes_.find(memory.id);
    unchanged = memory.updated_at < *settled_before_ ||
                (own != settled_decay_writes_.end() && own->second == memory.updated_at);
  }

  const std::optional<SchedulingState> scheduling = store_.get_scheduling(memory.id);
  const EngineState decayed = decay(memory.engine, memory.created_at, scheduling, now);
  if (std::abs(decayed.retrieval_strength - memory.engine.retrieval_strength) >= kDecayEpsilon) {
    ++report.decayed;
    if (!options_.dry_run) {
      const EngineStateUpdate update{memory.id, decayed};
      const EngineStateWrite written = store_.update_engine_state(std::span(&update, 1));
      if (written.written == 0) return;  // deleted since the page was read
      memory.engine = decayed;
      memory.updated_at = written.updated_at;
      decay_writes_[memory.id] = memory.updated_at;
    }
  }

  const std::vector<Edge> edges = store_.edges(memory.id, EdgeDirection::kBoth);
  for (const Edge& e : edges) {
    if (e.source_id != memory.id || e.weight >= options_.prune_below) continue;
    // Edges from bookkeeping memories never start here (those are skipped
    // above), and edges into them are the bookkeeping's own.
    ++report.pruned;
    if (!options_.dry_run) store_.remove_edge(e.source_id, e.target_id, e.edge_type);
  }

  if (!linkable(memory) || !memory.embedding) return;
  if (unchanged) {
    ++report.unchanged;
    return;
  }

  SearchQuery query;
  query.embedding = memory.embedding;
  query.limit = options_.neighbours * 3 + 1;
  query.filter.codebase = memory.codebase;
  query.now = now;
  std::vector<Member> near;
  for (SearchResult& r : store_.vector_search(query)) {
    if (near.size() == options_.neighbours) break;
    if (r.memory.id == memory.id || r.memory.codebase != memory.codebase) continue;
    if (!linkable(r.memory) || absorbed_.contains(r.memory.id)) continue;
    near.push_back({std::move(r.memory), r.score, 0.0});
  }

  if (mergeable(memory)) {
    Group group;
    for (const Member& n : near) {
      if (n.similarity >= options_.merge_threshold && mergeable(n.memory)) {
        group.members.push_back(n);
      }
    }
    if (!group.members.empty()) {
      group.members.insert(group.members.begin(), Member{std::move(memory), 1.0, 0.0});
      merge(group, now, report);
      return;
    }
  }

  std::unordered_set<Uuid> joined;
  for (const Edge& e : edges) joined.insert(e.source_id == memory.id ? e.target_id : e.source_id);
  for (const Member& n : near) {
    if (n.similarity < options_.link_threshold) break;  // best first
    const std::pair<Uuid, Uuid> pair = std::minmax(memory.id, n.memory.id);
    if (joined.contains(n.memory.id) || linked_.contains(pair)) continue;
    ++report.linked;
    linked_.insert(pair);
    if (options_.dry_run) continue;
    Edge edge;
    edge.source_id = pair.first;
    edge.target_id = pair.second;
    edge.edge_type = std::string(kRelatedEdge);
    edge.weight = n.similarity;
    edge.metadata = Json{{"similarity", n.similarity}, {"by", "consolidation"}};
    edge.created_at = now;
    store_.add_edge(edge);
  }
}

void Consolidator::merge(Group& group, Timestamp now, ConsolidationReport& report) {
  // Full rows (search results carry no embedding) and each one's retention.
  for (Member& m : group.members) {
    if (!m.memory.embedding) m.memory = stored_row(store_, m.memory.id);
    m.retention =
        retention_at(m.memory.engine, m.memory.created_at, store_.get_scheduling(m.memory.id), now);
  }
  const auto strongest = std::min_element(
      group.members.begin(), group.members.end(), [](const Member& a, const Member& b) {
        if (a.retention != b.retention) return a.retention > b.retention;
        if (a.memory.engine.storage_strength != b.memory.engine.storage_strength) {
          return a.memory.engine.storage_strength > b.memory.engine.storage_strength;
        }
        if (a.memory.created_at != b.memory.created_at) {
          return a.memory.created_at < b.memory.created_at;
        }
        return a.memory.id < b.memory.id;
      });
  const Memory kept_before = strongest->memory;
  std::vector<Member> absorbed;
  for (Member& m : group.members) {
    if (m.memory.id == kept_before.id) continue;
    // Reported against the kept memory, not the examined one.
    m.similarity = cosine(*kept_before.embedding, *m.memory.embedding);
    absorbed.push_back(m);
  }
  // Most similar first, so the closest restatements contribute first.
  std::stable_sort(absorbed.begin(), absorbed.end(),
                   [](const Member& a, const Member& b) { return a.similarity > b.similarity; });

  Memory kept = kept_before;
  MergeReport merged;
  merged.kept_id = kept.id;
  merged.similarity = 1.0;
  Json& merged_from = kept.metadata[std::string(kMergedFromKey)];
  if (!merged_from.is_array()) merged_from = Json::array();
  for (const Member& a : absorbed) {
    const std::vector<std::string> extra = unique_sentences(a.memory.content, kept.content);
    if (!extra.empty()) {
      kept.content += kMergeSeparator;
      kept.content += fmt::format("{}", fmt::join(extra, " "));
    }
    for (const std::string& tag : a.memory.tags) {
      if (std::find(kept.tags.begin(), kept.tags.end(), tag) == kept.tags.end()) {
        kept.tags.push_back(tag);
      }
    }
    kept.engine.importance = std::max(kept.engine.importance, a.memory.engine.importance);
    kept.engine.storage_strength =
        std::max(kept.engine.storage_strength, a.memory.engine.storage_strength);
    kept.engine.access_count += a.memory.engine.access_count;
    merged_from.push_back(a.memory.id);
    merged.absorbed_ids.push_back(a.memory.id);
    merged.similarity = std::min(merged.similarity, a.similarity);
  }
  for (const Uuid& id : merged.absorbed_ids) absorbed_.insert(id);

  if (options_.dry_run) {
    report.merges.push_back(std::move(merged));
    return;
  }

  // The undo data, written before anything it describes changes.
  std::vector<Edge> replaced_edges;
  Json added = Json::array();
  const std::vector<Edge> kept_edges = store_.edges(kept.id, EdgeDirection::kOutgoing);
  for (const Member& a : absorbed) {
    for (const Edge& e : kept_edges) {
      if (e.target_id == a.memory.id && e.edge_type == kMergedEdge) replaced_edges.push_back(e);
    }
    added.push_back(Json{{"source", kept.id}, {"target", a.memory.id}, {"type", kMergedEdge}});
  }
  Json absorbed_before = Json::array();
  for (const Member& a : absorbed) absorbed_before.push_back(a.memory);
  if (kept.content != kept_before.content) kept.embedding = embedder_.embed(kept.content);

  Memory record;
  record.content = fmt::format("Consolidation merged {} near-duplicate memories into {}.",
                               absorbed.size(), kept.id.to_string());
  record.node_type = std::string(kMergeRecordType);
  record.codebase = kept.codebase;
  record.created_at = now;
  record.engine.suppressed = true;
  record.metadata[std::string(kMergeKey)] = Json{{"at", format_timestamp(now)},
                                                 {"kept_id", kept.id},
                                                 {"kept_before", kept_before},
                                                 {"kept_after_content", kept.content},
                                                 {"absorbed_before", std::move(absorbed_before)},
                                                 {"edges_added", std::move(added)},
                                                 {"edges_replaced", replaced_edges},
                                                 {"similarity", merged.similarity}};
  merged.merge_id = store_.insert(record).id;

  store_.update(kept);
  // Only the absorbed memories' engine state changes: no re-indexing.
  std::vector<EngineStateUpdate> superseded;
  for (Member& a : absorbed) {
    a.memory.engine.superseded_by = kept.id;
    a.memory.engine.suppressed = true;
    superseded.push_back({a.memory.id, a.memory.engine});
  }
  store_.update_engine_state(superseded);
  for (const Member& a : absorbed) {
    Edge edge;
    edge.source_id = kept.id;
    edge.target_id = a.memory.id;
    edge.edge_type = std::string(kMergedEdge);
    edge.weight = a.similarity;
    edge.metadata = Json{{"merge_id", merged.merge_id}};
    edge.created_at = now;
    store_.add_edge(edge);
  }
  touched_.insert(kept.id);
  for (const Member& a : absorbed) touched_.insert(a.memory.id);
  report.merges.push_back(std::move(merged));
}

namespace {

// The creation time a version 7 id carries in its first 48 bits (Unix
// milliseconds); a merge record's id is made when the merge is written.
std::optional<Timestamp> v7_time(const Uuid& id) {
  if (id.version() != 7) return std::nullopt;
  const std::string text = id.to_string();  // tttttttt-tttt-7xxx-...
  const std::uint64_t millis = std::stoull(text.substr(0, 8) + text.substr(9, 4), nullptr, 16);
  return Timestamp(std::chrono::milliseconds(millis));
}

}  // namespace

UndoReport Consolidator::undo(const Uuid& merge_id) {
  const std::optional<Memory> record = store_.get(merge_id);
  const std::optional<Timestamp> made = v7_time(merge_id);
  if (!record && made && options_.merge_record_lifetime &&
      *made + *options_.merge_record_lifetime <= now_utc()) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("merge {} can no longer be undone: its record was collected by gc, "
                            "which removes the records of merges older than {} days "
                            "([consolidation] merge_record_days), and this merge was made on {}",
                            merge_id.to_string(), options_.merge_record_lifetime->count(),
                            format_timestamp(*made).substr(0, 10)));
  }
  if (!record || record->node_type != kMergeRecordType ||
      !record->metadata.contains(std::string(kMergeKey))) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("no merge with id {}: it was never made or was already undone; "
                            "`vestige consolidate --dry-run` shows what a run would merge",
                            merge_id.to_string()));
  }
  const Json& data = record->metadata[std::string(kMergeKey)];
  Memory kept_before;
  std::vector<Memory> absorbed_before;
  std::vector<Edge> replaced;
  try {
    kept_before = data.at("kept_before").get<Memory>();
    absorbed_before = data.at("absorbed_before").get<std::vector<Memory>>();
    replaced = data.at("edges_replaced").get<std::vector<Edge>>();
  } catch (const Json::exception& e) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("merge record {} is damaged ({}); it cannot be undone",
                            merge_id.to_string(), e.what()));
  }

  // Everything is checked before the first write.
  const std::optional<Memory> kept_now = store_.get(kept_before.id);
  if (!kept_now) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("cannot undo merge {}: the kept memory {} was deleted since",
                            merge_id.to_string(), kept_before.id.to_string()));
  }
  const std::string after = data.value("kept_after_content", std::string());
  if (kept_now->content != after && kept_now->content != kept_before.content) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("cannot undo merge {}: the kept memory {} was edited after the merge, "
                            "and undoing would lose that edit",
                            merge_id.to_string(), kept_before.id.to_string()));
  }
  for (const Memory& a : absorbed_before) {
    if (!store_.get(a.id)) {
      throw Error(ErrorCode::kInvalidInput,
                  fmt::format("cannot undo merge {}: the absorbed memory {} was deleted since "
                              "(by gc?), so it cannot be restored",
                              merge_id.to_string(), a.id.to_string()));
    }
  }

  UndoReport report;
  report.merge_id = merge_id;
  report.kept_id = kept_before.id;
  store_.update(kept_before);
  for (const Memory& a : absorbed_before) {
    store_.update(a);
    report.restored_ids.push_back(a.id);
  }
  for (const Json& e : data.value("edges_added", Json::array())) {
    if (store_.remove_edge(e.at("source").get<Uuid>(), e.at("target").get<Uuid>(),
                           e.at("type").get<std::string>())) {
      ++report.edges_removed;
    }
  }
  for (const Edge& e : replaced) store_.add_edge(e);
  store_.remove(merge_id);
  return report;
}

ConsolidationOptions consolidation_options(const ConsolidationConfig& config) {
  ConsolidationOptions options;
  options.merge_threshold = config.merge_threshold;
  options.link_threshold = config.link_threshold;
  options.prune_below = config.prune_below;
  options.merge_record_lifetime = merge_record_lifetime(config);
  return options;
}

std::optional<std::chrono::days> merge_record_lifetime(const ConsolidationConfig& config) {
  if (config.merge_record_days <= 0) return std::nullopt;
  return std::chrono::days(config.merge_record_days);
}

SliceBudget slice_budget(const ConsolidationConfig& config) {
  return SliceBudget{static_cast<std::size_t>(config.max_memories_per_run),
                     std::chrono::milliseconds(config.max_millis_per_run)};
}

AutoConsolidation::AutoConsolidation(MemoryStore& store, Embedder& embedder,
                                     const ConsolidationConfig& config, Timestamp start)
    : config_(config),
      consolidator_(store, embedder, consolidation_options(config)),
      last_run_(start) {}

bool AutoConsolidation::due(Timestamp now) const {
  if (!config_.auto_run) return false;
  if (pass_under_way_) return true;
  if (config_.every_ingests > 0 && writes_ >= static_cast<std::size_t>(config_.every_ingests)) {
    return true;
  }
  return config_.every_minutes > 0 &&
         now - last_run_ >= std::chrono::minutes(config_.every_minutes);
}

std::optional<ConsolidationReport> AutoConsolidation::run_if_due(Timestamp now) {
  if (!due(now)) return std::nullopt;
  ConsolidationReport report = consolidator_.run(now, slice_budget(config_));
  pass_under_way_ = !report.pass_complete;
  writes_ = 0;
  last_run_ = now;
  return report;
}

}  // namespace vestige::engine
