#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config/test_support.h"
#include "vestige/config.h"
#include "vestige/error.h"

namespace vestige {
namespace {

namespace fs = std::filesystem;
using config_test::fake_env;
using config_test::TempDir;
using ::testing::HasSubstr;

void write_file(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// Sources with --data-dir and optionally --config. (Designated initializers
// would trip GCC's -Wmissing-field-initializers.)
ConfigSources flags(const fs::path& data_dir, std::optional<fs::path> config_file = {}) {
  ConfigSources sources;
  sources.data_dir = data_dir;
  sources.config_file = std::move(config_file);
  return sources;
}

std::string load_error(const ConfigSources& sources, const EnvLookup& env) {
  try {
    load_config(sources, env);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "load_config did not throw";
  return "";
}

TEST(LoadConfig, DefaultsUnderHomeWithoutCreatingAnything) {
  TempDir home;
  const Config c = load_config({}, fake_env({{"HOME", home.path().string()}}));
  EXPECT_EQ(c.data_dir, home.path() / ".vestige");
  EXPECT_FALSE(c.file.has_value());
  EXPECT_EQ(c.backend, "sqlite");
  EXPECT_EQ(c.sqlite.path, home.path() / ".vestige" / "vestige.db");
  EXPECT_EQ(c.embeddings.model, "builtin/hash-384");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_FALSE(fs::exists(home.path() / ".vestige"));
}

TEST(LoadConfig, DataDirFlagBeatsEnvironmentBeatsHome) {
  TempDir tmp;
  const fs::path flag_dir = tmp.path() / "flag";
  const fs::path env_dir = tmp.path() / "env";
  const auto env =
      fake_env({{"HOME", tmp.path().string()}, {"VESTIGE_DATA_DIR", env_dir.string()}});
  EXPECT_EQ(load_config({}, env).data_dir, env_dir);
  EXPECT_EQ(load_config(flags(flag_dir), env).data_dir, flag_dir);
  EXPECT_EQ(load_config(flags(flag_dir), env).sqlite.path, flag_dir / "vestige.db");
  // An empty variable counts as unset.
  EXPECT_EQ(
      load_config({}, fake_env({{"HOME", tmp.path().string()}, {"VESTIGE_DATA_DIR", ""}})).data_dir,
      tmp.path() / ".vestige");
}

TEST(LoadConfig, DataDirExpandsTilde) {
  TempDir home;
  const auto env = fake_env({{"HOME", home.path().string()}});
  EXPECT_EQ(load_config(flags("~/mem"), env).data_dir, home.path() / "mem");
  EXPECT_EQ(
      load_config({}, fake_env({{"HOME", home.path().string()}, {"VESTIGE_DATA_DIR", "~/m2"}}))
          .data_dir,
      home.path() / "m2");
}

TEST(LoadConfig, NoHomeAndNoDataDirIsAnError) {
  const std::string message = load_error({}, fake_env());
  EXPECT_THAT(message, HasSubstr("HOME is not set"));
  EXPECT_THAT(message, HasSubstr("--data-dir"));
}

TEST(LoadConfig, ReadsVestigeTomlInTheDataDir) {
  TempDir tmp;
  const fs::path file = tmp.path() / "vestige.toml";
  write_file(file, "[storage.sqlite]\npath = \"m.db\"\n[log]\nlevel = \"debug\"\n");
  const Config c = load_config(flags(tmp.path()), fake_env());
  EXPECT_EQ(c.file, file);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.sqlite.path, tmp.path() / "m.db");
}

TEST(LoadConfig, ConfigFlagBeatsEnvironmentBeatsDataDir) {
  TempDir tmp;
  const fs::path flag_file = tmp.path() / "flag.toml";
  const fs::path env_file = tmp.path() / "env.toml";
  write_file(tmp.path() / "vestige.toml", "[log]\nlevel = \"error\"\n");
  write_file(env_file, "[log]\nlevel = \"warn\"\n");
  write_file(flag_file, "[log]\nlevel = \"trace\"\n");
  const auto env = fake_env({{"VESTIGE_CONFIG", env_file.string()}});

  EXPECT_EQ(load_config(flags(tmp.path()), fake_env()).log.level, "error");
  const Config from_env = load_config(flags(tmp.path()), env);
  EXPECT_EQ(from_env.log.level, "warn");
  EXPECT_EQ(from_env.file, env_file);
  const Config from_flag = load_config(flags(tmp.path(), flag_file), env);
  EXPECT_EQ(from_flag.log.level, "trace");
  EXPECT_EQ(from_flag.file, flag_file);
  // The config file does not move the data directory.
  EXPECT_EQ(from_flag.data_dir, tmp.path());
}

TEST(LoadConfig, MissingExplicitFileIsAnError) {
  TempDir tmp;
  const fs::path missing = tmp.path() / "nope.toml";
  std::string message = load_error(flags(tmp.path(), missing), fake_env());
  EXPECT_THAT(message, HasSubstr(missing.string()));
  EXPECT_THAT(message, HasSubstr("--config"));
  EXPECT_THAT(message, HasSubstr("does not exist"));

  message = load_error(flags(tmp.path()), fake_env({{"VESTIGE_CONFIG", missing.string()}}));
  EXPECT_THAT(message, HasSubstr(missing.string()));
  EXPECT_THAT(message, HasSubstr("VESTIGE_CONFIG"));
}

TEST(LoadConfig, DirectoryAsConfigFileIsAnError) {
  TempDir tmp;
  EXPECT_THAT(load_error(flags(tmp.path(), tmp.path()), fake_env()), HasSubstr("is a directory"));
}

TEST(LoadConfig, ErrorsNameTheFileAndLine) {
  TempDir tmp;
  const fs::path file = tmp.path() / "vestige.toml";
  write_file(file, "[storage]\nbackend = \"sqlite\"\nbackedn = \"postgres\"\n");
  EXPECT_THAT(load_error(flags(tmp.path()), fake_env()),
              HasSubstr(file.string() + ":3: unknown key \"storage.backedn\""));
}

TEST(LoadConfig, EnvironmentOverridesApplyWithoutAFile) {
  TempDir tmp;
  const Config c = load_config(flags(tmp.path()), fake_env({{"VESTIGE_LOG", "debug"}}));
  EXPECT_FALSE(c.file.has_value());
  EXPECT_EQ(c.log.level, "debug");
}

}  // namespace
}  // namespace vestige
