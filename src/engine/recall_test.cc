#include "engine/recall.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/ingest.h"
#include "engine/strength.h"
#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// The recall pipeline against a real SQLite store with the builtin hashing
// embedder. Memories are inserted directly (with chosen creation times) when a
// test needs exact control, and through the ingest gate when it is about what
// ingest produces (supersession, session edges).

namespace vestige::engine {
namespace {

using std::chrono::days;
using std::chrono::hours;

Timestamp t0() {
  return *parse_timestamp("2026-06-01T09:00:00Z");
}

class RecallTest : public ::testing::Test {
 protected:
  RecallTest()
      : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})),
        embedder_(resolve_embedder("builtin/hash-384", {})) {
    store_->register_model(embedder_->signature());
  }

  // A memory created at `created`, embedded unless `embed` is false.
  Uuid add(const std::string& content, Timestamp created, bool embed = true,
           std::vector<std::string> tags = {}, std::string node_type = "fact",
           std::optional<std::string> codebase = std::nullopt) {
    Memory m;
    m.content = content;
    m.created_at = created;
    m.tags = std::move(tags);
    m.node_type = std::move(node_type);
    m.codebase = std::move(codebase);
    if (embed) m.embedding = embedder_->embed(content);
    return store_->insert(m).id;
  }
  void link(const Uuid& a, const Uuid& b, const std::string& type, double weight = 1.0) {
    Edge e;
    e.source_id = a;
    e.target_id = b;
    e.edge_type = type;
    e.weight = weight;
    store_->add_edge(e);
  }
  RecallResult recall(RecallRequest request, Timestamp now = t0()) {
    return Recaller(*store_, *embedder_).recall(request, now);
  }
  static RecallRequest query(const std::string& text) {
    RecallRequest r;
    r.query = text;
    return r;
  }
  static std::vector<Uuid> ids(const std::vector<RecalledMemory>& results) {
    std::vector<Uuid> out;
    for (const RecalledMemory& r : results) out.push_back(r.memory.id);
    return out;
  }
  static const RecalledMemory* find(const std::vector<RecalledMemory>& results, const Uuid& id) {
    for (const RecalledMemory& r : results) {
      if (r.memory.id == id) return &r;
    }
    return nullptr;
  }
  static std::ptrdiff_t position(const std::vector<RecalledMemory>& results, const Uuid& id) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].memory.id == id) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  std::unique_ptr<Embedder> embedder_;
};

TEST_F(RecallTest, BestTextMatchFirstWithWhy) {
  const Uuid pool = add("The database connection pool holds twenty connections", t0() - days(3));
  add("Lunch is at noon on Fridays", t0() - days(3));
  add("The build uses CMake with Ninja", t0() - days(3));
  const RecallResult r = recall(query("database connection pool"));
  ASSERT_FALSE(r.matches.empty());
  const RecalledMemory& top = r.matches.front();
  EXPECT_EQ(top.memory.id, pool);
  EXPECT_EQ(top.kind, ResultKind::kMatch);
  EXPECT_EQ(top.rank, 1u);
  EXPECT_EQ(top.why.text_rank, 1u);
  EXPECT_DOUBLE_EQ(top.why.text_relevance, 1.0);
  EXPECT_TRUE(top.why.vector_rank.has_value());
  EXPECT_NE(top.why.summary.find("text rank 1"), std::string::npos) << top.why.summary;
  for (std::size_t i = 1; i < r.matches.size(); ++i) {
    EXPECT_GE(r.matches[i - 1].score, r.matches[i].score);
  }
}

TEST_F(RecallTest, StrongOldMatchIsNotBuriedByWeakFreshOne) {
  // Six months old: retention about 0.39, recency about 0 (hand-computed in
  // strength.h terms: R(180 d, S = 2.3065) = 0.51, 0.7 * 0.51 + 0.3 * 0.1).
  const Uuid old_match = add(
      "Production deploys need the release checklist signed by the on-call lead", t0() - days(180));
  const Uuid fresh_weak = add("The release party is on Friday", t0() - hours(1));
  const RecallResult r = recall(query("release checklist for production deploys"));
  ASSERT_GE(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].memory.id, old_match);
  EXPECT_LT(r.matches[0].retention, 0.45);
  EXPECT_GT(position(r.matches, fresh_weak), 0);
}

