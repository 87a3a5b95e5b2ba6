#include "config/expand.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/test_support.h"
#include "vestige/error.h"

namespace vestige::config_detail {
namespace {

using config_test::fake_env;
using ::testing::HasSubstr;

std::string expand(std::string_view value, const EnvLookup& env) {
  return expand_variables(value, env, "f.toml:3: storage.postgres.url");
}

// The message of the Error(kConfig) that expanding `value` throws.
std::string expand_error(std::string_view value, const EnvLookup& env = fake_env()) {
  try {
    expand(value, env);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
    return e.what();
  }
  ADD_FAILURE() << "expanding \"" << value << "\" did not throw";
  return "";
}

TEST(ExpandVariables, LeavesTextWithoutReferencesAlone) {
  EXPECT_EQ(expand("postgresql://localhost/vestige", fake_env()), "postgresql://localhost/vestige");
  EXPECT_EQ(expand("", fake_env()), "");
}

TEST(ExpandVariables, ReplacesEveryReference) {
  const auto env = fake_env({{"USER_NAME", "ann"}, {"DB", "mem"}, {"EMPTY", ""}});
  EXPECT_EQ(expand("${USER_NAME}", env), "ann");
  EXPECT_EQ(expand("postgresql://${USER_NAME}@h/${DB}?x=${DB}${DB}", env),
            "postgresql://ann@h/mem?x=memmem");
  EXPECT_EQ(expand("a${EMPTY}b", env), "ab");
}

TEST(ExpandVariables, FallbackAppliesWhenUnsetOrEmpty) {
  const auto env = fake_env({{"SET", "value"}, {"EMPTY", ""}});
  EXPECT_EQ(expand("${SET:-other}", env), "value");
  EXPECT_EQ(expand("${UNSET:-other}", env), "other");
  EXPECT_EQ(expand("${EMPTY:-other}", env), "other");
  EXPECT_EQ(expand("${UNSET:-}", env), "");
  EXPECT_EQ(expand("${UNSET:-postgresql://localhost:5432/db}", env),
            "postgresql://localhost:5432/db");
}

TEST(ExpandVariables, DoubleDollarIsALiteralDollar) {
  const auto env = fake_env({{"X", "x"}});
  EXPECT_EQ(expand("pa$$word", env), "pa$word");
  EXPECT_EQ(expand("$${X}", env), "${X}");
  EXPECT_EQ(expand("$$$${X}", env), "$${X}");
  EXPECT_EQ(expand("$$${X}", env), "$x");
}

TEST(ExpandVariables, LoneDollarIsKept) {
  EXPECT_EQ(expand("pa$word", fake_env()), "pa$word");
  EXPECT_EQ(expand("cost: 5$", fake_env()), "cost: 5$");
}

TEST(ExpandVariables, UnsetVariableNamesVariableAndContext) {
  const std::string message = expand_error("postgresql://${DATABASE_URL}");
  EXPECT_THAT(message, HasSubstr("f.toml:3: storage.postgres.url"));
  EXPECT_THAT(message, HasSubstr("environment variable DATABASE_URL is not set"));
  EXPECT_THAT(message, HasSubstr("${DATABASE_URL:-default}"));
}

TEST(ExpandVariables, MalformedReferencesAreErrors) {
  EXPECT_THAT(expand_error("${OPEN"), HasSubstr("not closed"));
  EXPECT_THAT(expand_error("${}"), HasSubstr("\"${}\" is not a variable reference"));
  EXPECT_THAT(expand_error("${1ST}"), HasSubstr("\"${1ST}\" is not a variable reference"));
  EXPECT_THAT(expand_error("${A-B}"), HasSubstr("\"${A-B}\" is not a variable reference"));
  EXPECT_THAT(expand_error("${A B}"), HasSubstr("f.toml:3: storage.postgres.url"));
}

TEST(IsVariableName, AcceptsShellNamesOnly) {
  EXPECT_TRUE(is_variable_name("OPENAI_API_KEY"));
  EXPECT_TRUE(is_variable_name("_x1"));
  EXPECT_FALSE(is_variable_name(""));
  EXPECT_FALSE(is_variable_name("9LIVES"));
  EXPECT_FALSE(is_variable_name("sk-abc123"));
}

TEST(ExpandHome, ExpandsLeadingTilde) {
  const auto env = fake_env({{"HOME", "/home/ann"}});
  EXPECT_EQ(expand_home("~", env, "ctx"), "/home/ann");
  EXPECT_EQ(expand_home("~/db/v.db", env, "ctx"), "/home/ann/db/v.db");
}

TEST(ExpandHome, LeavesOtherTildesAlone) {
  const auto env = fake_env({{"HOME", "/home/ann"}});
  EXPECT_EQ(expand_home("~bob/v.db", env, "ctx"), "~bob/v.db");
  EXPECT_EQ(expand_home("data/~/v.db", env, "ctx"), "data/~/v.db");
  EXPECT_EQ(expand_home("/abs/v.db", fake_env(), "ctx"), "/abs/v.db");
}

TEST(ExpandHome, UnsetHomeIsAnErrorOnlyWhenNeeded) {
  try {
    expand_home("~/v.db", fake_env(), "f.toml:5: storage.sqlite.path");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
    EXPECT_THAT(e.what(), HasSubstr("f.toml:5: storage.sqlite.path"));
    EXPECT_THAT(e.what(), HasSubstr("HOME is not set"));
  }
  EXPECT_EQ(expand_home("v.db", fake_env(), "ctx"), "v.db");
}

}  // namespace
}  // namespace vestige::config_detail
