#include "engine/intentions.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/node_types.h"
#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

namespace vestige::engine {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::capture_error;

Timestamp t0() {
  return *parse_timestamp("2026-03-01T09:00:00Z");
}

IntentionSpec at(std::string content, Timestamp when) {
  IntentionSpec spec;
  spec.content = std::move(content);
  spec.trigger.at = when;
  return spec;
}

IntentionSpec on_context(std::string content, std::optional<std::string> codebase,
                         std::vector<std::string> keywords) {
  IntentionSpec spec;
  spec.content = std::move(content);
  spec.trigger.codebase = std::move(codebase);
  spec.trigger.keywords = std::move(keywords);
  return spec;
}

IntentionContext context(std::optional<std::string> codebase, std::string text = "",
                         std::vector<std::string> topics = {}) {
  IntentionContext c;
  c.codebase = std::move(codebase);
  c.text = std::move(text);
  c.topics = std::move(topics);
  return c;
}

std::vector<Uuid> ids(const std::vector<FiredIntention>& fired) {
  std::vector<Uuid> out;
  for (const FiredIntention& f : fired) out.push_back(f.intention.id);
  return out;
}

class IntentionsTest : public ::testing::Test {
 protected:
  IntentionsTest() : store_(open_sqlite_store({.path = dir_.path() / "vestige.db"})) {}

  testing::TempDir dir_;
  std::unique_ptr<MemoryStore> store_;
  Intentions intentions_{*store_};
};

TEST_F(IntentionsTest, SetStoresASuppressedIntentionReachableFromTheIndex) {
  const Intention i = intentions_.set(at("Rotate the API keys", t0() + hours(2)), t0());
  EXPECT_EQ(i.status, IntentionStatus::kPending);
  const std::optional<Memory> m = store_->get(i.id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->node_type, kIntentionType);
  EXPECT_TRUE(m->engine.suppressed);  // not knowledge: kept out of recall and search
  EXPECT_EQ(m->metadata["intention"]["status"], "pending");
  EXPECT_EQ(m->metadata["intention"]["trigger"]["at"], "2026-03-01T11:00:00.000000Z");
  const std::optional<Memory> index = store_->get(kIntentionIndexId);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->node_type, kIntentionIndexType);
  const std::vector<Intention> all = intentions_.list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, i.id);
  EXPECT_EQ(all[0].trigger.at, t0() + hours(2));
  EXPECT_EQ(intentions_.get(i.id)->content, "Rotate the API keys");
  EXPECT_FALSE(intentions_.get(kIntentionIndexId));
}

TEST_F(IntentionsTest, TimeTriggerFiresOnceItsTimeHasCome) {
  const Intention i = intentions_.set(at("Rotate the API keys", t0() + hours(2)), t0());
  EXPECT_TRUE(intentions_.check({}, t0() + hours(2) - minutes(1)).empty());
  std::vector<FiredIntention> fired = intentions_.check({}, t0() + hours(2));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].intention.id, i.id);
  EXPECT_EQ(fired[0].intention.status, IntentionStatus::kFired);
  EXPECT_EQ(fired[0].intention.fired_at, t0() + hours(2));
  EXPECT_EQ(fired[0].reason, "due since 2026-03-01T11:00:00.000000Z");

  // Fired intentions stay until completed, whatever the context.
  fired = intentions_.check(context("elsewhere"), t0() + hours(5));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].intention.fire_count, 2);
  EXPECT_EQ(fired[0].intention.fired_at, t0() + hours(2));  // the first time
  EXPECT_NE(fired[0].reason.find("not completed yet"), std::string::npos);

  intentions_.update(i.id, IntentionAction::kComplete, t0() + hours(6));
  EXPECT_TRUE(intentions_.check({}, t0() + hours(7)).empty());
  EXPECT_EQ(intentions_.get(i.id)->status, IntentionStatus::kCompleted);
  EXPECT_EQ(intentions_.get(i.id)->closed_at, t0() + hours(6));
}

