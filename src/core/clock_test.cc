#include "vestige/clock.h"

#include <gtest/gtest.h>

namespace vestige {
namespace {

TEST(Clock, FormatsFixedWidthUtc) {
  const Timestamp t = from_unix_micros(1'764'000'000'123'456);
  EXPECT_EQ(format_timestamp(t), "2025-11-24T16:00:00.123456Z");
  EXPECT_EQ(format_timestamp(from_unix_micros(0)), "1970-01-01T00:00:00.000000Z");
}

TEST(Clock, ParsesWhatItFormats) {
  const Timestamp t = now_utc();
  EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
}

TEST(Clock, ParsesOffsetsFractionsAndSpaces) {
  const auto utc = parse_timestamp("2026-11-24T09:30:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(parse_timestamp("2026-11-24 11:30:00+02:00"), utc);
  EXPECT_EQ(parse_timestamp("2026-11-24T04:00:00-0530"), utc);
  EXPECT_EQ(parse_timestamp("2026-11-24T09:30:00"), utc);
  EXPECT_EQ(format_timestamp(*parse_timestamp("2026-11-24T09:30:00.5Z")),
            "2026-11-24T09:30:00.500000Z");
  // Digits beyond microseconds are truncated, not rounded.
  EXPECT_EQ(format_timestamp(*parse_timestamp("2026-11-24T09:30:00.1234569Z")),
            "2026-11-24T09:30:00.123456Z");
}

TEST(Clock, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-11-24", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-24T25:00:00Z", "2026-11-24T09:30:00.Z",
                          "2026-11-24T09:30:00Zjunk", "yesterday", "2026-11-24T09:30:00+2"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

TEST(Clock, DaysBetween) {
  const Timestamp a = *parse_timestamp("2026-01-01T00:00:00Z");
  const Timestamp b = *parse_timestamp("2026-01-02T12:00:00Z");
  EXPECT_DOUBLE_EQ(days_between(a, b), 1.5);
  EXPECT_DOUBLE_EQ(days_between(b, a), -1.5);
}

}  // namespace
}  // namespace vestige
