#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_support.h"
#include "vestige/config.h"
#include "vestige/error.h"

namespace vestige {
namespace {

using config_test::fake_env;
using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path kDataDir = "/srv/vestige";

Config parse(std::string_view text, const EnvLookup& env = fake_env()) {
  return parse_config(text, "vestige.toml", kDataDir, env);
}

// The message of the Error(kConfig) that parsing `text` throws.
std::string parse_error(std::string_view text, const EnvLookup& env = fake_env()) {
  try {
    parse(text, env);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "parsing did not throw:\n" << text;
  return "";
}

TEST(ParseConfig, EmptyFileGivesDefaults) {
  const Config c = parse("");
  EXPECT_EQ(c.data_dir, kDataDir);
  EXPECT_FALSE(c.file.has_value());
  EXPECT_EQ(c.backend, "sqlite");
  EXPECT_EQ(c.sqlite.path, kDataDir / "vestige.db");
  EXPECT_EQ(c.postgres.url, "");
  EXPECT_EQ(c.postgres.max_connections, 10);
  EXPECT_EQ(c.postgres.acquire_timeout_secs, 30);
  EXPECT_EQ(c.embeddings.model, "builtin/hash-384");
  EXPECT_FALSE(c.embeddings.base_url.has_value());
  EXPECT_FALSE(c.embeddings.dimension.has_value());
  EXPECT_FALSE(c.embeddings.api_key_env.has_value());
  EXPECT_EQ(c.embeddings.timeout_secs, 30);
  EXPECT_EQ(c.embeddings.batch_size, 32);
  EXPECT_EQ(c.embeddings.max_retries, 3);
  EXPECT_EQ(c.log.level, "info");
}

TEST(ParseConfig, ReadsEveryKey) {
  const Config c = parse(R"(
[storage]
backend = "postgres"

[storage.sqlite]
path = "/var/lib/vestige/memories.db"

[storage.postgres]
url = "postgresql://vestige@db/vestige"
max_connections = 20
acquire_timeout_secs = 5

[embeddings]
model = "openai/text-embedding-3-small"
base_url = "https://api.example.com"
dimension = 1536
api_key_env = "OPENAI_API_KEY"
timeout_secs = 60
batch_size = 64
max_retries = 0

[log]
level = "debug"
)");
  EXPECT_EQ(c.backend, "postgres");
  EXPECT_EQ(c.sqlite.path, "/var/lib/vestige/memories.db");
  EXPECT_EQ(c.postgres.url, "postgresql://vestige@db/vestige");
  EXPECT_EQ(c.postgres.max_connections, 20);
  EXPECT_EQ(c.postgres.acquire_timeout_secs, 5);
  EXPECT_EQ(c.embeddings.model, "openai/text-embedding-3-small");
  EXPECT_EQ(c.embeddings.base_url, "https://api.example.com");
  EXPECT_EQ(c.embeddings.dimension, 1536);
  EXPECT_EQ(c.embeddings.api_key_env, "OPENAI_API_KEY");
  EXPECT_EQ(c.embeddings.timeout_secs, 60);
  EXPECT_EQ(c.embeddings.batch_size, 64);
  EXPECT_EQ(c.embeddings.max_retries, 0);
  EXPECT_EQ(c.log.level, "debug");
}

TEST(ParseConfig, RelativeDataDirBecomesAbsolute) {
  const Config c = parse_config("", "vestige.toml", "relative/dir", fake_env());
  EXPECT_TRUE(c.data_dir.is_absolute());
  EXPECT_EQ(c.data_dir, std::filesystem::current_path() / "relative/dir");
  EXPECT_EQ(c.sqlite.path, c.data_dir / "vestige.db");
}

TEST(ParseConfig, SqlitePathIsRelativeToDataDirAndExpandsTilde) {
  const auto env = fake_env({{"HOME", "/home/ann"}, {"DB_NAME", "m.db"}});
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"mem.db\"", env).sqlite.path, kDataDir / "mem.db");
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"sub/../x.db\"", env).sqlite.path, kDataDir / "x.db");
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"~/v/m.db\"", env).sqlite.path, "/home/ann/v/m.db");
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"~/${DB_NAME}\"", env).sqlite.path, "/home/ann/m.db");
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"${NOPE:-~/d.db}\"", env).sqlite.path,
            "/home/ann/d.db");
  EXPECT_EQ(parse("[storage.sqlite]\npath = \"/abs/m.db\"", env).sqlite.path, "/abs/m.db");
}

TEST(ParseConfig, TildeWithoutHomeNamesKeyAndLine) {
  const std::string message = parse_error("[storage.sqlite]\n\npath = \"~/m.db\"");
  EXPECT_THAT(message, HasSubstr("vestige.toml:3: storage.sqlite.path"));
  EXPECT_THAT(message, HasSubstr("HOME is not set"));
}

