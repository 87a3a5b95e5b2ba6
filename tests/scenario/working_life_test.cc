// An agent's working life (working_life_corpus.h) ingested session by session
// through the ingest gate into a real store, then recalled the way an agent
// would ask, four months in. The store is SQLite, or with
// VESTIGE_TEST_BACKEND=postgres (the tests labelled postgres) an emptied
// database on the PostgreSQL test server.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/ingest.h"
#include "engine/recall.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/pg_test_server.h"
#include "support/temp_dir.h"
#include "working_life_corpus.h"

namespace vestige::scenario {
namespace {

using engine::IngestDecision;
using engine::RecalledMemory;
using engine::RecallRequest;
using engine::RecallResult;
using std::chrono::days;
using std::chrono::hours;

Timestamp start() {
  return *parse_timestamp("2026-01-05T00:00:00Z");
}

std::unique_ptr<MemoryStore> open_scenario_store(const testing::TempDir& dir) {
  const char* backend = std::getenv("VESTIGE_TEST_BACKEND");
  if (backend != nullptr && std::string_view(backend) == "postgres") {
    const std::string url = testing::test_pg_url();
    testing::reset_test_database(url);
    return open_postgres_store({.config = testing::test_pg_config(url)});
  }
  return open_sqlite_store({.path = dir.path() / "vestige.db"});
}

// The store is built once for the whole suite: every check reads it as the
// agent would on day 121.
class WorkingLife : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { world_ = new World(); }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }

  struct World {
    World() : store(open_scenario_store(dir)), embedder(resolve_embedder("builtin/hash-384", {})) {
      store->register_model(embedder->signature());
      engine::IngestGate gate(*store, *embedder);
      for (const Session& session : working_life(facts)) {
        const Timestamp at = start() + days(session.day) + hours(session.hour);
        const std::vector<engine::IngestResult> results = gate.ingest_batch(session.items, at);
        for (std::size_t i = 0; i < results.size(); ++i) {
          ++items;
          for (const auto& [name, text] : facts.text) {
            if (text == session.items[i].content) outcome[name] = results[i];
          }
        }
      }
    }
    testing::TempDir dir;
    std::unique_ptr<MemoryStore> store;
    std::unique_ptr<Embedder> embedder;
    KeyFacts facts;
    std::map<std::string, engine::IngestResult> outcome;  // key fact -> what ingest did
    std::size_t items = 0;
  };

  static Timestamp now() { return start() + days(121); }
  static const engine::IngestResult& outcome(const std::string& name) {
    return world_->outcome.at(name);
  }
  static RecallResult recall(RecallRequest request) {
    return engine::Recaller(*world_->store, *world_->embedder).recall(request, now());
  }
  // Recalls leave the memories untouched unless a check is about access, so
  // that every check sees the store as it was on day 121.
  static RecallRequest ask(const std::string& text) {
    RecallRequest r;
    r.query = text;
    r.record_access = false;
    return r;
  }
  static std::ptrdiff_t position(const std::vector<RecalledMemory>& results, const Uuid& id) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].memory.id == id) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  }
  static std::string describe(const RecallResult& r) { return r.to_text(); }

  static World* world_;
};

WorkingLife::World* WorkingLife::world_ = nullptr;

TEST_F(WorkingLife, IngestKeptAFewHundredMemoriesAndCollapsedRestatements) {
  const StoreStats stats = world_->store->stats(now());
  EXPECT_GE(world_->items, 200u);
  EXPECT_GE(stats.memories, 150);
  EXPECT_LT(static_cast<std::size_t>(stats.memories), world_->items);
  EXPECT_EQ(outcome("indent").decision, IngestDecision::kCreate);
  EXPECT_NE(outcome("indent_again").decision, IngestDecision::kCreate)
      << outcome("indent_again").reason;
  EXPECT_EQ(outcome("indent_again").memory_id, outcome("indent").memory_id);
  EXPECT_EQ(outcome("fastapi_again").decision, IngestDecision::kReinforce);
  EXPECT_EQ(outcome("db_new").decision, IngestDecision::kSupersede) << outcome("db_new").reason;
  EXPECT_EQ(outcome("db_new").superseded_id, outcome("db_old").memory_id);
  EXPECT_EQ(outcome("deploy_new").decision, IngestDecision::kSupersede)
      << outcome("deploy_new").reason;
  EXPECT_EQ(outcome("deploy_new").superseded_id, outcome("deploy_old").memory_id);
}

TEST_F(WorkingLife, CurrentDatabaseFactComesFirstAndTheOldOneIsMarked) {
  // The question uses the old fact's words: it matches the MySQL text best.
  const RecallResult r = recall(ask("is the production database MySQL on db-prod-1"));
  ASSERT_FALSE(r.matches.empty());
  EXPECT_EQ(r.matches[0].memory.id, outcome("db_new").memory_id) << describe(r);
  const std::ptrdiff_t old_at = position(r.matches, outcome("db_old").memory_id);
  ASSERT_GT(old_at, 0) << describe(r);
  const RecalledMemory& old = r.matches[static_cast<std::size_t>(old_at)];
  EXPECT_EQ(old.superseded_by, outcome("db_new").memory_id);
  EXPECT_NE(old.why.summary.find("superseded by"), std::string::npos);
  EXPECT_NE(r.to_text().find("[superseded by " + outcome("db_new").memory_id.to_string() + "]"),
            std::string::npos);
}

