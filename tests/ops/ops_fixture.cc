#include "ops/ops_fixture.h"

#include <fmt/format.h>

#include "vestige/embedder.h"

namespace vestige::testing {

void fill_store(MemoryStore& store, std::size_t memories) {
  auto embedder = resolve_embedder("builtin/hash-384", {});
  store.register_model(embedder->signature());
  const std::vector<std::string> topics = {"postgres", "sqlite", "deploy", "billing", "search"};
  std::vector<Memory> batch;
  std::vector<Uuid> ids;
  const Timestamp base = now_utc() - std::chrono::hours(24 * 30);
  for (std::size_t i = 0; i < memories; ++i) {
    Memory m;
    m.id = Uuid::generate_v7();
    m.content = fmt::format("Note {} about {}: the {} service answers on port {} \"quoted\" ü", i,
                            topics[i % topics.size()], topics[(i + 2) % topics.size()], 8000 + i);
    m.node_type = i % 3 == 0 ? "decision" : "fact";
    m.tags = {topics[i % topics.size()], fmt::format("t{}", i % 7)};
    m.metadata = Json{{"session_id", fmt::format("s{}", i / 10)}, {"n", i}, {"x", 0.1 * i}};
    if (i % 4 == 0) m.codebase = "vestige";
    m.domains = {"ops"};
    m.domain_scores = Json{{"ops", 0.5}};
    if (i % 5 != 4) m.embedding = embedder->embed(m.content);
    m.visibility = i % 2 == 0 ? Visibility::kPrivate : Visibility::kPublic;
    m.created_at = base + std::chrono::seconds(i * 7) + std::chrono::microseconds(i % 1000);
    m.engine.importance = 0.25 + 0.5 * static_cast<double>(i % 3) / 3.0;
    m.engine.access_count = static_cast<std::int64_t>(i % 9);
    batch.push_back(std::move(m));
    ids.push_back(batch.back().id);
    if (batch.size() == 500) {
      store.insert_batch(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) store.insert_batch(batch);
  for (std::size_t i = 0; i < ids.size(); i += 3) {
    SchedulingState s;
    s.memory_id = ids[i];
    s.stability = 2.5 + static_cast<double>(i % 11);
    s.difficulty = 5.0;
    s.reps = 1;
    s.state = "review";
    s.last_review = base;
    s.next_review = base + std::chrono::hours(48);
    store.upsert_scheduling(s);
    if (i % 2 == 0) {
      ReviewEvent e;
      e.memory_id = ids[i];
      e.reviewed_at = base;
      e.rating = 3;
      e.new_state = s;
      store.append_review_event(e);
    }
  }
  for (std::size_t i = 1; i < ids.size(); i += 2) {
    store.add_edge({ids[i - 1], ids[i], "related", 0.5 + 0.01 * static_cast<double>(i % 7),
                    Json{{"why", "test"}}, base});
  }
  Domain d;
  d.id = "ops";
  d.label = "Operations";
  d.centroid = embedder->embed("operations");
  store.upsert_domain(d);
}

std::vector<std::vector<Row>> all_rows(StoreTransfer& store) {
  std::vector<std::vector<Row>> out;
  for (const Table table : kCopyOrder) {
    std::vector<Row> rows;
    std::optional<PageKey> after;
    do {
      RowPage page = store.read_page(table, after, 1000);
      for (auto& row : page.rows) rows.push_back(std::move(row));
      after = page.next;
    } while (after);
    out.push_back(std::move(rows));
  }
  return out;
}

std::string compare_stores(StoreTransfer& expected, StoreTransfer& actual) {
  const auto a = all_rows(expected);
  const auto b = all_rows(actual);
  for (std::size_t t = 0; t < kCopyOrder.size(); ++t) {
    const std::string_view name = table_name(kCopyOrder[t]);
    if (a[t].size() != b[t].size()) {
      return fmt::format("{}: {} rows expected, {} found", name, a[t].size(), b[t].size());
    }
    // Memories are in (created_at, id) order on both sides; the other tables
    // by key, which both backends order the same way.
    for (std::size_t i = 0; i < a[t].size(); ++i) {
      if (!(a[t][i] == b[t][i])) {
        return fmt::format("{}: row {} ({}) differs from {}", name, i, row_key(a[t][i]),
                           row_key(b[t][i]));
      }
    }
  }
  return {};
}

}  // namespace vestige::testing
