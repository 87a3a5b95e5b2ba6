#include "engine/maintenance.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <numeric>
#include <set>
#include <unordered_set>
#include <utility>

#include "engine/consolidation.h"
#include "engine/fsrs.h"
#include "engine/importance.h"
#include "engine/node_types.h"
#include "engine/strength.h"

namespace vestige::engine {
namespace {

constexpr std::size_t kPageSize = 256;
constexpr std::size_t kPreviewChars = 80;

double cosine(const Embedding& a, const Embedding& b) {
  // Embedders return L2-normalised vectors, so the dot product is the cosine.
  double dot = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) dot += double(a[i]) * double(b[i]);
  return dot;
}

bool dreamable(const Memory& m) {
  return m.embedding && !is_bookkeeping_type(m.node_type) && m.node_type != kSummaryType &&
         !m.engine.suppressed && !m.engine.superseded_by;
}

std::string preview(std::string_view content) {
  if (content.size() <= kPreviewChars) return std::string(content);
  return std::string(content.substr(0, kPreviewChars)) + "...";
}

// Union-find over indexes into the recent memories.
struct Clusters {
  explicit Clusters(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
  std::vector<std::size_t> parent;
};

std::string with_full_stop(std::string sentence) {
  const char last = sentence.empty() ? '.' : sentence.back();
  if (last != '.' && last != '!' && last != '?') sentence += '.';
  return sentence;
}

}  // namespace

DreamReport dream(MemoryStore& store, Embedder& embedder, Timestamp now,
                  const DreamOptions& options) {
  DreamReport report;
  report.dry_run = options.dry_run;

  // The window's memories, oldest first, keeping the most recent max_memories.
  std::deque<Memory> recent;
  std::optional<ExportCursor> cursor = ExportCursor{now - options.window, Uuid{}};
  for (;;) {
    ExportPage page = store.export_page(cursor, kPageSize);
    for (Memory& m : page.memories) {
      if (m.created_at > now || !dreamable(m)) continue;
      recent.push_back(std::move(m));
      if (recent.size() > options.max_memories) recent.pop_front();
    }
    if (!page.next) break;
    cursor = page.next;
  }
  const std::size_t n = recent.size();
  report.examined = n;

  std::vector<std::vector<double>> sim(n, std::vector<double>(n, 1.0));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      sim[i][j] = sim[j][i] = cosine(*recent[i].embedding, *recent[j].embedding);
    }
  }

  // Links.
  std::vector<std::unordered_set<Uuid>> joined(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const Edge& e : store.edges(recent[i].id, EdgeDirection::kBoth)) {
      joined[i].insert(e.source_id == recent[i].id ? e.target_id : e.source_id);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (sim[i][j] < options.link_threshold || joined[i].contains(recent[j].id)) continue;
      joined[i].insert(recent[j].id);
      joined[j].insert(recent[i].id);
      ++report.linked;
      if (options.dry_run) continue;
      Edge edge;
      edge.source_id = std::min(recent[i].id, recent[j].id);
      edge.target_id = std::max(recent[i].id, recent[j].id);
      edge.edge_type = std::string(kRelatedEdge);
      edge.weight = sim[i][j];
      edge.metadata = Json{{"similarity", sim[i][j]}, {"by", "dream"}};
      edge.created_at = now;
      store.add_edge(edge);
    }
  }

  // Clusters, in the order of their oldest member.
  Clusters clusters(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (sim[i][j] >= options.cluster_threshold) clusters.join(i, j);
    }
  }
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::size_t> group_of(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t root = clusters.find(i);
    if (group_of[root] == n) {
      group_of[root] = groups.size();
      groups.emplace_back();
    }
    groups[group_of[root]].push_back(i);
  }

  const Scheduler scheduler;
  for (const std::vector<std::size_t>& group : groups) {
    if (group.size() < std::max<std::size_t>(options.min_cluster_size, 2)) continue;

    // Already summarised: one summary covers every member.
    std::optional<std::set<Uuid>> common;
    for (std::size_t i : group) {
      std::set<Uuid> summaries;
      for (const Edge& e : store.edges(recent[i].id, EdgeDirection::kIncoming)) {
        if (e.edge_type == kSummarisesEdge) summaries.insert(e.source_id);
      }
      if (!common) {
        common = std::move(summaries);
      } else {
        std::set<Uuid> both;
        std::set_intersection(common->begin(), common->end(), summaries.begin(), summaries.end(),
                              std::inserter(both, both.end()));
        common = std::move(both);
      }
    }
    if (common && !common->empty()) continue;

    // Most central first.
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i : group) {
      double centrality = 0.0;
      for (std::size_t j : group) {
        if (j != i) centrality += sim[i][j];
      }
      order.emplace_back(centrality, i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> picked;
    std::string seen;
    for (const auto& [centrality, i] : order) {
      if (picked.size() == options.max_sentences) break;
      const std::vector<std::string> sentences = split_sentences(recent[i].content);
      if (sentences.empty()) continue;
      if (unique_sentences(sentences.front(), seen).empty()) continue;
      seen += "\n" + sentences.front();
      picked.push_back(with_full_stop(sentences.front()));
    }

    DreamSummary summary;
    for (std::size_t i : group) summary.members.push_back(recent[i].id);
    summary.content = fmt::format("Summary of {} related memories from {} to {}: {}", group.size(),
                                  format_timestamp(recent[group.front()].created_at).substr(0, 10),
                                  format_timestamp(recent[group.back()].created_at).substr(0, 10),
                                  fmt::join(picked, " "));
    if (!options.dry_run) {
      Memory memory;
      memory.content = summary.content;
      memory.node_type = std::string(kSummaryType);
      memory.codebase = recent[group.front()].codebase;
      memory.tags = recent[group.front()].tags;
      for (std::size_t i : group) {
        if (recent[i].codebase != memory.codebase) memory.codebase.reset();
        std::erase_if(memory.tags, [&](const std::string& tag) {
          return std::find(recent[i].tags.begin(), recent[i].tags.end(), tag) ==
                 recent[i].tags.end();
        });
      }
      memory.metadata[std::string(kSummaryKey)] =
          Json{{"members", summary.members}, {"method", "extractive"}};
      memory.embedding = embedder.embed(memory.content);
      memory.created_at = now;
      summary.id = store.insert(memory).id;
      store.upsert_scheduling(scheduler.initial_state(summary.id, now));
      for (const Uuid& member : summary.members) {
        Edge edge;
        edge.source_id = summary.id;
        edge.target_id = member;
        edge.edge_type = std::string(kSummarisesEdge);
        edge.created_at = now;
        store.add_edge(edge);
      }
    }
    report.summaries.push_back(std::move(summary));
  }
  return report;
}