TEST_F(RecallTest, RetentionAndRecencyBreakTiesBetweenEqualMatches) {
  const std::string text = "Use tabs for indentation in the Makefile";
  const Uuid old_copy = add(text, t0() - days(90));
  const Uuid new_copy = add(text, t0() - hours(2));
  const RecallResult r = recall(query("indentation in the Makefile"));
  ASSERT_GE(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].memory.id, new_copy);
  EXPECT_EQ(r.matches[1].memory.id, old_copy);
  EXPECT_DOUBLE_EQ(r.matches[0].why.relevance, r.matches[1].why.relevance);
  EXPECT_GT(r.matches[0].why.retention, r.matches[1].why.retention);
  EXPECT_GT(r.matches[0].why.recency, r.matches[1].why.recency);
}

TEST_F(RecallTest, SupersededRanksBelowItsSuccessorAndIsMarked) {
  IngestGate gate(*store_, *embedder_);
  IngestItem old_item;
  old_item.content = "We use MySQL as the database";
  const Uuid old_id = gate.ingest(old_item, t0() - days(30)).memory_id;
  IngestItem correction;
  correction.content = "We no longer use MySQL; the database is now PostgreSQL";
  const IngestResult corrected = gate.ingest(correction, t0() - days(1));
  ASSERT_EQ(corrected.decision, IngestDecision::kSupersede);

  // "MySQL database" matches the old text better (shorter, both words).
  const RecallResult r = recall(query("which database: MySQL"));
  const std::ptrdiff_t current = position(r.matches, corrected.memory_id);
  const std::ptrdiff_t superseded = position(r.matches, old_id);
  ASSERT_GE(current, 0);
  ASSERT_GE(superseded, 0);
  EXPECT_LT(current, superseded);
  EXPECT_EQ(r.matches[static_cast<std::size_t>(superseded)].superseded_by, corrected.memory_id);
  EXPECT_FALSE(r.matches[static_cast<std::size_t>(current)].superseded_by.has_value());
  EXPECT_NE(r.to_text().find("[superseded by " + corrected.memory_id.to_string() + "]"),
            std::string::npos);
  const Json j = r.to_json();
  EXPECT_EQ(j["matches"][superseded]["superseded"], true);
  EXPECT_EQ(j["matches"][superseded]["superseded_by"], corrected.memory_id.to_string());

  RecallRequest only_current = query("which database: MySQL");
  only_current.include_superseded = false;
  const RecallResult without = recall(only_current);
  EXPECT_EQ(position(without.matches, old_id), -1);
  EXPECT_EQ(position(without.matches, corrected.memory_id), 0);
}

TEST_F(RecallTest, SuccessorTheSearchMissedIsBroughtIn) {
  // The successor has no embedding and shares no word with the query, so
  // neither search branch can find it: only supersession brings it in.
  const Uuid successor = add("Builds now run on the hermes machine", t0() - days(2), false);
  const Uuid old_id = add("The staging server is called atlas", t0() - days(40));
  Memory old_row = *store_->get(old_id);
  old_row.engine.superseded_by = successor;
  store_->update(old_row);

  const RecallResult r = recall(query("atlas staging server"));
  ASSERT_GE(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].memory.id, successor);
  EXPECT_TRUE(r.matches[0].why.pulled_in_as_successor);
  EXPECT_EQ(r.matches[1].memory.id, old_id);
  EXPECT_EQ(r.matches[1].superseded_by, successor);
}

TEST_F(RecallTest, SuppressedMemoriesNeverAppear) {
  const Uuid visible = add("The API token rotates every ninety days", t0() - days(1));
  Memory hidden;
  hidden.content = "The API token is stored in the vault";
  hidden.embedding = embedder_->embed(hidden.content);
  hidden.engine.suppressed = true;
  hidden.created_at = t0() - days(1);
  const Uuid hidden_id = store_->insert(hidden).id;
  link(visible, hidden_id, "related");
  const RecallResult r = recall(query("API token"));
  EXPECT_EQ(position(r.matches, visible), 0);
  EXPECT_EQ(position(r.matches, hidden_id), -1);
  EXPECT_EQ(position(r.associations, hidden_id), -1);
}