TEST(ParseConfig, ExpandsVariablesInEveryStringValue) {
  const auto env = fake_env({{"DATABASE_URL", "postgresql://db/v"},
                             {"BACKEND", "postgres"},
                             {"MODEL", "ollama/nomic-embed-text"},
                             {"LEVEL", "warn"},
                             {"KEY_VAR", "MY_KEY"}});
  const Config c = parse(R"(
[storage]
backend = "${BACKEND}"
[storage.postgres]
url = "${DATABASE_URL}"
[embeddings]
model = "${MODEL}"
base_url = "${OLLAMA_URL:-http://gpu:11434}"
api_key_env = "${KEY_VAR}"
[log]
level = "${LEVEL}"
)",
                         env);
  EXPECT_EQ(c.backend, "postgres");
  EXPECT_EQ(c.postgres.url, "postgresql://db/v");
  EXPECT_EQ(c.embeddings.model, "ollama/nomic-embed-text");
  EXPECT_EQ(c.embeddings.base_url, "http://gpu:11434");
  EXPECT_EQ(c.embeddings.api_key_env, "MY_KEY");
  EXPECT_EQ(c.log.level, "warn");
}

TEST(ParseConfig, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(parse("[storage.postgres]\nurl = \"host=h password=pa$$${X:-w}rd\"").postgres.url,
            "host=h password=pa$wrd");
}

TEST(ParseConfig, EmptyOptionalStringMeansUnset) {
  const Config c = parse("[embeddings]\nbase_url = \"${OLLAMA_URL:-}\"\napi_key_env = \"\"");
  EXPECT_FALSE(c.embeddings.base_url.has_value());
  EXPECT_FALSE(c.embeddings.api_key_env.has_value());
}

TEST(ParseConfig, UnsetVariableNamesVariableKeyAndLine) {
  const std::string message = parse_error(R"([storage]
backend = "postgres"

[storage.postgres]
url = "${DATABASE_URL}"
)");
  EXPECT_THAT(message, HasSubstr("vestige.toml:5: storage.postgres.url"));
  EXPECT_THAT(message, HasSubstr("DATABASE_URL is not set"));
}

TEST(ParseConfig, UnknownKeyNamesDottedKeyLineAndKnownKeys) {
  const std::string message = parse_error(R"([storage]
backend = "postgres"

[storage.postgres]
url = "postgresql://db/v"

max_conn = 5
)");
  EXPECT_EQ(message,
            "vestige.toml:7: unknown key \"storage.postgres.max_conn\"; known keys in "
            "[storage.postgres]: url, max_connections, acquire_timeout_secs");
}

TEST(ParseConfig, UnknownKeysAtEveryLevel) {
  EXPECT_THAT(parse_error("\n[server]\nport = 1"),
              HasSubstr("vestige.toml:2: unknown key \"server\"; known top-level keys: storage, "
                        "embeddings, log"));
  EXPECT_THAT(parse_error("backend = \"sqlite\""),
              HasSubstr("vestige.toml:1: unknown key \"backend\""));
  EXPECT_THAT(parse_error("[storage]\nbackend = \"sqlite\"\n[storage.mysql]\nurl = \"x\""),
              HasSubstr("vestige.toml:3: unknown key \"storage.mysql\"; known keys in [storage]: "
                        "backend, sqlite, postgres"));
  EXPECT_THAT(parse_error("[storage.sqlite]\nfile = \"x.db\""),
              HasSubstr("vestige.toml:2: unknown key \"storage.sqlite.file\""));
  EXPECT_THAT(parse_error("[embeddings]\nmodel = \"m\"\napi_key = \"sk-1\""),
              HasSubstr("vestige.toml:3: unknown key \"embeddings.api_key\"; known keys in "
                        "[embeddings]: model, base_url, dimension, api_key_env"));
  EXPECT_THAT(parse_error("[log]\nlevel = \"info\"\nformat = \"json\""),
              HasSubstr("vestige.toml:3: unknown key \"log.format\"; known keys in [log]: level"));
}

TEST(ParseConfig, WrongTypesNameKeyLineAndTypes) {
  EXPECT_THAT(parse_error("[storage.postgres]\n\nmax_connections = \"10\""),
              HasSubstr("vestige.toml:3: storage.postgres.max_connections must be an integer, "
                        "not a string"));
  EXPECT_THAT(parse_error("[embeddings]\ntimeout_secs = 2.5"),
              HasSubstr("vestige.toml:2: embeddings.timeout_secs must be an integer, not a "
                        "floating-point number"));
  EXPECT_THAT(parse_error("[embeddings]\nmodel = 5"),
              HasSubstr("vestige.toml:2: embeddings.model must be a string, not an integer"));
  EXPECT_THAT(parse_error("storage = \"sqlite\""),
              HasSubstr("vestige.toml:1: storage must be a table, not a string"));
  EXPECT_THAT(parse_error("[storage]\nsqlite = true"),
              HasSubstr("vestige.toml:2: storage.sqlite must be a table, not a boolean"));
  EXPECT_THAT(parse_error("[log]\nlevel = [\"info\"]"),
              HasSubstr("vestige.toml:2: log.level must be a string, not an array"));
}

