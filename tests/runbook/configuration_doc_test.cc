// docs/CONFIGURATION.md against the configuration loader: every key the
// loader accepts is documented with the default the code uses, the document
// names no key the loader rejects, and every environment variable the loader
// reads is listed. The keys come from the loader itself (its "unknown key"
// message lists the known ones), the defaults from render_config.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "runbook/runbook_doc.h"
#include "vestige/config.h"
#include "vestige/error.h"

namespace vestige::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = "/vestige-doc-test/data";

EnvLookup no_env() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

// The parser's error for `toml`, or "" when it is accepted.
std::string config_error(const std::string& toml) {
  try {
    parse_config(toml, "vestige.toml", kDataDir, no_env());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at <= list.size()) {
    const auto comma = list.find(", ", at);
    items.push_back(list.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 2;
  }
  return items;
}

// The keys of table `path` ("" for the top level), from the message the
// loader gives for an unknown key there.
std::vector<std::string> known_keys(const std::string& path) {
  const std::string toml = path.empty() ? "zz_unknown = 1\n" : "[" + path + "]\nzz_unknown = 1\n";
  const std::string error = config_error(toml);
  const auto colon = error.rfind(": ");
  EXPECT_THAT(error, ::testing::HasSubstr("unknown key")) << toml;
  if (colon == std::string::npos) return {};
  return split_list(error.substr(colon + 2));
}

// Every leaf key the loader accepts, dotted: a key is a table when giving it
// a number is refused with "must be a table".
void collect_keys(const std::string& path, std::set<std::string>& out) {
  for (const std::string& key : known_keys(path)) {
    const std::string dotted = path.empty() ? key : path + "." + key;
    const std::string toml = path.empty() ? key + " = 1\n" : "[" + path + "]\n" + key + " = 1\n";
    if (config_error(toml).find("must be a table") != std::string::npos) {
      collect_keys(dotted, out);
    } else {
      out.insert(dotted);
    }
  }
}

// dotted key -> default as render_config writes it; keys without a default
// (written as comments) are absent.
std::map<std::string, std::string> rendered_defaults() {
  const Config defaults = parse_config("", "vestige.toml", kDataDir, no_env());
  std::map<std::string, std::string> out;
  std::string section;
  std::istringstream in(render_config(defaults));
  static const std::regex key_value(R"(^(\w+) = (.*)$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.size() > 2 && line.front() == '[') {
      section = line.substr(1, line.size() - 2);
    } else if (std::regex_match(line, m, key_value)) {
      out[section + "." + m[1].str()] = m[2].str();
    }
  }
  return out;
}

struct DocKey {
  std::string type;
  std::string default_value;
};

std::map<std::string, DocKey> documented_keys(const std::string& markdown) {
  std::map<std::string, DocKey> out;
  for (const auto& row : table_under(markdown, "Keys")) {
    const auto key = backquoted(row.at(0));
    EXPECT_EQ(key.size(), 1u) << row.at(0);
    if (key.size() == 1) out[key[0]] = {row.at(1), row.at(2)};
  }
  return out;
}

// The text the document should show as the default for a rendered value.
std::string as_documented(std::string value) {
  if (value == "\"\"") return "(none)";
  const std::string data_dir = kDataDir.string();
  if (const auto at = value.find(data_dir); at != std::string::npos) {
    value.replace(at, data_dir.size(), "<data dir>");
    if (value.front() == '"') value = value.substr(1, value.size() - 2);
  }
  return "`" + value + "`";
}

class ConfigurationDocTest : public ::testing::Test {
 protected:
  const std::string markdown_ =
      read_text_file(fs::path(VESTIGE_SOURCE_DIR) / "docs/CONFIGURATION.md");
};

TEST_F(ConfigurationDocTest, EveryKeyTheLoaderKnowsIsDocumentedWithItsDefault) {
  std::set<std::string> keys;
  collect_keys("", keys);
  ASSERT_GE(keys.size(), 20u);
  EXPECT_TRUE(keys.contains("storage.postgres.acquire_timeout_secs"));
  const auto documented = documented_keys(markdown_);
  const auto defaults = rendered_defaults();
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    const auto doc = documented.find(key);
    if (doc == documented.end()) {
      ADD_FAILURE() << "docs/CONFIGURATION.md does not document " << key;
      continue;
    }
    if (const auto value = defaults.find(key); value != defaults.end()) {
      EXPECT_EQ(doc->second.default_value, as_documented(value->second));
    }
  }
}

TEST_F(ConfigurationDocTest, EveryDocumentedKeyIsAccepted) {
  const std::map<std::string, std::string> samples = {{"string", "\"x\""},
                                                      {"path", "\"x\""},
                                                      {"integer", "1"},
                                                      {"boolean", "true"},
                                                      {"number", "0.5"}};
  for (const auto& [key, doc] : documented_keys(markdown_)) {
    SCOPED_TRACE(key);
    const auto sample = samples.find(doc.type);
    ASSERT_NE(sample, samples.end()) << "unknown type " << doc.type;
    const auto dot = key.rfind('.');
    ASSERT_NE(dot, std::string::npos);
    const std::string toml =
        "[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = " + sample->second + "\n";
    const std::string error = config_error(toml);
    EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr("unknown key")));
    EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr(" must be ")))
        << "the documented type is wrong";
  }
}

TEST_F(ConfigurationDocTest, EveryEnvironmentVariableTheLoaderReadsIsListed) {
  std::set<std::string> read;
  const EnvLookup recording = [&read](std::string_view name) -> std::optional<std::string> {
    read.insert(std::string(name));
    if (name == "HOME") return "/vestige-doc-test/home";
    return std::nullopt;
  };
  load_config({}, recording);
  EXPECT_TRUE(read.contains("VESTIGE_DATA_DIR"));
  std::set<std::string> listed;
  for (const auto& row : table_under(markdown_, "Environment variables")) {
    for (const std::string& name : backquoted(row.at(0))) listed.insert(name);
  }
  for (const std::string& name : read) {
    EXPECT_TRUE(listed.contains(name)) << "docs/CONFIGURATION.md does not list $" << name;
  }
}

TEST_F(ConfigurationDocTest, TheExampleParses) {
  const auto start = markdown_.find("```toml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = markdown_.find("```", start + 8);
  const std::string example = markdown_.substr(start + 8, end - start - 8);
  const EnvLookup home = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOME") return "/vestige-doc-test/home";
    return std::nullopt;
  };
  EXPECT_NO_THROW(parse_config(example, "vestige.toml", kDataDir, home));
}

}  // namespace
}  // namespace vestige::testing
