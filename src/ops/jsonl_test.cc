#include "ops/jsonl.h"

#include <gtest/gtest.h>

namespace vestige::ops {
namespace {

Memory record(std::string content) {
  Memory m;
  m.content = std::move(content);
  m.tags = {"a", "b"};
  m.codebase = "repo";
  return m;
}

TEST(DeriveImportId, IsDeterministicAndVersion8) {
  const Uuid a = derive_import_id(record("same text"));
  EXPECT_EQ(a, derive_import_id(record("same text")));
  EXPECT_EQ(a.version(), 8);
  EXPECT_EQ(a.bytes()[8] & 0xc0, 0x80);
}

TEST(DeriveImportId, DependsOnContentTypeCodebaseAndTags) {
  const Uuid base = derive_import_id(record("text"));
  EXPECT_NE(base, derive_import_id(record("text2")));
  Memory typed = record("text");
  typed.node_type = "decision";
  EXPECT_NE(base, derive_import_id(typed));
  Memory other_repo = record("text");
  other_repo.codebase = "other";
  EXPECT_NE(base, derive_import_id(other_repo));
  Memory retagged = record("text");
  retagged.tags = {"ab"};
  EXPECT_NE(base, derive_import_id(retagged));
}

TEST(DeriveImportId, CarriesCreatedAtMillisecondsSoIdsSortByTime) {
  Memory early = record("text");
  early.created_at = *parse_timestamp("2026-01-01T00:00:00Z");
  Memory late = record("text");
  late.created_at = *parse_timestamp("2026-06-01T00:00:00Z");
  EXPECT_LT(derive_import_id(early), derive_import_id(late));
  std::int64_t millis = 0;
  for (int i = 0; i < 6; ++i) millis = (millis << 8) | derive_import_id(early).bytes()[i];
  EXPECT_EQ(millis, to_unix_micros(early.created_at) / 1000);
}

}  // namespace
}  // namespace vestige::ops