GcReport gc(MemoryStore& store, Timestamp now, const GcOptions& options) {
  GcReport report;
  report.dry_run = options.dry_run;
  std::optional<ExportCursor> cursor;
  for (;;) {
    const ExportPage page = store.export_page(cursor, kPageSize);
    for (const Memory& m : page.memories) {
      if (report.candidates.size() == options.limit) break;
      ++report.scanned;
      const bool expired_merge_record = m.node_type == kMergeRecordType &&
                                        options.merge_record_lifetime &&
                                        m.created_at + *options.merge_record_lifetime <= now;
      if (is_bookkeeping_type(m.node_type) && !expired_merge_record) continue;
      GcCandidate c;
      c.retention = retention_at(m.engine, m.created_at, store.get_scheduling(m.id), now);
      if (expired_merge_record) {
        c.reason = fmt::format(
            "merge record older than {} days (its merge cannot be undone "
            "once it is deleted)",
            options.merge_record_lifetime->count());
      } else if (m.engine.suppressed && options.include_suppressed) {
        c.reason = m.engine.superseded_by ? fmt::format("merged into or superseded by {}",
                                                        m.engine.superseded_by->to_string())
                                          : std::string("suppressed");
      } else if (c.retention <= options.max_retention) {
        c.reason = fmt::format("retention {:.3f} ({})", c.retention,
                               state_name(memory_state(c.retention)));
      } else {
        continue;
      }
      c.id = m.id;
      c.node_type = m.node_type;
      c.preview = preview(m.content);
      report.candidates.push_back(std::move(c));
    }
    if (!page.next || report.candidates.size() == options.limit) break;
    cursor = page.next;
  }
  if (!options.dry_run) {
    for (const GcCandidate& c : report.candidates) {
      if (store.remove(c.id)) ++report.deleted;
    }
  }
  return report;
}

Json to_json(const DreamReport& report) {
  Json summaries = Json::array();
  for (const DreamSummary& s : report.summaries) {
    summaries.push_back(Json{{"id", s.id.is_nil() ? Json(nullptr) : Json(s.id)},
                             {"content", s.content},
                             {"members", s.members}});
  }
  return Json{{"dry_run", report.dry_run},
              {"examined", report.examined},
              {"linked", report.linked},
              {"summaries", std::move(summaries)}};
}

Json to_json(const GcReport& report) {
  Json candidates = Json::array();
  for (const GcCandidate& c : report.candidates) {
    candidates.push_back(Json{{"id", c.id},
                              {"node_type", c.node_type},
                              {"preview", c.preview},
                              {"retention", c.retention},
                              {"reason", c.reason}});
  }
  return Json{{"dry_run", report.dry_run},
              {"scanned", report.scanned},
              {"candidates", std::move(candidates)},
              {"deleted", report.deleted}};
}

}  // namespace vestige::engine