TEST(ParseConfig, IntegersAreRangeChecked) {
  EXPECT_THAT(parse_error("[storage.postgres]\nmax_connections = 0"),
              HasSubstr("vestige.toml:2: storage.postgres.max_connections = 0 is out of range; "
                        "use a value from 1 to 1000"));
  EXPECT_THAT(parse_error("[storage.postgres]\nmax_connections = 1001"),
              HasSubstr("from 1 to 1000"));
  EXPECT_EQ(parse("[storage.postgres]\nmax_connections = 1000").postgres.max_connections, 1000);
  EXPECT_THAT(parse_error("[storage.postgres]\nacquire_timeout_secs = 0"),
              HasSubstr("acquire_timeout_secs = 0 is out of range; use a value at least 1"));
  EXPECT_THAT(parse_error("[embeddings]\ndimension = 99999999999"),
              HasSubstr("embeddings.dimension = 99999999999 is out of range"));
  EXPECT_THAT(parse_error("[embeddings]\nmax_retries = -1"),
              HasSubstr("embeddings.max_retries = -1 is out of range"));
  EXPECT_THAT(parse_error("[embeddings]\nbatch_size = 0"), HasSubstr("embeddings.batch_size"));
}

TEST(ParseConfig, BackendMustBeKnown) {
  const std::string message = parse_error("[storage]\nbackend = \"mysql\"");
  EXPECT_THAT(message, HasSubstr("vestige.toml:2: storage.backend = \"mysql\""));
  EXPECT_THAT(message, HasSubstr("use \"sqlite\" or \"postgres\""));
}

TEST(ParseConfig, PostgresBackendNeedsUrl) {
  const std::string message = parse_error("[storage]\nbackend = \"postgres\"");
  EXPECT_THAT(message, HasSubstr("vestige.toml:2:"));
  EXPECT_THAT(message, HasSubstr("set storage.postgres.url"));
  EXPECT_THAT(message, HasSubstr("url = \"${DATABASE_URL}\""));
  EXPECT_THAT(parse_error("[storage]\nbackend = \"postgres\"\n[storage.postgres]\nurl = "
                          "\"${DATABASE_URL:-}\""),
              HasSubstr("set storage.postgres.url"));
}

TEST(ParseConfig, EmptyRequiredStringsAreErrors) {
  EXPECT_THAT(parse_error("[storage.sqlite]\npath = \"\""),
              HasSubstr("vestige.toml:2: storage.sqlite.path is empty"));
  EXPECT_THAT(parse_error("[embeddings]\nmodel = \"\""),
              HasSubstr("vestige.toml:2: embeddings.model is empty"));
}

TEST(ParseConfig, ApiKeyEnvMustBeAVariableNameAndIsNotEchoed) {
  const std::string message = parse_error("[embeddings]\napi_key_env = \"sk-live-abc123\"");
  EXPECT_THAT(message, HasSubstr("vestige.toml:2: embeddings.api_key_env must be the name"));
  EXPECT_THAT(message, Not(HasSubstr("sk-live-abc123")));
}

TEST(ParseConfig, LogLevelIsValidatedAndEnvironmentOverridesIt) {
  EXPECT_THAT(parse_error("[log]\nlevel = \"verbose\""),
              HasSubstr("vestige.toml:2: log.level = \"verbose\" is not a log level; use one of "
                        "trace, debug, info, warn, error, off"));
  EXPECT_EQ(parse("[log]\nlevel = \"warn\"", fake_env({{"VESTIGE_LOG", "trace"}})).log.level,
            "trace");
  EXPECT_EQ(parse("", fake_env({{"VESTIGE_LOG", "off"}})).log.level, "off");
  EXPECT_EQ(parse("[log]\nlevel = \"warn\"", fake_env({{"VESTIGE_LOG", ""}})).log.level, "warn");
  EXPECT_THAT(parse_error("", fake_env({{"VESTIGE_LOG", "loud"}})),
              HasSubstr("VESTIGE_LOG=\"loud\" is not a log level"));
}

