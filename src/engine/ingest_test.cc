#include "engine/ingest.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/importance.h"
#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// Every test runs the gate against a real SQLite store in a fresh directory
// with the builtin hashing embedder, so the similarities below are what that
// embedder measures (noted next to each pair of texts).

namespace vestige::engine {
namespace {

using std::chrono::hours;

constexpr std::string_view kMySql = "We use MySQL as the database";
// 0.7586 to kMySql: related, and "no", "longer", "now" are new.
constexpr std::string_view kPostgres = "We no longer use MySQL; the database is now PostgreSQL";
constexpr std::string_view kPort = "The API server listens on port 8080 in development";
// 0.9362 to kPort: a restatement.
constexpr std::string_view kPortAgain = "The API server listens on port 8080 in development mode";
constexpr std::string_view kCi = "The CI pipeline runs the unit tests on every push to main";
// 0.8423 to kCi: an addition without negation.
constexpr std::string_view kCiMore =
    "The CI pipeline runs the unit tests on every push to main and uploads coverage to Codecov";
// 0.1098 to the deploy text: unrelated.
constexpr std::string_view kDeploy = "Deploys run from the main branch through GitHub Actions";
constexpr std::string_view kRecipe = "The recipe needs two cups of flour and one egg";

// Corrections below the related threshold (announces_change). 0.5197 apart:
// the change is announced ("lowered") and the subject shared (billing, api,
// 120, seconds).
constexpr std::string_view kCache = "Cached responses in the billing API expire after 120 seconds";
constexpr std::string_view kCacheLowered =
    "We lowered the billing API cache lifetime from 120 to 20 seconds after users saw stale "
    "numbers";
constexpr std::string_view kBillingDb = "The billing API runs on PostgreSQL 15";
// 0.4955 to kBillingDb: about the same API, but a new fact with a plain
// negation, not a change of the database.
constexpr std::string_view kBillingMigrations =
    "The billing API does not run database migrations on startup";

Timestamp t0() {
  return *parse_timestamp("2026-03-01T09:00:00Z");
}

IngestItem item(std::string_view content) {
  IngestItem i;
  i.content = std::string(content);
  return i;
}

class IngestTest : public ::testing::Test {
 protected:
  IngestTest()
      : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})),
        embedder_(resolve_embedder("builtin/hash-384", {})) {
    store_->register_model(embedder_->signature());
  }

  IngestGate gate(IngestOptions options = {}) { return IngestGate(*store_, *embedder_, options); }
  Memory get(const Uuid& id) {
    std::optional<Memory> m = store_->get(id);
    EXPECT_TRUE(m.has_value());
    return m.value_or(Memory{});
  }
  std::int64_t count() { return store_->stats(t0()).memories; }
  std::vector<Edge> outgoing(const Uuid& id, std::string_view type) {
    std::vector<Edge> found;
    for (const Edge& e : store_->edges(id, EdgeDirection::kOutgoing)) {
      if (e.edge_type == type) found.push_back(e);
    }
    return found;
  }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  std::unique_ptr<Embedder> embedder_;
};

TEST_F(IngestTest, FirstTextCreatesWithInitialSchedulingAndImportance) {
  IngestGate g = gate();
  const IngestResult r = g.ingest(item(kDeploy), t0());
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_FALSE(r.similarity.has_value());
  EXPECT_FALSE(r.reason.empty());

  const Memory m = get(r.memory_id);
  EXPECT_EQ(m.content, kDeploy);
  EXPECT_EQ(m.node_type, "fact");
  EXPECT_EQ(m.created_at, t0());
  ASSERT_TRUE(m.embedding.has_value());
  EXPECT_EQ(*m.embedding, embedder_->embed(kDeploy));
  EXPECT_DOUBLE_EQ(m.engine.importance, importance(kDeploy, std::nullopt));

  const std::optional<SchedulingState> s = store_->get_scheduling(r.memory_id);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, Scheduler().initial_state(r.memory_id, t0()));
}