TEST_F(IntentionsTest, ContextTriggerNeedsEveryPartItHas) {
  const Intention both = intentions_.set(
      on_context("Update the changelog", "vestige", {"release", "cut a tag"}), t0());
  const Intention keyword_only =
      intentions_.set(on_context("Ask about pgvector", {}, {"HNSW"}), t0());
  const Intention codebase_only = intentions_.set(on_context("Run the linters", "web", {}), t0());

  // Keyword without the codebase: only the keyword-only intention.
  EXPECT_TRUE(intentions_.check(context("other", "release notes"), t0()).empty());
  std::vector<FiredIntention> fired =
      intentions_.check(context("other", "Tuning the hnsw index"), t0());
  EXPECT_EQ(ids(fired), std::vector<Uuid>{keyword_only.id});
  EXPECT_EQ(fired[0].reason, "context matches: keyword \"HNSW\"");

  // Codebase and a multi-word keyword as consecutive words, found in topics.
  fired = intentions_.check(context("vestige", "", {"we cut a tag today"}), t0());
  EXPECT_EQ(fired.size(), 2u);  // keyword_only stays fired
  EXPECT_EQ(intentions_.get(both.id)->status, IntentionStatus::kFired);
  EXPECT_EQ(intentions_.get(codebase_only.id)->status, IntentionStatus::kPending);
  fired = intentions_.check(context("web", "anything"), t0());
  EXPECT_EQ(intentions_.get(codebase_only.id)->status, IntentionStatus::kFired);
}

TEST_F(IntentionsTest, KeywordsMatchWholeWordsOnly) {
  const Intention i = intentions_.set(on_context("Check the release", {}, {"release"}), t0());
  EXPECT_TRUE(intentions_.check(context(std::nullopt, "releases are weekly"), t0()).empty());
  EXPECT_TRUE(intentions_.check(context(std::nullopt, "cut the tag"), t0()).empty());
  EXPECT_EQ(ids(intentions_.check(context(std::nullopt, "The RELEASE is today"), t0())),
            std::vector<Uuid>{i.id});
}

TEST_F(IntentionsTest, SnoozeRemindsAgainLater) {
  const Intention i = intentions_.set(at("Call the vendor", t0()), t0());
  ASSERT_EQ(intentions_.check({}, t0()).size(), 1u);
  const Intention snoozed =
      intentions_.update(i.id, IntentionAction::kSnooze, t0() + hours(1), t0() + hours(3));
  EXPECT_EQ(snoozed.status, IntentionStatus::kSnoozed);
  EXPECT_EQ(snoozed.snoozed_until, t0() + hours(3));
  EXPECT_TRUE(intentions_.check({}, t0() + hours(2)).empty());
  const std::vector<FiredIntention> fired = intentions_.check({}, t0() + hours(3));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].reason, "snoozed until 2026-03-01T12:00:00.000000Z");
  EXPECT_EQ(fired[0].intention.status, IntentionStatus::kFired);
  EXPECT_FALSE(fired[0].intention.snoozed_until);

  const Error e = capture_error(
      [&] { intentions_.update(i.id, IntentionAction::kSnooze, t0() + hours(4), t0()); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(capture_error([&] { intentions_.update(i.id, IntentionAction::kSnooze, t0()); }).code(),
            ErrorCode::kInvalidInput);
}

TEST_F(IntentionsTest, CancelIsFinalAndListFiltersByStatus) {
  const Intention a = intentions_.set(at("A", t0() + hours(1)), t0());
  const Intention b = intentions_.set(at("B", t0() + hours(1)), t0() + minutes(1));
  const Intention c = intentions_.set(at("C", t0() + hours(9)), t0() + minutes(2));
  intentions_.update(a.id, IntentionAction::kCancel, t0());
  EXPECT_EQ(ids(intentions_.check({}, t0() + hours(2))), std::vector<Uuid>{b.id});

  auto listed = [&](std::optional<IntentionStatus> s) {
    std::vector<Uuid> out;
    for (const Intention& i : intentions_.list(s)) out.push_back(i.id);
    return out;
  };
  EXPECT_EQ(listed(std::nullopt), (std::vector<Uuid>{a.id, b.id, c.id}));
  EXPECT_EQ(listed(IntentionStatus::kCancelled), std::vector<Uuid>{a.id});
  EXPECT_EQ(listed(IntentionStatus::kFired), std::vector<Uuid>{b.id});
  EXPECT_EQ(listed(IntentionStatus::kPending), std::vector<Uuid>{c.id});

  for (IntentionAction action :
       {IntentionAction::kComplete, IntentionAction::kCancel, IntentionAction::kSnooze}) {
    const Error e = capture_error([&] { intentions_.update(a.id, action, t0(), t0() + hours(1)); });
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("already cancelled"), std::string::npos);
  }
  EXPECT_EQ(capture_error([&] {
              intentions_.update(Uuid::generate_v7(), IntentionAction::kCancel, t0());
            }).code(),
            ErrorCode::kNotFound);
  // A memory that is not an intention is not found as one.
  Memory fact;
  fact.content = "a fact";
  const Uuid fact_id = store_->insert(fact).id;
  EXPECT_EQ(
      capture_error([&] { intentions_.update(fact_id, IntentionAction::kCancel, t0()); }).code(),
      ErrorCode::kNotFound);
}

