#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "support/capture_error.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige {
namespace {

using ::vestige::testing::capture_error;

using ::testing::HasSubstr;

class OpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "vestige-open-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    config_.data_dir = pattern;
    config_.sqlite.path = config_.data_dir / "vestige.db";
  }
  void TearDown() override { std::filesystem::remove_all(config_.data_dir); }

  Config config_;
};

TEST_F(OpenStoreTest, OpensTheConfiguredSqliteFile) {
  auto store = open_store(config_);
  EXPECT_EQ(store->backend_name(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(config_.sqlite.path));
  auto admin = open_schema_admin(config_);
  ASSERT_FALSE(admin->status().empty());
  EXPECT_TRUE(admin->status()[0].applied);
}

TEST_F(OpenStoreTest, PassesTheOpenOptionsOn) {
  const Error behind = capture_error([&] { open_store(config_, {.migrate = false}); });
  EXPECT_EQ(behind.code(), ErrorCode::kInit);
  EXPECT_THAT(behind.what(), HasSubstr("vestige db migrate"));

  open_store(config_);
  auto reader = open_store(config_, {.read_only = true});
  Memory m;
  m.content = "x";
  EXPECT_THAT(capture_error([&] { reader->insert(m); }).what(), HasSubstr("read-only"));
}

TEST_F(OpenStoreTest, PostgresWithoutAUrlIsAConfigError) {
  config_.backend = "postgres";
  config_.postgres.url = "";
  for (const Error& e : {capture_error([&] { open_store(config_); }),
                         capture_error([&] { open_schema_admin(config_); })}) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
    EXPECT_THAT(e.what(), HasSubstr("[storage.postgres] url is empty"));
  }
}

TEST_F(OpenStoreTest, AnUnknownBackendIsAConfigError) {
  config_.backend = "mysql";
  const Error e = capture_error([&] { open_store(config_); });
  EXPECT_EQ(e.code(), ErrorCode::kConfig);
  EXPECT_THAT(e.what(), HasSubstr("unknown storage backend \"mysql\""));
  EXPECT_FALSE(std::filesystem::exists(config_.sqlite.path));
}

}  // namespace
}  // namespace vestige