TEST_F(IngestTest, UnrelatedTextCreatesAndReportsTheNearestSimilarity) {
  IngestGate g = gate();
  const IngestResult first = g.ingest(item(kDeploy), t0());
  const IngestResult r = g.ingest(item(kRecipe), t0());
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_NE(r.memory_id, first.memory_id);
  ASSERT_TRUE(r.similarity.has_value());
  EXPECT_LT(*r.similarity, 0.75);
  EXPECT_EQ(count(), 2);
  EXPECT_DOUBLE_EQ(get(r.memory_id).engine.importance, importance(kRecipe, *r.similarity));
}

TEST_F(IngestTest, NearIdenticalRestatementReinforces) {
  IngestGate g = gate();
  IngestItem original = item(kPort);
  original.tags = {"dev"};
  const IngestResult first = g.ingest(original, t0());

  IngestItem again = item(kPortAgain);
  again.tags = {"dev", "network"};
  const IngestResult r = g.ingest(again, t0() + hours(1));
  EXPECT_EQ(r.decision, IngestDecision::kReinforce);
  EXPECT_EQ(r.memory_id, first.memory_id);
  ASSERT_TRUE(r.similarity.has_value());
  EXPECT_GE(*r.similarity, 0.92);
  EXPECT_NEAR(*r.similarity, 0.9362, 1e-3);
  EXPECT_EQ(count(), 1);

  const Memory m = get(first.memory_id);
  EXPECT_EQ(m.content, kPort);  // no text merged
  EXPECT_EQ(m.tags, (std::vector<std::string>{"dev", "network"}));
  EXPECT_EQ(m.engine.access_count, 1);
  EXPECT_EQ(m.engine.last_accessed_at, t0() + hours(1));
  EXPECT_DOUBLE_EQ(m.engine.storage_strength, 1.1);
  EXPECT_TRUE(m.embedding.has_value());  // the update kept the vector
  const Json& history = m.metadata.at(std::string(kHistoryKey));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("decision"), "reinforce");
  EXPECT_EQ(history[0].at("content"), kPortAgain);
}

TEST_F(IngestTest, CorrectionSupersedesAndDemotesTheOldMemory) {
  IngestGate g = gate();
  const IngestResult old = g.ingest(item(kMySql), t0());
  const double retrieval_before = get(old.memory_id).engine.retrieval_strength;

  const IngestResult r = g.ingest(item(kPostgres), t0() + hours(2));
  EXPECT_EQ(r.decision, IngestDecision::kSupersede);
  ASSERT_TRUE(r.similarity.has_value());
  // The builtin embedder puts this pair just above the related threshold.
  EXPECT_GE(*r.similarity, 0.75);
  EXPECT_NEAR(*r.similarity, 0.7586, 1e-3);
  EXPECT_NE(r.memory_id, old.memory_id);
  EXPECT_EQ(r.superseded_id, old.memory_id);
  EXPECT_EQ(count(), 2);

  const Memory replaced = get(old.memory_id);
  EXPECT_EQ(replaced.content, kMySql);
  EXPECT_EQ(replaced.engine.superseded_by, r.memory_id);
  EXPECT_LT(replaced.engine.retrieval_strength, retrieval_before);
  EXPECT_EQ(get(r.memory_id).content, kPostgres);
  EXPECT_FALSE(get(r.memory_id).engine.superseded_by.has_value());
  EXPECT_TRUE(store_->get_scheduling(r.memory_id).has_value());

  const std::vector<Edge> edges = outgoing(r.memory_id, kSupersedesEdge);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].target_id, old.memory_id);
}