TEST_F(IntentionsTest, CheckOrdersByPriorityThenTriggerTime) {
  IntentionSpec low = at("low", t0());
  low.priority = 1;
  IntentionSpec urgent = at("urgent", t0() + minutes(5));
  urgent.priority = 4;
  IntentionSpec normal_late = at("normal late", t0() + minutes(3));
  IntentionSpec normal_early = at("normal early", t0() + minutes(1));
  const Uuid l = intentions_.set(low, t0()).id;
  const Uuid u = intentions_.set(urgent, t0()).id;
  const Uuid nl = intentions_.set(normal_late, t0()).id;
  const Uuid ne = intentions_.set(normal_early, t0()).id;
  EXPECT_EQ(ids(intentions_.check({}, t0() + hours(1))), (std::vector<Uuid>{u, ne, nl, l}));
}

TEST_F(IntentionsTest, InvalidSpecsAreRefusedBeforeWriting) {
  auto code = [&](IntentionSpec spec) {
    return capture_error([&] { intentions_.set(spec, t0()); }).code();
  };
  EXPECT_EQ(code(at("", t0())), ErrorCode::kInvalidInput);
  EXPECT_EQ(code(on_context("no trigger", {}, {})), ErrorCode::kInvalidInput);
  EXPECT_EQ(code(on_context("empty codebase", "", {})), ErrorCode::kInvalidInput);
  EXPECT_EQ(code(on_context("blank keyword", {}, {"  "})), ErrorCode::kInvalidInput);
  IntentionSpec bad_priority = at("x", t0());
  bad_priority.priority = 5;
  EXPECT_EQ(code(bad_priority), ErrorCode::kInvalidInput);
  EXPECT_EQ(store_->stats(t0()).memories, 0);
}

TEST_F(IntentionsTest, JsonCarriesTriggerAndStatus) {
  const Intention i =
      intentions_.set(on_context("Update the changelog", "vestige", {"release"}), t0());
  const Json j = to_json(i);
  EXPECT_EQ(j["id"], i.id.to_string());
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["trigger"]["codebase"], "vestige");
  EXPECT_EQ(j["trigger"]["keywords"], Json({"release"}));
  EXPECT_FALSE(j["trigger"].contains("at"));
  EXPECT_EQ(parse_intention_status("snoozed"), IntentionStatus::kSnoozed);
  EXPECT_FALSE(parse_intention_status("done"));
  EXPECT_EQ(parse_intention_action("snooze"), IntentionAction::kSnooze);
  EXPECT_FALSE(parse_intention_action("delete"));
}

}  // namespace
}  // namespace vestige::engine
