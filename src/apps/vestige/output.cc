#include "apps/vestige/output.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace vestige::cli {

namespace {

std::string codebase_part(const std::optional<std::string>& codebase) {
  return codebase ? fmt::format("  codebase: {}", *codebase) : std::string();
}

std::string tags_part(const std::vector<std::string>& tags) {
  return tags.empty() ? std::string() : fmt::format("  tags: {}", fmt::join(tags, ", "));
}

std::string rank(const std::optional<std::size_t>& r) {
  return r ? fmt::format("#{}", *r) : std::string("-");
}

}  // namespace

std::string render_memory(const Memory& m) {
  std::string out = fmt::format("id:         {}\ntype:       {}\n", m.id.to_string(), m.node_type);
  if (!m.tags.empty()) out += fmt::format("tags:       {}\n", fmt::join(m.tags, ", "));
  if (m.codebase) out += fmt::format("codebase:   {}\n", *m.codebase);
  out += fmt::format("created:    {}\nupdated:    {}\n", format_timestamp(m.created_at),
                     format_timestamp(m.updated_at));
  if (!m.metadata.empty()) out += fmt::format("metadata:   {}\n", m.metadata.dump());
  out += fmt::format("embedding:  {}\n",
                     m.embedding ? fmt::format("{} dimensions", m.embedding->size()) : "none");
  out += fmt::format("\n{}\n", m.content);
  return out;
}

std::string render_search_result(std::size_t position, const SearchResult& r) {
  const Memory& m = r.memory;
  return fmt::format("{}. {}  [{}]  score {:.4f}  (text {}, vector {}){}{}\n   {}\n", position,
                     m.id.to_string(), m.node_type, r.score, rank(r.text_rank), rank(r.vector_rank),
                     tags_part(m.tags), codebase_part(m.codebase), m.content);
}

std::string render_recalled(const engine::RecalledMemory& r) {
  const Memory& m = r.memory;
  const std::string superseded =
      r.superseded_by ? fmt::format("  [superseded by {}]", r.superseded_by->to_string()) : "";
  return fmt::format(
      "{}. {}  [{}]  score {:.4f}  (text {}, vector {})  retention {:.2f}{}{}{}\n   {}\n"
      "   why: {}\n",
      r.rank, m.id.to_string(), m.node_type, r.score, rank(r.why.text_rank),
      rank(r.why.vector_rank), r.retention, superseded, tags_part(m.tags),
      codebase_part(m.codebase), m.content, r.why.summary);
}

Json recalled_json(const engine::RecalledMemory& r) {
  Json j = r.memory;
  j.erase("embedding");
  j["score"] = r.score;
  j["text_rank"] = r.why.text_rank ? Json(*r.why.text_rank) : Json(nullptr);
  j["vector_rank"] = r.why.vector_rank ? Json(*r.why.vector_rank) : Json(nullptr);
  j["rank"] = r.rank;
  j["text_score"] = r.why.text_score ? Json(*r.why.text_score) : Json(nullptr);
  j["vector_similarity"] = r.why.vector_similarity ? Json(*r.why.vector_similarity) : Json(nullptr);
  j["retention"] = r.retention;
  j["state"] = r.state;
  j["superseded_by"] = r.superseded_by ? Json(*r.superseded_by) : Json(nullptr);
  j["why"] = r.why.summary;
  return j;
}

std::string render_stats(const StoreStats& s) {
  std::string out = fmt::format(
      "backend:                 {}\nschema version:          {}\nmemories:                {}\n"
      "memories with embedding: {}\nscheduled:               {}\ndue now:                 {}\n"
      "review events:           {}\nedges:                   {}\ndomains:                 {}\n",
      s.backend, s.schema_version, s.memories, s.memories_with_embedding, s.scheduled, s.due_now,
      s.review_events, s.edges, s.domains);
  out += fmt::format("embedding model:         {}\n",
                     s.model ? describe(s.model->signature) : std::string("none registered yet"));
  if (s.storage_bytes) out += fmt::format("storage bytes:           {}\n", *s.storage_bytes);
  for (const auto& [type, count] : s.by_node_type) {
    out += fmt::format("  {:<22} {}\n", type + ":", count);
  }
  return out;
}

std::string render_health(const HealthReport& h) {
  std::string out =
      fmt::format("status:         {}\nbackend:        {} ({})\nschema version: {}\n",
                  health_status_name(h.status), h.backend, h.server_version, h.schema_version);
  out += fmt::format("model:          {}\n",
                     h.model ? describe(h.model->signature) : std::string("none registered yet"));
  for (const std::string& problem : h.problems) out += fmt::format("problem:        {}\n", problem);
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
    start = end + 1;
  }
  return items;
}

}  // namespace vestige::cli
