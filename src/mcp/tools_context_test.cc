#include "mcp/tools_context.h"

#include <gtest/gtest.h>

#include <chrono>

#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// The tool layer's shared pieces on a real SQLite store in a fresh directory.

namespace vestige::mcp {
namespace {

using std::chrono::hours;
using vestige::testing::capture_error;

class ToolContextTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemoryStore> open() {
    return open_sqlite_store({.path = dir_.path() / "vestige.db"});
  }
  Config config() const {
    Config c;
    c.data_dir = dir_.path();
    return c;
  }

  vestige::testing::TempDir dir_;
};

Memory memory_at(std::string content, Timestamp created, bool suppressed = false) {
  Memory m;
  m.content = std::move(content);
  m.created_at = created;
  m.engine.suppressed = suppressed;
  return m;
}

TEST(Excerpt, KeepsShortTextAndCutsLongTextOnACharacterBoundary) {
  EXPECT_EQ(excerpt("short", 10), "short");
  EXPECT_EQ(excerpt("abcdef", 3), "abc...");
  // "é" is two bytes (0xC3 0xA9): a cut after one of them backs up before it.
  EXPECT_EQ(excerpt("h\xC3\xA9llo", 2), "h...");
  EXPECT_EQ(excerpt("h\xC3\xA9llo", 3), "h\xC3\xA9...");
}

TEST(ArgumentHelpers, ParseIdAndContentSizeSayWhatIsWrong) {
  const Uuid id = Uuid::generate_v7();
  EXPECT_EQ(parse_id(Json(id.to_string()), "id"), id);
  Error e = capture_error([] { parse_id(Json("nope"), "ids[2]"); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(e.what()).find("'ids[2]'"), std::string::npos) << e.what();

  check_content_size(std::string(kMaxContentBytes, 'x'), "content");
  e = capture_error([] { check_content_size(std::string(kMaxContentBytes + 1, 'x'), "content"); });
  EXPECT_NE(std::string(e.what()).find("split the text"), std::string::npos) << e.what();

  e = capture_error([] { require_argument(Json::object(), "rating", "review"); });
  EXPECT_STREQ(e.what(), "action 'review' needs argument 'rating'");
}

TEST_F(ToolContextTest, MemoryViewShowsEachDetailLevelWithoutTheEmbedding) {
  Memory m = memory_at("First line of the memory\nsecond line", now_utc());
  m.embedding = Embedding(384, 0.0f);
  m.tags = {"a"};
  m.engine.superseded_by = Uuid::generate_v7();
  const Timestamp now = now_utc();

  const Json brief = memory_view(m, DetailLevel::kBrief, now);
  EXPECT_EQ(brief["content"], "First line of the memory");
  EXPECT_FALSE(brief.contains("tags"));
  EXPECT_EQ(brief["superseded_by"], m.engine.superseded_by->to_string());
  EXPECT_EQ(brief["state"], "active");

  const Json summary = memory_view(m, DetailLevel::kSummary, now);
  EXPECT_EQ(summary["content"], m.content);
  EXPECT_EQ(summary["tags"], Json({"a"}));

  const Json full = memory_view(m, DetailLevel::kFull, now);
  EXPECT_FALSE(full.contains("embedding"));
  EXPECT_TRUE(full.contains("metadata"));
  EXPECT_NEAR(full["retention"].get<double>(), 0.7 * 1.0 + 0.3 * 0.1, 1e-9);
}

TEST_F(ToolContextTest, RecentMemoriesAreTheNewestVisibleOnesNewestFirst) {
  auto store = open();
  const Timestamp now = now_utc();
  store->insert(memory_at("a year and a half ago", now - hours(24 * 550)));
  store->insert(memory_at("three days ago", now - hours(72)));
  store->insert(memory_at("hidden, an hour ago", now - hours(1), /*suppressed=*/true));
  store->insert(memory_at("two hours ago", now - hours(2)));
  store->insert(memory_at("ten minutes ago", now - std::chrono::minutes(10)));

  std::vector<Memory> recent = recent_memories(*store, now, 2);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].content, "ten minutes ago");
  EXPECT_EQ(recent[1].content, "two hours ago");
  EXPECT_FALSE(recent[0].embedding.has_value());

  // More than the store holds: the window widens to everything.
  recent = recent_memories(*store, now, 10);
  ASSERT_EQ(recent.size(), 4u);
  EXPECT_EQ(recent[2].content, "three days ago");
  EXPECT_EQ(recent[3].content, "a year and a half ago");
}

TEST_F(ToolContextTest, AStoreThatFailedToOpenIsOpenedAgainByTheNextCall) {
  int attempts = 0;
  ToolContext context(config(), [&]() -> std::unique_ptr<MemoryStore> {
    if (++attempts == 1) throw Error(ErrorCode::kInit, "the database is not there yet");
    return open();
  });
  context.start_opening();
  const Error e = capture_error([&] { context.store(); });
  EXPECT_EQ(e.code(), ErrorCode::kInit);
  EXPECT_EQ(context.store().backend_name(), "sqlite");
  EXPECT_EQ(attempts, 2);
  EXPECT_TRUE(context.store_ready());
  // Writes bind the handle to the configured embedder's model.
  context.store_for_writes();
  ASSERT_TRUE(context.store().registered_model().has_value());
  EXPECT_EQ(context.store().registered_model()->signature.name, "builtin/hash-384");
}

TEST_F(ToolContextTest, ActivityCountsWritesUntilTaken) {
  ToolContext context(config(), [&] { return open(); });
  context.note_write();
  context.note_write(3);
  EXPECT_EQ(context.take_activity(), 4u);
  EXPECT_EQ(context.take_activity(), 0u);
}

}  // namespace
}  // namespace vestige::mcp
