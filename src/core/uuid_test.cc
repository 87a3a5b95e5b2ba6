#include "vestige/uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <unordered_set>

#include "vestige/clock.h"

namespace vestige {
namespace {

TEST(Uuid, V7HasVersionVariantAndTime) {
  const Uuid id = Uuid::generate_v7();
  EXPECT_EQ(id.version(), 7);
  EXPECT_EQ(id.bytes()[8] & 0xc0, 0x80);
  const std::int64_t millis = to_unix_micros(now_utc()) / 1000;
  std::int64_t embedded = 0;
  for (int i = 0; i < 6; ++i) embedded = (embedded << 8) | id.bytes()[i];
  EXPECT_LE(std::llabs(millis - embedded), 1000);
}

TEST(Uuid, V7IdsAreUniqueAndSortByCreationTime) {
  std::vector<Uuid> ids;
  for (int i = 0; i < 2000; ++i) ids.push_back(Uuid::generate_v7());
  std::set<Uuid> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  // Ids from different milliseconds are ordered by time.
  const Uuid first = ids.front();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(first, Uuid::generate_v7());
}

TEST(Uuid, ParseAndFormatRoundTrip) {
  const Uuid id = Uuid::generate_v7();
  EXPECT_EQ(Uuid::parse(id.to_string()), id);
  const auto upper = Uuid::parse("0192F1A4-7B3C-7D2E-8F00-0123456789AB");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->to_string(), "0192f1a4-7b3c-7d2e-8f00-0123456789ab");
}

TEST(Uuid, ParseRejectsMalformed) {
  for (const char* bad :
       {"", "not-a-uuid", "0192f1a4-7b3c-7d2e-8f00-0123456789a",
        "0192f1a47b3c7d2e8f000123456789abcd", "{0192f1a4-7b3c-7d2e-8f00-0123456789ab}",
        "0192f1a4-7b3c-7d2e-8f00-0123456789ag", "0192f1a4_7b3c-7d2e-8f00-0123456789ab"}) {
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
  }
}

TEST(Uuid, BootstrapUserAndNil) {
  EXPECT_EQ(kBootstrapUserId.to_string(), "00000000-0000-0000-0000-000000000001");
  EXPECT_TRUE(Uuid().is_nil());
  EXPECT_FALSE(kBootstrapUserId.is_nil());
}

TEST(Uuid, Hashes) {
  std::unordered_set<Uuid> set;
  for (int i = 0; i < 100; ++i) set.insert(Uuid::generate_v7());
  EXPECT_EQ(set.size(), 100u);
}

}  // namespace
}  // namespace vestige