TEST_F(WorkingLife, CurrentDeployCommandComesFirst) {
  const RecallResult r = recall(ask("how do I deploy to staging"));
  ASSERT_FALSE(r.matches.empty());
  EXPECT_EQ(r.matches[0].memory.id, outcome("deploy_new").memory_id) << describe(r);
  const std::ptrdiff_t old_at = position(r.matches, outcome("deploy_old").memory_id);
  if (old_at >= 0) {
    EXPECT_GT(old_at, 0);
    EXPECT_TRUE(r.matches[static_cast<std::size_t>(old_at)].superseded_by.has_value());
  }
  RecallRequest current_only = ask("how do I deploy to staging");
  current_only.include_superseded = false;
  EXPECT_EQ(position(recall(current_only).matches, outcome("deploy_old").memory_id), -1);
}

TEST_F(WorkingLife, PreferenceIsFoundOnceWithItsRestatement) {
  RecallRequest request = ask("indentation in Python");
  request.detail = engine::DetailLevel::kFull;
  const RecallResult r = recall(request);
  ASSERT_FALSE(r.matches.empty());
  EXPECT_EQ(r.matches[0].memory.id, outcome("indent").memory_id) << describe(r);
  EXPECT_EQ(r.matches[0].memory.node_type, "preference");
  // Only one memory says it: the restatement reinforced (or extended) it.
  int mentioning = 0;
  for (const RecalledMemory& m : r.matches) {
    if (m.memory.content.find("four spaces") != std::string::npos) ++mentioning;
  }
  EXPECT_EQ(mentioning, 1);
}

TEST_F(WorkingLife, MonthsOldProcessFactStillComesFirst) {
  // Stored on day 15, never recalled since: 106 days of decay, and a hundred
  // newer memories in between.
  const RecallResult r = recall(ask("when does the on-call rotation hand over"));
  ASSERT_FALSE(r.matches.empty());
  EXPECT_EQ(r.matches[0].memory.id, outcome("oncall").memory_id) << describe(r);
  EXPECT_LT(r.matches[0].retention, 0.6);
}

TEST_F(WorkingLife, CodebaseScopesTheAnswer) {
  RecallRequest billing = ask("how are the service tests run");
  billing.codebase = "billing";
  const RecallResult b = recall(billing);
  ASSERT_FALSE(b.matches.empty());
  EXPECT_EQ(b.matches[0].memory.id, outcome("gotest").memory_id) << describe(b);
  for (const RecalledMemory& m : b.matches) EXPECT_EQ(m.memory.codebase, "billing");

  RecallRequest inventory = ask("how are the service tests run");
  inventory.codebase = "inventory";
  inventory.node_types = {"pattern"};
  const RecallResult i = recall(inventory);
  ASSERT_EQ(i.matches.size(), 1u) << describe(i);
  EXPECT_EQ(i.matches[0].memory.id, outcome("pytest").memory_id);
}

TEST_F(WorkingLife, SessionContextBringsTheUnspokenDecision) {
  // "Agreed to drop the legacy CSV export" never mentions the roadmap; it was
  // said right after the roadmap review, in the same session.
  const RecallResult r = recall(ask("what came out of the Q3 roadmap review"));
  ASSERT_FALSE(r.matches.empty());
  EXPECT_EQ(r.matches[0].memory.id, outcome("roadmap").memory_id) << describe(r);
  const Uuid csv = outcome("csv").memory_id;
  const std::ptrdiff_t as_match = position(r.matches, csv);
  const std::ptrdiff_t as_association = position(r.associations, csv);
  ASSERT_TRUE(as_match >= 0 || as_association >= 0) << describe(r);
  if (as_match >= 0) {
    EXPECT_LT(as_match, 5) << describe(r);
    EXPECT_EQ(r.matches[static_cast<std::size_t>(as_match)].why.evidence_from,
              outcome("roadmap").memory_id);
  }
}

TEST_F(WorkingLife, TokenBudgetListsTheRestAsExpandable) {
  RecallRequest request = ask("fixed a race condition in the scheduler");
  request.limit = 20;
  request.token_budget = 150;
  const RecallResult r = recall(request);
  EXPECT_FALSE(r.matches.empty());
  EXPECT_FALSE(r.expandable.empty());
  EXPECT_LE(r.tokens_used, 150u);
  // What did not fit is listed, not lost: shown and expandable never overlap,
  // and together they hold the 20 matches asked for.
  EXPECT_LT(r.matches.size(), 20u);
  std::set<Uuid> shown;
  for (const RecalledMemory& m : r.matches) shown.insert(m.memory.id);
  for (const RecalledMemory& m : r.associations) shown.insert(m.memory.id);
  for (const Uuid& id : r.expandable) EXPECT_FALSE(shown.contains(id));
  EXPECT_GE(r.matches.size() + r.expandable.size(), 20u);
  const Json j = r.to_json();
  EXPECT_EQ(j["expandable"].size(), r.expandable.size());
  EXPECT_EQ(j["token_budget"], 150);
}

TEST_F(WorkingLife, RecallRecordsAccess) {
  const Uuid id = outcome("gotest").memory_id;
  const std::int64_t before = world_->store->get(id)->engine.access_count;
  RecallRequest request = ask("go test race billing");
  request.codebase = "billing";
  request.limit = 1;
  request.record_access = true;
  ASSERT_EQ(recall(request).matches.at(0).memory.id, id);
  EXPECT_EQ(world_->store->get(id)->engine.access_count, before + 1);
}

}  // namespace
}  // namespace vestige::scenario