TEST_F(IngestTest, AnnouncedChangeBelowTheRelatedThresholdSupersedes) {
  IngestGate g = gate();
  const IngestResult old = g.ingest(item(kCache), t0());
  g.ingest(item(kDeploy), t0());

  const IngestResult r = g.ingest(item(kCacheLowered), t0() + hours(1));
  EXPECT_EQ(r.decision, IngestDecision::kSupersede);
  ASSERT_TRUE(r.similarity.has_value());
  EXPECT_NEAR(*r.similarity, 0.5197, 1e-3);
  EXPECT_EQ(r.superseded_id, old.memory_id);
  EXPECT_NE(r.reason.find("announces a change"), std::string::npos) << r.reason;
  EXPECT_EQ(get(old.memory_id).engine.superseded_by, r.memory_id);
  EXPECT_EQ(get(r.memory_id).content, kCacheLowered);
  ASSERT_EQ(outgoing(r.memory_id, kSupersedesEdge).size(), 1u);
  EXPECT_EQ(count(), 3);
}

TEST_F(IngestTest, SimilarNewFactWithoutAnAnnouncedChangeCreates) {
  IngestGate g = gate();
  const IngestResult old = g.ingest(item(kBillingDb), t0());

  // Similar (0.4955, above correction_threshold) and negated, but it states
  // something new about the API instead of changing what was stated.
  const IngestResult r = g.ingest(item(kBillingMigrations), t0() + hours(1));
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_NEAR(r.similarity.value_or(0.0), 0.4955, 1e-3);
  EXPECT_FALSE(get(old.memory_id).engine.superseded_by.has_value());
  EXPECT_EQ(count(), 2);
}

TEST_F(IngestTest, AnnouncedChangeOfAnotherSubjectCreates) {
  // Even with no similarity floor, a change word alone does not supersede:
  // the texts share no subject.
  IngestGate g = gate({.correction_threshold = 0.0});
  const IngestResult old = g.ingest(item(kCache), t0());
  const IngestResult r = g.ingest(item("We moved the team offsite to Porto"), t0() + hours(1));
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_FALSE(get(old.memory_id).engine.superseded_by.has_value());
}

TEST_F(IngestTest, CorrectionThresholdIsAnOption) {
  IngestGate g = gate({.correction_threshold = 0.6});
  const IngestResult old = g.ingest(item(kCache), t0());
  const IngestResult r = g.ingest(item(kCacheLowered), t0() + hours(1));
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_FALSE(get(old.memory_id).engine.superseded_by.has_value());
}

TEST_F(IngestTest, SupersededMemoryIsNoLongerACandidate) {
  IngestGate g = gate();
  const IngestResult old = g.ingest(item(kMySql), t0());
  const IngestResult correction = g.ingest(item(kPostgres), t0());
  ASSERT_EQ(correction.decision, IngestDecision::kSupersede);
  // Identical to the superseded text, but that memory is history now: the
  // gate must not revive it by reinforcing it.
  const IngestResult r = g.ingest(item(kMySql), t0());
  EXPECT_NE(r.memory_id, old.memory_id);
  EXPECT_EQ(get(old.memory_id).engine.access_count, 0);
}

TEST_F(IngestTest, RelatedAdditionUpdatesInPlace) {
  IngestGate g = gate();
  const IngestResult first = g.ingest(item(kCi), t0());
  const std::optional<SchedulingState> scheduling = store_->get_scheduling(first.memory_id);

  IngestItem more = item(kCiMore);
  more.tags = {"ci"};
  const IngestResult r = g.ingest(more, t0() + hours(3));
  EXPECT_EQ(r.decision, IngestDecision::kUpdate);
  EXPECT_EQ(r.memory_id, first.memory_id);
  ASSERT_TRUE(r.similarity.has_value());
  EXPECT_NEAR(*r.similarity, 0.8423, 1e-3);
  EXPECT_FALSE(r.superseded_id.has_value());
  EXPECT_EQ(count(), 1);

  const Memory m = get(first.memory_id);
  const std::string merged =
      std::string(kCi) + std::string(kUpdateSeparator) + std::string(kCiMore);
  EXPECT_EQ(m.content, merged);
  ASSERT_TRUE(m.embedding.has_value());
  EXPECT_EQ(*m.embedding, embedder_->embed(merged));
  EXPECT_EQ(m.tags, std::vector<std::string>{"ci"});
  EXPECT_EQ(store_->get_scheduling(first.memory_id), scheduling);
  const Json& history = m.metadata.at(std::string(kHistoryKey));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("decision"), "update");
  EXPECT_EQ(history[0].at("content"), kCiMore);
  EXPECT_EQ(history[0].at("at"), format_timestamp(t0() + hours(3)));
}

