#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_support.h"
#include "vestige/config.h"

namespace vestige {
namespace {

using config_test::fake_env;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kDataDir = "/srv/vestige";

// render_config's output read back with an empty environment: any ${...} left
// unescaped in the output would fail to expand.
Config reparse(const Config& config) {
  return parse_config(render_config(config), "rendered.toml", config.data_dir, fake_env());
}

void expect_same(const Config& a, const Config& b) {
  EXPECT_EQ(a.data_dir, b.data_dir);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.sqlite.path, b.sqlite.path);
  EXPECT_EQ(a.postgres.url, b.postgres.url);
  EXPECT_EQ(a.postgres.max_connections, b.postgres.max_connections);
  EXPECT_EQ(a.postgres.acquire_timeout_secs, b.postgres.acquire_timeout_secs);
  EXPECT_EQ(a.embeddings.model, b.embeddings.model);
  EXPECT_EQ(a.embeddings.base_url, b.embeddings.base_url);
  EXPECT_EQ(a.embeddings.dimension, b.embeddings.dimension);
  EXPECT_EQ(a.embeddings.api_key_env, b.embeddings.api_key_env);
  EXPECT_EQ(a.embeddings.timeout_secs, b.embeddings.timeout_secs);
  EXPECT_EQ(a.embeddings.batch_size, b.embeddings.batch_size);
  EXPECT_EQ(a.embeddings.max_retries, b.embeddings.max_retries);
  EXPECT_EQ(a.log.level, b.log.level);
  EXPECT_EQ(a.consolidation.auto_run, b.consolidation.auto_run);
  EXPECT_EQ(a.consolidation.every_ingests, b.consolidation.every_ingests);
  EXPECT_EQ(a.consolidation.every_minutes, b.consolidation.every_minutes);
  EXPECT_EQ(a.consolidation.max_millis_per_run, b.consolidation.max_millis_per_run);
  EXPECT_EQ(a.consolidation.max_memories_per_run, b.consolidation.max_memories_per_run);
  EXPECT_EQ(a.consolidation.merge_threshold, b.consolidation.merge_threshold);
  EXPECT_EQ(a.consolidation.link_threshold, b.consolidation.link_threshold);
  EXPECT_EQ(a.consolidation.prune_below, b.consolidation.prune_below);
  EXPECT_EQ(a.consolidation.merge_record_days, b.consolidation.merge_record_days);
}

Config full_config() {
  const auto env = fake_env({{"DATABASE_URL", "postgresql://vestige:s3cret@db:5432/vestige"},
                             {"OPENAI_API_KEY", "sk-live-abc123"}});
  return parse_config(R"(
[storage]
backend = "postgres"
[storage.sqlite]
path = "odd \"name\" $$ and \\ and é.db"
[storage.postgres]
url = "${DATABASE_URL}"
max_connections = 25
acquire_timeout_secs = 7
[embeddings]
model = "openai/text-embedding-3-small"
base_url = "https://proxy.example.com/v1"
dimension = 1536
api_key_env = "OPENAI_API_KEY"
timeout_secs = 12
batch_size = 8
max_retries = 5
[log]
level = "warn"
[consolidation]
auto = false
every_ingests = 7
every_minutes = 0
max_millis_per_run = 25
max_memories_per_run = 100
merge_threshold = 0.875
link_threshold = 0.3
prune_below = 0
merge_record_days = 7
)",
                      "vestige.toml", kDataDir, env);
}

TEST(RenderConfig, DefaultsRoundTrip) {
  const Config defaults = parse_config("", "vestige.toml", kDataDir, fake_env());
  const std::string text = render_config(defaults);
  EXPECT_THAT(text, HasSubstr("defaults are in effect"));
  EXPECT_THAT(text, HasSubstr("/srv/vestige"));
  expect_same(reparse(defaults), defaults);
}

TEST(RenderConfig, ShowsEveryKey) {
  const std::string text = render_config(full_config());
  for (const char* line : {"[storage]\nbackend = \"postgres\"\n",
                           "[storage.sqlite]\npath = ",
                           "[storage.postgres]\nurl = ",
                           "max_connections = 25\n",
                           "acquire_timeout_secs = 7\n",
                           "[embeddings]\nmodel = \"openai/text-embedding-3-small\"\n",
                           "base_url = \"https://proxy.example.com/v1\"\n",
                           "dimension = 1536\n",
                           "api_key_env = \"OPENAI_API_KEY\"\n",
                           "timeout_secs = 12\n",
                           "batch_size = 8\n",
                           "max_retries = 5\n",
                           "[log]\nlevel = \"warn\"\n",
                           "[consolidation]\nauto = false\n",
                           "every_ingests = 7\n",
                           "every_minutes = 0\n",
                           "max_millis_per_run = 25\n",
                           "max_memories_per_run = 100\n",
                           "merge_threshold = 0.875\n",
                           "link_threshold = 0.3\n",
                           "prune_below = 0.0\n"}) {
    EXPECT_THAT(text, HasSubstr(line));
  }
}

TEST(RenderConfig, UnsetOptionalKeysAppearAsComments) {
  const std::string text = render_config(parse_config("", "v.toml", kDataDir, fake_env()));
  EXPECT_THAT(text, HasSubstr("# base_url is not set"));
  EXPECT_THAT(text, HasSubstr("# dimension is not set"));
  EXPECT_THAT(text, HasSubstr("# api_key_env is not set"));
}

TEST(RenderConfig, MasksPasswordsButNotTheKeyVariableName) {
  const std::string text = render_config(full_config());
  EXPECT_THAT(text, HasSubstr("url = \"postgresql://vestige:****@db:5432/vestige\""));
  EXPECT_THAT(text, Not(HasSubstr("s3cret")));
  EXPECT_THAT(text, HasSubstr("OPENAI_API_KEY"));
  EXPECT_THAT(text, Not(HasSubstr("sk-live-abc123")));

  Config conninfo = full_config();
  conninfo.postgres.url = "host=db password='a b' dbname=v";
  conninfo.embeddings.base_url = "https://u:tok@proxy.example.com";
  const std::string masked = render_config(conninfo);
  EXPECT_THAT(masked, HasSubstr("url = \"host=db password=**** dbname=v\""));
  EXPECT_THAT(masked, HasSubstr("base_url = \"https://u:****@proxy.example.com\""));
  EXPECT_THAT(masked, Not(HasSubstr("a b")));
  EXPECT_THAT(masked, Not(HasSubstr("tok@")));
}

TEST(RenderConfig, RoundTripsEverythingButMaskedSecrets) {
  const Config original = full_config();
  const Config again = reparse(original);
  EXPECT_EQ(again.postgres.url, "postgresql://vestige:****@db:5432/vestige");
  Config expected = original;
  expected.postgres.url = mask_secrets(original.postgres.url);
  expect_same(again, expected);
  EXPECT_EQ(again.sqlite.path, kDataDir / "odd \"name\" $ and \\ and é.db");
}

TEST(RenderConfig, DollarSignsSurviveTheRoundTrip) {
  Config config = parse_config("", "v.toml", kDataDir, fake_env());
  config.postgres.url = "host=db user=${NOT_A_VAR} application_name=$$x";
  config.embeddings.model = "ollama/m$";
  expect_same(reparse(config), config);
}

TEST(RenderConfig, HeaderNamesTheLoadedFile) {
  Config config = full_config();
  config.file = "/etc/vestige/vestige.toml";
  EXPECT_THAT(render_config(config),
              HasSubstr("# Effective configuration, loaded from \"/etc/vestige/vestige.toml\"."));
}

}  // namespace
}  // namespace vestige