TEST(ParseConfig, SyntaxErrorsGiveLineColumnAndDescription) {
  const std::string message = parse_error("[storage]\nbackend = \n");
  EXPECT_THAT(message, HasSubstr("vestige.toml:2:11: invalid TOML: "));
  EXPECT_THAT(message, HasSubstr("expected"));
  EXPECT_THAT(parse_error("[log]\nlevel = \"info\"\nlevel = \"debug\""),
              HasSubstr("vestige.toml:3:"));
}

TEST(ParseConfig, ConsolidationDefaults) {
  const ConsolidationConfig c = parse("").consolidation;
  EXPECT_TRUE(c.auto_run);
  EXPECT_EQ(c.every_ingests, 100);
  EXPECT_EQ(c.every_minutes, 60);
  EXPECT_EQ(c.max_millis_per_run, 50);
  EXPECT_EQ(c.max_memories_per_run, 500);
  EXPECT_DOUBLE_EQ(c.merge_threshold, 0.85);
  EXPECT_DOUBLE_EQ(c.link_threshold, 0.5);
  EXPECT_DOUBLE_EQ(c.prune_below, 0.05);
  EXPECT_EQ(c.merge_record_days, 30);
}

TEST(ParseConfig, ReadsEveryConsolidationKey) {
  const ConsolidationConfig c = parse(R"(
[consolidation]
auto = false
every_ingests = 0
every_minutes = 15
max_millis_per_run = 20
max_memories_per_run = 64
merge_threshold = 0.9
link_threshold = 0.6
prune_below = 0
merge_record_days = 0
)")
                                    .consolidation;
  EXPECT_FALSE(c.auto_run);
  EXPECT_EQ(c.every_ingests, 0);
  EXPECT_EQ(c.every_minutes, 15);
  EXPECT_EQ(c.max_millis_per_run, 20);
  EXPECT_EQ(c.max_memories_per_run, 64);
  EXPECT_DOUBLE_EQ(c.merge_threshold, 0.9);
  EXPECT_DOUBLE_EQ(c.link_threshold, 0.6);
  EXPECT_DOUBLE_EQ(c.prune_below, 0.0);  // an integer is accepted for a number
  EXPECT_EQ(c.merge_record_days, 0);
}

TEST(ParseConfig, ConsolidationKeysAreValidated) {
  EXPECT_THAT(parse_error("[consolidation]\nevery_ingest = 10"),
              HasSubstr("vestige.toml:2: unknown key \"consolidation.every_ingest\"; known keys "
                        "in [consolidation]: auto, every_ingests"));
  EXPECT_THAT(parse_error("[consolidation]\nauto = \"yes\""),
              HasSubstr("vestige.toml:2: consolidation.auto must be true or false, not a string"));
  EXPECT_THAT(parse_error("[consolidation]\nevery_minutes = 1.5"),
              HasSubstr("consolidation.every_minutes must be an integer"));
  EXPECT_THAT(parse_error("[consolidation]\nmerge_threshold = \"high\""),
              HasSubstr("consolidation.merge_threshold must be a number, not a string"));
  EXPECT_THAT(parse_error("[consolidation]\n\nmerge_threshold = 1.5"),
              HasSubstr("vestige.toml:3: consolidation.merge_threshold = 1.5 is out of range; use "
                        "a value from 0 to 1"));
  EXPECT_THAT(parse_error("[consolidation]\nmax_millis_per_run = 0"),
              HasSubstr("consolidation.max_millis_per_run = 0 is out of range"));
  EXPECT_THAT(parse_error("[consolidation]\nevery_ingests = -1"),
              HasSubstr("consolidation.every_ingests = -1 is out of range"));
  EXPECT_THAT(parse_error("[consolidation]\nmerge_record_days = -1"),
              HasSubstr("consolidation.merge_record_days = -1 is out of range; use a value from "
                        "0 to 36500"));
  EXPECT_THAT(parse_error("[consolidation]\nmerge_record_days = \"30d\""),
              HasSubstr("consolidation.merge_record_days must be an integer"));
  EXPECT_THAT(parse_error("[consolidation]\nmerge_threshold = 0.7\nlink_threshold = 0.8"),
              HasSubstr("vestige.toml:3: consolidation.link_threshold (0.8) is above "
                        "consolidation.merge_threshold (0.7)"));
  EXPECT_THAT(parse_error("consolidation = 1"),
              HasSubstr("consolidation must be a table, not an integer"));
}

TEST(ProcessEnv, ReadsTheProcessEnvironment) {
  const EnvLookup env = process_env();
  EXPECT_FALSE(env("VESTIGE_TEST_SURELY_UNSET_VARIABLE_9F2C").has_value());
  const char* path = std::getenv("PATH");
  EXPECT_EQ(env("PATH"), path ? std::optional<std::string>(path) : std::nullopt);
}

}  // namespace
}  // namespace vestige