TEST_F(IngestTest, ThresholdsAreOptions) {
  // With a stricter reinforce threshold the 0.9362 restatement is only related.
  IngestGate g = gate({.reinforce_threshold = 0.99, .related_threshold = 0.75, .neighbours = 10});
  const IngestResult first = g.ingest(item(kPort), t0());
  const IngestResult r = g.ingest(item(kPortAgain), t0());
  EXPECT_EQ(r.decision, IngestDecision::kUpdate);
  EXPECT_EQ(r.memory_id, first.memory_id);

  // With a looser related threshold the unrelated recipe would still not
  // qualify at 0.75, but does at 0.0.
  IngestGate loose =
      gate({.reinforce_threshold = 0.99, .related_threshold = 0.0, .neighbours = 10});
  EXPECT_EQ(loose.ingest(item(kRecipe), t0()).decision, IngestDecision::kUpdate);
}

TEST_F(IngestTest, ForceCreateSkipsTheGate) {
  IngestGate g = gate();
  const IngestResult first = g.ingest(item(kPort), t0());
  IngestItem forced = item(kPort);
  forced.force_create = true;
  const IngestResult r = g.ingest(forced, t0());
  EXPECT_EQ(r.decision, IngestDecision::kCreate);
  EXPECT_NE(r.memory_id, first.memory_id);
  EXPECT_EQ(count(), 2);
  EXPECT_EQ(get(first.memory_id).engine.access_count, 0);
  EXPECT_TRUE(store_->get_scheduling(r.memory_id).has_value());
}

TEST_F(IngestTest, ContextGoesToCodebaseAndMetadata) {
  IngestGate g = gate();
  IngestItem i = item(kDeploy);
  i.node_type = "decision";
  i.tags = {"deploy"};
  i.codebase = "vestige";
  i.file = "docs/deploy.md";
  i.topics = {"ci", "release"};
  i.session_id = "s-42";
  i.client = "claude-code";
  i.metadata = {{"source", "chat"}};
  const Memory m = get(g.ingest(i, t0()).memory_id);
  EXPECT_EQ(m.node_type, "decision");
  EXPECT_EQ(m.tags, std::vector<std::string>{"deploy"});
  EXPECT_EQ(m.codebase, "vestige");
  EXPECT_EQ(m.metadata.at("file"), "docs/deploy.md");
  EXPECT_EQ(m.metadata.at("topics"), Json::array({"ci", "release"}));
  EXPECT_EQ(m.metadata.at("session_id"), "s-42");
  EXPECT_EQ(m.metadata.at("mcp_client_id"), "claude-code");
  EXPECT_EQ(m.metadata.at("source"), "chat");
}

TEST_F(IngestTest, ReinforceKeepsTheNewItemsContextInHistory) {
  IngestGate g = gate();
  const IngestResult first = g.ingest(item(kPort), t0());
  IngestItem again = item(kPortAgain);
  again.file = "README.md";
  again.session_id = "s-7";
  g.ingest(again, t0());
  // A copy: the memory get() returns is a temporary.
  const Memory m = get(first.memory_id);
  const Json& entry = m.metadata.at(std::string(kHistoryKey)).at(0);
  EXPECT_EQ(entry.at("metadata").at("file"), "README.md");
  EXPECT_EQ(entry.at("metadata").at("session_id"), "s-7");
}

