#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "config/test_support.h"
#include "vestige/config.h"
#include "vestige/error.h"

namespace vestige {
namespace {

namespace fs = std::filesystem;
using config_test::TempDir;
using ::testing::HasSubstr;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

Config with_data_dir(const fs::path& dir) {
  Config config;
  config.data_dir = dir;
  return config;
}

std::string init_error(const fs::path& dir) {
  try {
    ensure_data_dir(with_data_dir(dir));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInit) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "ensure_data_dir did not throw for " << dir;
  return "";
}

TEST(EnsureDataDir, CreatesMissingDirectoryAndParentsOwnerOnly) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "a" / "b" / "data";
  ensure_data_dir(with_data_dir(dir));
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(mode_of(dir), 0700);
  EXPECT_EQ(mode_of(tmp.path() / "a"), 0700);
  EXPECT_EQ(mode_of(tmp.path() / "a" / "b"), 0700);
}

TEST(EnsureDataDir, TightensAnExistingDirectory) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "data";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  std::ofstream(dir / "vestige.db") << "keep";
  ensure_data_dir(with_data_dir(dir));
  EXPECT_EQ(mode_of(dir), 0700);
  EXPECT_TRUE(fs::exists(dir / "vestige.db"));
}

TEST(EnsureDataDir, LeavesAnOwnerOnlyDirectoryAsItIs) {
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0700), 0);
  ensure_data_dir(with_data_dir(tmp.path()));
  EXPECT_EQ(mode_of(tmp.path()), 0700);
}

TEST(EnsureDataDir, RegularFileIsAnInitError) {
  TempDir tmp;
  const fs::path file = tmp.path() / "data";
  std::ofstream(file) << "not a directory";
  const std::string message = init_error(file);
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("not a directory"));
}

TEST(EnsureDataDir, UncreatableDirectoryIsAnInitErrorWithReason) {
  TempDir tmp;
  const fs::path file = tmp.path() / "file";
  std::ofstream(file) << "blocks the path";
  const fs::path dir = file / "data";
  const std::string message = init_error(dir);
  EXPECT_THAT(message, HasSubstr("cannot create data directory " + dir.string()));
  EXPECT_THAT(message, HasSubstr("Not a directory"));
}

}  // namespace
}  // namespace vestige