TEST_F(RecallTest, FiltersOnTagsTypesCodebaseAndRetention) {
  const Uuid tagged = add("Run the linter before committing", t0() - days(1), true,
                          {"workflow", "lint"}, "preference", "alpha");
  const Uuid other_type = add("Run the linter in CI as well", t0() - days(1), true,
                              {"workflow", "lint"}, "decision", "alpha");
  const Uuid other_repo = add("Run the linter with the strict profile", t0() - days(1), true,
                              {"workflow", "lint"}, "preference", "beta");
  const Uuid faded = add("Run the linter on generated files too", t0() - days(400), true,
                         {"workflow", "lint"}, "preference", "alpha");

  // Without access recording: a recall would refresh the faded memory.
  auto query = [](const std::string& text) {
    RecallRequest r = RecallTest::query(text);
    r.record_access = false;
    return r;
  };
  RecallRequest by_tags = query("run the linter");
  by_tags.tags = {"lint", "workflow"};
  EXPECT_EQ(recall(by_tags).matches.size(), 4u);
  by_tags.tags = {"lint", "missing"};
  EXPECT_TRUE(recall(by_tags).matches.empty());

  RecallRequest by_type = query("run the linter");
  by_type.node_types = {"decision"};
  EXPECT_EQ(ids(recall(by_type).matches), std::vector<Uuid>{other_type});

  RecallRequest by_repo = query("run the linter");
  by_repo.codebase = "beta";
  EXPECT_EQ(ids(recall(by_repo).matches), std::vector<Uuid>{other_repo});

  // 400 days unreviewed: retention 0.7 * R(400) + 0.3 * 0.1 < 0.4; the others
  // are a day old (about 0.69).
  RecallRequest strong = query("run the linter");
  strong.codebase = "alpha";
  strong.node_types = {"preference"};
  strong.min_retention = 0.5;
  EXPECT_EQ(ids(recall(strong).matches), std::vector<Uuid>{tagged});
  strong.min_retention.reset();
  const RecallResult both = recall(strong);
  EXPECT_EQ(both.matches.size(), 2u);
  ASSERT_NE(find(both.matches, faded), nullptr);
  EXPECT_LT(find(both.matches, faded)->retention, 0.4);
}

TEST_F(RecallTest, SessionNeighbourGivesEvidence) {
  // b and c are the same kind of sentence; only b was said right after a.
  const Uuid a = add("We reviewed the quarterly roadmap with the product team", t0() - days(2));
  const Uuid b = add("It was decided to postpone the mobile launch", t0() - days(2));
  const Uuid c = add("It was decided to postpone the mobile redesign", t0() - days(2));
  link(a, b, std::string(kTemporalEdge));
  const RecallResult r = recall(query("quarterly roadmap"));
  ASSERT_GE(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].memory.id, a);
  const RecalledMemory* with_context = find(r.matches, b);
  ASSERT_NE(with_context, nullptr);
  EXPECT_DOUBLE_EQ(with_context->why.neighbour_evidence, 0.3);  // share 0.3 x relevance 1
  EXPECT_EQ(with_context->why.evidence_from, a);
  const std::ptrdiff_t without_context = position(r.matches, c);
  if (without_context >= 0) {
    EXPECT_LT(position(r.matches, b), without_context);
  }
  EXPECT_NE(with_context->why.summary.find("session neighbour"), std::string::npos);
}