TEST_F(IngestTest, CodebasesAreSeparateScopes) {
  IngestGate g = gate();
  IngestItem a = item(kPort);
  a.codebase = "alpha";
  const IngestResult first = g.ingest(a, t0());

  IngestItem b = item(kPort);
  b.codebase = "beta";
  EXPECT_EQ(g.ingest(b, t0()).decision, IngestDecision::kCreate);
  // Unscoped is a scope of its own too.
  EXPECT_EQ(g.ingest(item(kPort), t0()).decision, IngestDecision::kCreate);

  const IngestResult same = g.ingest(a, t0());
  EXPECT_EQ(same.decision, IngestDecision::kReinforce);
  EXPECT_EQ(same.memory_id, first.memory_id);
}

TEST_F(IngestTest, EmptyContentIsRefused) {
  IngestGate g = gate();
  EXPECT_EQ(testing::capture_error([&] { g.ingest(item(""), t0()); }).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(count(), 0);
}

TEST_F(IngestTest, BatchItemsSeeEarlierItems) {
  IngestGate g = gate();
  const std::vector<IngestItem> items = {item(kPort), item(kPortAgain), item(kRecipe)};
  const std::vector<IngestResult> r = g.ingest_batch(items, t0());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].decision, IngestDecision::kCreate);
  EXPECT_EQ(r[1].decision, IngestDecision::kReinforce);
  EXPECT_EQ(r[1].memory_id, r[0].memory_id);
  EXPECT_EQ(r[2].decision, IngestDecision::kCreate);
  EXPECT_EQ(count(), 2);
}

TEST_F(IngestTest, BatchOfMoreThanTwentyIsRefusedBeforeWriting) {
  IngestGate g = gate();
  std::vector<IngestItem> items;
  for (int i = 0; i < 21; ++i) items.push_back(item("Note number " + std::to_string(i)));
  EXPECT_EQ(testing::capture_error([&] { g.ingest_batch(items, t0()); }).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(count(), 0);

  items.pop_back();
  EXPECT_EQ(g.ingest_batch(items, t0()).size(), 20u);
}

TEST_F(IngestTest, BatchWithAnInvalidItemWritesNothing) {
  IngestGate g = gate();
  const std::vector<IngestItem> items = {item(kDeploy), item("")};
  EXPECT_EQ(testing::capture_error([&] { g.ingest_batch(items, t0()); }).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(count(), 0);
}

TEST_F(IngestTest, BatchLinksEachSessionInOrder) {
  IngestGate g = gate();
  auto in_session = [](std::string_view content, std::optional<std::string> session) {
    IngestItem i = item(content);
    i.session_id = std::move(session);
    return i;
  };
  const std::vector<IngestItem> items = {in_session(kDeploy, "s1"), in_session(kRecipe, "s2"),
                                         in_session(kCi, "s1"), in_session(kMySql, std::nullopt),
                                         in_session(kPort, "s1")};
  const std::vector<IngestResult> r = g.ingest_batch(items, t0());
  ASSERT_EQ(r.size(), 5u);
  for (const IngestResult& x : r) ASSERT_EQ(x.decision, IngestDecision::kCreate);

  const std::vector<Edge> from_first = outgoing(r[0].memory_id, kTemporalEdge);
  ASSERT_EQ(from_first.size(), 1u);
  EXPECT_EQ(from_first[0].target_id, r[2].memory_id);
  EXPECT_EQ(from_first[0].metadata.at("session_id"), "s1");
  const std::vector<Edge> from_third = outgoing(r[2].memory_id, kTemporalEdge);
  ASSERT_EQ(from_third.size(), 1u);
  EXPECT_EQ(from_third[0].target_id, r[4].memory_id);
  EXPECT_TRUE(outgoing(r[4].memory_id, kTemporalEdge).empty());
  // Alone in its session, or in none: no links.
  EXPECT_TRUE(store_->edges(r[1].memory_id, EdgeDirection::kBoth).empty());
  EXPECT_TRUE(store_->edges(r[3].memory_id, EdgeDirection::kBoth).empty());
}

TEST_F(IngestTest, BatchSkipsTheLinkWhenASessionRepeatsItself) {
  IngestGate g = gate();
  IngestItem a = item(kPort);
  a.session_id = "s1";
  IngestItem b = item(kPortAgain);
  b.session_id = "s1";
  IngestItem c = item(kRecipe);
  c.session_id = "s1";
  const std::vector<IngestItem> items = {a, b, c};
  const std::vector<IngestResult> r = g.ingest_batch(items, t0());
  ASSERT_EQ(r[1].memory_id, r[0].memory_id);
  const std::vector<Edge> edges = outgoing(r[0].memory_id, kTemporalEdge);
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0].target_id, r[2].memory_id);
}

TEST_F(IngestTest, MarkedTextScoresHigherImportanceThanBlandText) {
  IngestGate g = gate();
  const IngestResult marked =
      g.ingest(item("Always remember to run clang-format before committing C++ changes"), t0());
  const IngestResult bland =
      g.ingest(item("The office coffee machine was serviced on Tuesday"), t0());
  ASSERT_EQ(marked.decision, IngestDecision::kCreate);
  ASSERT_EQ(bland.decision, IngestDecision::kCreate);
  EXPECT_GT(get(marked.memory_id).engine.importance, get(bland.memory_id).engine.importance);
}

TEST(NegatesOrCorrects, OnlyMarkersNewToTheTextCount) {
  EXPECT_TRUE(negates_or_corrects(kPostgres, kMySql));
  EXPECT_TRUE(negates_or_corrects("Actually the port is 9090", "The port is 8080"));
  EXPECT_TRUE(negates_or_corrects("We don't deploy on Fridays", "We deploy on Fridays"));
  EXPECT_TRUE(negates_or_corrects("We now use Poetry for packaging", "We use pip for packaging"));
  EXPECT_FALSE(negates_or_corrects("We never deploy on a Friday", "We never deploy on Fridays"));
  EXPECT_FALSE(negates_or_corrects(kCiMore, kCi));
  EXPECT_FALSE(negates_or_corrects("Known limitations are listed", "Nothing is known"));
}

TEST(AnnouncesChange, NeedsAChangeWordNewToTheTextAndASharedSubject) {
  EXPECT_TRUE(announces_change(kCacheLowered, kCache));
  EXPECT_TRUE(
      announces_change("Lena handed Kestrel over to Rafael, who now approves schema changes",
                       "Lena leads Kestrel and signs off on every schema change"));
  EXPECT_TRUE(announces_change("The tests no longer run with make test; use ctest",
                               "The tests run with make test"));
  EXPECT_TRUE(announces_change("Correction: the staging host is db-2", "The staging host is db-1"));
  // Plain negations are new facts, not changes.
  EXPECT_FALSE(announces_change(kBillingMigrations, kBillingDb));
  // The old text already carries the marker.
  EXPECT_FALSE(announces_change("Harbor moved its cache to Redis last week",
                                "Harbor moved its cache to Memcached last year"));
  // One shared word ("billing") is not a shared subject.
  EXPECT_FALSE(announces_change("We switched the billing team to weekly releases", kCache));
  EXPECT_FALSE(announces_change(kCiMore, kCi));
}

TEST(DecisionName, NamesEveryDecision) {
  EXPECT_EQ(decision_name(IngestDecision::kCreate), "create");
  EXPECT_EQ(decision_name(IngestDecision::kReinforce), "reinforce");
  EXPECT_EQ(decision_name(IngestDecision::kUpdate), "update");
  EXPECT_EQ(decision_name(IngestDecision::kSupersede), "supersede");
}

}  // namespace
}  // namespace vestige::engine