TEST_F(RecallTest, LinkedMemoriesComeBackAsAssociations) {
  const Uuid match = add("Rotate the signing keys before the audit", t0() - days(1));
  // No embedding and no shared word: only the graph can surface these.
  const Uuid linked = add("Auditors want evidence in the compliance folder", t0() - days(1), false);
  const Uuid two_hops = add("Compliance folder lives on the shared drive", t0() - days(1), false);
  const Uuid weak = add("Unrelated note about parking", t0() - days(1), false);
  link(match, linked, "related", 1.0);
  link(linked, two_hops, "related", 0.5);
  link(match, weak, "related", 0.1);  // 0.07: below the threshold
  RecallRequest request = query("signing keys audit");
  request.limit = 1;
  const RecallResult r = recall(request);
  ASSERT_EQ(ids(r.matches), std::vector<Uuid>{match});
  ASSERT_EQ(r.associations.size(), 2u);
  EXPECT_EQ(r.associations[0].memory.id, linked);
  EXPECT_EQ(r.associations[0].kind, ResultKind::kAssociation);
  EXPECT_DOUBLE_EQ(*r.associations[0].why.activation, 0.7);
  EXPECT_EQ(r.associations[1].memory.id, two_hops);
  EXPECT_NEAR(*r.associations[1].why.activation, 0.245, 1e-12);  // 0.7 * 0.7 * 0.5
  EXPECT_EQ(r.associations[1].why.association_path.size(), 2u);
  EXPECT_EQ(r.to_json()["associations"][0]["kind"], "association");

  request.max_associations = 0;
  EXPECT_TRUE(recall(request).associations.empty());
}

TEST_F(RecallTest, DetailLevelsShapeTheText) {
  const std::string first_line(200, 'x');
  const std::string content = "kubernetes " + first_line + "\n" + std::string(600, 'y');
  add(content, t0() - days(1));
  RecallRequest request = query("kubernetes");
  request.detail = DetailLevel::kBrief;
  const RecallResult brief = recall(request);
  ASSERT_EQ(brief.matches.size(), 1u);
  EXPECT_EQ(brief.matches[0].text, content.substr(0, kBriefChars) + "...");
  EXPECT_FALSE(brief.to_json()["matches"][0].contains("tags"));

  request.detail = DetailLevel::kSummary;
  const RecallResult summary = recall(request);
  EXPECT_EQ(summary.matches[0].text, content.substr(0, kSummaryChars) + "...");
  EXPECT_TRUE(summary.to_json()["matches"][0].contains("retention"));
  EXPECT_FALSE(summary.to_json()["matches"][0].contains("metadata"));

  request.detail = DetailLevel::kFull;
  const RecallResult full = recall(request);
  EXPECT_EQ(full.matches[0].text, content);
  EXPECT_TRUE(full.to_json()["matches"][0].contains("metadata"));
  EXPECT_EQ(full.to_json()["detail_level"], "full");

  EXPECT_EQ(parse_detail_level("summary"), DetailLevel::kSummary);
  EXPECT_EQ(parse_detail_level("verbose"), std::nullopt);
}

TEST_F(RecallTest, TokenBudgetSplitsIntoShownAndExpandable) {
  // 40 characters each: 10 tokens of text + 16 of overhead = 26.
  const Uuid a = add("zebra alpha aaaaaaaaaaaaaaaaaaaaaaaaaaaa", t0() - hours(1));
  const Uuid b = add("zebra bravo bbbbbbbbbbbbbbbbbbbbbbbbbbbb", t0() - hours(2));
  const Uuid c = add("zebra charlie cccccccccccccccccccccccccc", t0() - hours(3));
  RecallRequest request = query("zebra");
  request.token_budget = 60;  // two fit (52), the third would need 78
  const RecallResult r = recall(request);
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.tokens_used, 52u);
  ASSERT_EQ(r.expandable.size(), 1u);
  std::vector<Uuid> all = ids(r.matches);
  all.push_back(r.expandable[0]);
  std::sort(all.begin(), all.end());
  std::vector<Uuid> expected{a, b, c};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
  EXPECT_NE(r.to_text().find("did not fit the token budget of 60"), std::string::npos);

  request.token_budget = 10;  // not even one
  const RecallResult none = recall(request);
  EXPECT_TRUE(none.matches.empty());
  EXPECT_EQ(none.expandable.size(), 3u);
  EXPECT_EQ(none.tokens_used, 0u);
  EXPECT_EQ(estimate_tokens("abcde"), 2u);
}

TEST_F(RecallTest, ReturnedMemoriesAreRecordedAsAccessed) {
  const Uuid shown = add("Prefer rebase over merge for feature branches", t0() - days(5));
  const Uuid not_shown = add("Coffee machine is on the third floor", t0() - days(5));
  const double storage_before = store_->get(shown)->engine.storage_strength;
  RecallRequest request = query("rebase feature branches");
  request.limit = 1;
  const Timestamp now = t0();
  ASSERT_EQ(ids(recall(request, now).matches), std::vector<Uuid>{shown});
  const Memory after = *store_->get(shown);
  EXPECT_EQ(after.engine.access_count, 1);
  EXPECT_EQ(after.engine.last_accessed_at, now);
  EXPECT_DOUBLE_EQ(after.engine.storage_strength, storage_before + kAccessStorageGain);
  EXPECT_TRUE(after.embedding.has_value());  // the row is otherwise untouched
  EXPECT_EQ(store_->get(not_shown)->engine.access_count, 0);

  request.record_access = false;
  recall(request, now + hours(1));
  EXPECT_EQ(store_->get(shown)->engine.access_count, 1);
}

TEST_F(RecallTest, InvalidRequestsSayWhatToFix) {
  auto error_for = [&](RecallRequest request) {
    return testing::capture_error([&] { recall(request); });
  };
  RecallRequest empty = query("  ");
  EXPECT_NE(std::string(error_for(empty).what()).find("query is empty"), std::string::npos);
  RecallRequest zero = query("x");
  zero.limit = 0;
  EXPECT_EQ(error_for(zero).code(), ErrorCode::kInvalidInput);
  RecallRequest huge = query("x");
  huge.limit = kMaxRecallLimit + 1;
  EXPECT_EQ(error_for(huge).code(), ErrorCode::kInvalidInput);
  RecallRequest retention = query("x");
  retention.min_retention = 1.5;
  EXPECT_NE(std::string(error_for(retention).what()).find("min_retention"), std::string::npos);
  RecallRequest budget = query("x");
  budget.token_budget = 0;
  EXPECT_EQ(error_for(budget).code(), ErrorCode::kInvalidInput);
}

TEST_F(RecallTest, RankFusionNormalisesToRankOneInBothBranches) {
  const Uuid both = add("Nightly backups go to the cold storage bucket", t0() - days(1));
  const Uuid text_only = add("Backups older than a year are deleted", t0() - days(1), false);
  RecallOptions options;
  options.fusion = RecallOptions::Fusion::kRanks;
  options.neighbour_share = 0.0;
  RecallRequest request = query("backups cold storage bucket");
  request.record_access = false;
  const RecallResult r = Recaller(*store_, *embedder_, nullptr, options).recall(request, t0());
  ASSERT_EQ(r.matches.size(), 2u);
  // Rank 1 in both branches: (0.6/11 + 0.4/11) / (1.0/11) = 1.
  EXPECT_EQ(r.matches[0].memory.id, both);
  EXPECT_DOUBLE_EQ(r.matches[0].why.relevance, 1.0);
  // Text rank 2, no vector: (0.6/12) / (1.0/11) = 0.55.
  EXPECT_EQ(r.matches[1].memory.id, text_only);
  EXPECT_DOUBLE_EQ(r.matches[1].why.relevance, 0.6 / 12 / (1.0 / 11));

  options.rrf_k = 0;
  EXPECT_EQ(testing::capture_error([&] { Recaller(*store_, *embedder_, nullptr, options); }).code(),
            ErrorCode::kInvalidInput);
}

TEST_F(RecallTest, EmptyStoreGivesEmptyResult) {
  const RecallResult r = recall(query("anything at all"));
  EXPECT_TRUE(r.matches.empty());
  EXPECT_TRUE(r.associations.empty());
  EXPECT_NE(r.to_text().find("No memories match"), std::string::npos);
}

TEST_F(RecallTest, AssociationsForQueryStartAtTheBestHits) {
  const Uuid hit = add("Grafana dashboards show the queue depth", t0() - days(1));
  const Uuid linked = add("Alert when the backlog grows for ten minutes", t0() - days(1), false);
  link(hit, linked, "related", 0.9);
  Recaller recaller(*store_, *embedder_);
  const std::vector<Activation> reached =
      recaller.associations_for_query("grafana queue depth", 1, {}, t0());
  ASSERT_EQ(reached.size(), 1u);
  EXPECT_EQ(reached[0].id, linked);
  EXPECT_EQ(reached[0].seed, hit);
  EXPECT_NEAR(reached[0].activation, 0.63, 1e-12);
}

}  // namespace
}  // namespace vestige::engine
