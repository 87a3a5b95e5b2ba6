#include "vestige/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "config/expand.h"
#include "vestige/error.h"

namespace vestige {

namespace {

using config_detail::expand_home;
using config_detail::expand_variables;

constexpr std::array<std::string_view, 4> kTopLevelKeys = {"storage", "embeddings", "log",
                                                           "consolidation"};
constexpr std::array<std::string_view, 3> kStorageKeys = {"backend", "sqlite", "postgres"};
constexpr std::array<std::string_view, 1> kSqliteKeys = {"path"};
constexpr std::array<std::string_view, 3> kPostgresKeys = {"url", "max_connections",
                                                           "acquire_timeout_secs"};
constexpr std::array<std::string_view, 7> kEmbeddingsKeys = {
    "model", "base_url", "dimension", "api_key_env", "timeout_secs", "batch_size", "max_retries"};
constexpr std::array<std::string_view, 1> kLogKeys = {"level"};
constexpr std::array<std::string_view, 9> kConsolidationKeys = {"auto",
                                                                "every_ingests",
                                                                "every_minutes",
                                                                "max_millis_per_run",
                                                                "max_memories_per_run",
                                                                "merge_threshold",
                                                                "link_threshold",
                                                                "prune_below",
                                                                "merge_record_days"};
constexpr std::array<std::string_view, 6> kLogLevels = {"trace", "debug", "info",
                                                        "warn",  "error", "off"};

bool is_log_level(std::string_view level) {
  return std::find(kLogLevels.begin(), kLogLevels.end(), level) != kLogLevels.end();
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "a value";
}

std::string dotted(std::string_view table_path, std::string_view key) {
  return table_path.empty() ? std::string(key) : fmt::format("{}.{}", table_path, key);
}

// Reads one vestige.toml document into a Config. Every message starts with
// `origin:line:` so that an operator can jump to the offending line.
class ConfigReader {
 public:
  ConfigReader(const std::string& origin, const EnvLookup& env) : origin_(origin), env_(env) {}

  void read(const toml::table& root, Config& config) const {
    check_known_keys(root, "", kTopLevelKeys);
    if (const toml::table* storage = sub_table(root, "", "storage")) read_storage(*storage, config);
    if (const toml::table* embeddings = sub_table(root, "", "embeddings")) {
      read_embeddings(*embeddings, config.embeddings);
    }
    if (const toml::table* log = sub_table(root, "", "log")) {
      check_known_keys(*log, "log", kLogKeys);
      if (auto level = read_string(*log, "log", "level")) {
        if (!is_log_level(level->text)) {
          fail(level->line, fmt::format("log.level = \"{}\" is not a log level; use one of {}",
                                        level->text, fmt::join(kLogLevels, ", ")));
        }
        config.log.level = std::move(level->text);
      }
    }
    if (const toml::table* consolidation = sub_table(root, "", "consolidation")) {
      read_consolidation(*consolidation, config.consolidation);
    }
  }

 private:
  struct StringValue {
    std::string text;  // after ${VAR} expansion
    std::uint32_t line = 0;
  };

  [[noreturn]] void fail(std::uint32_t line, std::string_view what) const {
    throw Error(ErrorCode::kConfig, fmt::format("{}: {}", where(line), what));
  }

  std::string where(std::uint32_t line) const {
    return line == 0 ? origin_ : fmt::format("{}:{}", origin_, line);
  }

  void check_known_keys(const toml::table& table, std::string_view table_path,
                        std::span<const std::string_view> known) const {
    for (auto&& [key, node] : table) {
      if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
      const std::uint32_t line =
          key.source().begin.line != 0 ? key.source().begin.line : node.source().begin.line;
      const std::string scope = table_path.empty() ? "known top-level keys"
                                                   : fmt::format("known keys in [{}]", table_path);
      fail(line, fmt::format("unknown key \"{}\"; {}: {}", dotted(table_path, key.str()), scope,
                             fmt::join(known, ", ")));
    }
  }

  const toml::table* sub_table(const toml::table& parent, std::string_view parent_path,
                               std::string_view key) const {
    const toml::node* node = parent.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) wrong_type(*node, dotted(parent_path, key), "a table");
    return node->as_table();
  }

  [[noreturn]] void wrong_type(const toml::node& node, std::string_view dotted_key,
                               std::string_view expected) const {
    fail(node.source().begin.line,
         fmt::format("{} must be {}, not {}", dotted_key, expected, type_name(node.type())));
  }

  std::optional<StringValue> read_string(const toml::table& table, std::string_view table_path,
                                         std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const std::string name = dotted(table_path, key);
    if (!node->is_string()) wrong_type(*node, name, "a string");
    const std::uint32_t line = node->source().begin.line;
    return StringValue{
        expand_variables(node->as_string()->get(), env_, fmt::format("{}: {}", where(line), name)),
        line};
  }

  std::optional<int> read_int(const toml::table& table, std::string_view table_path,
                              std::string_view key, std::int64_t min, std::int64_t max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const std::string name = dotted(table_path, key);
    if (!node->is_integer()) wrong_type(*node, name, "an integer");
    const std::int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
      const std::string range =
          max == INT_MAX ? fmt::format("at least {}", min) : fmt::format("from {} to {}", min, max);
      fail(node->source().begin.line,
           fmt::format("{} = {} is out of range; use a value {}", name, value, range));
    }
    return static_cast<int>(value);
  }

  std::optional<bool> read_bool(const toml::table& table, std::string_view table_path,
                                std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) wrong_type(*node, dotted(table_path, key), "true or false");
    return node->as_boolean()->get();
  }

  // A number in [min, max]; an integer such as 1 is accepted for 1.0.
  std::optional<double> read_fraction(const toml::table& table, std::string_view table_path,
                                      std::string_view key, double min, double max) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    const std::string name = dotted(table_path, key);
    double value = 0.0;
    if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else {
      wrong_type(*node, name, "a number");
    }
    if (!(value >= min && value <= max)) {
      fail(
          node->source().begin.line,
          fmt::format("{} = {} is out of range; use a value from {} to {}", name, value, min, max));
    }
    return value;
  }

  void read_consolidation(const toml::table& table, ConsolidationConfig& out) const {
    constexpr std::string_view kPath = "consolidation";
    check_known_keys(table, kPath, kConsolidationKeys);
    if (auto on = read_bool(table, kPath, "auto")) out.auto_run = *on;
    if (auto n = read_int(table, kPath, "every_ingests", 0, INT_MAX)) out.every_ingests = *n;
    if (auto n = read_int(table, kPath, "every_minutes", 0, INT_MAX)) out.every_minutes = *n;
    if (auto n = read_int(table, kPath, "max_millis_per_run", 1, 60000)) {
      out.max_millis_per_run = *n;
    }
    if (auto n = read_int(table, kPath, "max_memories_per_run", 1, INT_MAX)) {
      out.max_memories_per_run = *n;
    }
    if (auto v = read_fraction(table, kPath, "merge_threshold", 0.0, 1.0)) out.merge_threshold = *v;
    if (auto v = read_fraction(table, kPath, "link_threshold", 0.0, 1.0)) out.link_threshold = *v;
    if (auto v = read_fraction(table, kPath, "prune_below", 0.0, 1.0)) out.prune_below = *v;
    if (auto n = read_int(table, kPath, "merge_record_days", 0, 36500)) out.merge_record_days = *n;
    if (out.link_threshold > out.merge_threshold) {
      const toml::node* node = table.get("link_threshold");
      if (node == nullptr) node = table.get("merge_threshold");
      fail(node->source().begin.line,
           fmt::format("consolidation.link_threshold ({}) is above consolidation.merge_threshold "
                       "({}); a pair similar enough to merge is always related, so lower "
                       "link_threshold or raise merge_threshold",
                       out.link_threshold, out.merge_threshold));
    }
  }

  // Optional strings where an empty value (e.g. "${OLLAMA_URL:-}") means unset.
  std::optional<StringValue> read_optional_string(const toml::table& table,
                                                  std::string_view table_path,
                                                  std::string_view key) const {
    auto value = read_string(table, table_path, key);
    if (value && value->text.empty()) return std::nullopt;
    return value;
  }

  void read_storage(const toml::table& storage, Config& config) const {
    check_known_keys(storage, "storage", kStorageKeys);
    const auto backend = read_string(storage, "storage", "backend");
    if (backend) {
      if (backend->text != "sqlite" && backend->text != "postgres") {
        fail(
            backend->line,
            fmt::format("storage.backend = \"{}\" is not a backend; use \"sqlite\" or \"postgres\"",
                        backend->text));
      }
      config.backend = backend->text;
    }
    if (const toml::table* sqlite = sub_table(storage, "storage", "sqlite")) {
      check_known_keys(*sqlite, "storage.sqlite", kSqliteKeys);
      if (const auto path = read_string(*sqlite, "storage.sqlite", "path")) {
        if (path->text.empty()) {
          fail(path->line,
               "storage.sqlite.path is empty; remove it to use vestige.db in the data "
               "directory, or give a file name");
        }
        const std::filesystem::path expanded = expand_home(
            path->text, env_, fmt::format("{}: storage.sqlite.path", where(path->line)));
        // A relative path is relative to the data directory, not to the
        // working directory of whichever process happens to read the file.
        config.sqlite.path = (config.data_dir / expanded).lexically_normal();
      }
    }
    if (const toml::table* postgres = sub_table(storage, "storage", "postgres")) {
      read_postgres(*postgres, config.postgres);
    }
    if (config.backend == "postgres" && config.postgres.url.empty()) {
      fail(backend ? backend->line : 0,
           "storage.backend is \"postgres\" but storage.postgres.url is empty; set "
           "storage.postgres.url, e.g. url = \"${DATABASE_URL}\"");
    }
  }

  void read_postgres(const toml::table& postgres, PostgresConfig& out) const {
    constexpr std::string_view kPath = "storage.postgres";
    check_known_keys(postgres, kPath, kPostgresKeys);
    if (auto url = read_string(postgres, kPath, "url")) out.url = std::move(url->text);
    if (auto n = read_int(postgres, kPath, "max_connections", 1, 1000)) out.max_connections = *n;
    if (auto secs = read_int(postgres, kPath, "acquire_timeout_secs", 1, INT_MAX)) {
      out.acquire_timeout_secs = *secs;
    }
  }

  void read_embeddings(const toml::table& embeddings, EmbeddingsConfig& out) const {
    constexpr std::string_view kPath = "embeddings";
    check_known_keys(embeddings, kPath, kEmbeddingsKeys);
    if (auto model = read_string(embeddings, kPath, "model")) {
      if (model->text.empty()) {
        fail(model->line,
             "embeddings.model is empty; remove it to use builtin/hash-384, or name "
             "a model such as \"ollama/nomic-embed-text\"");
      }
      out.model = std::move(model->text);
    }
    if (auto url = read_optional_string(embeddings, kPath, "base_url")) out.base_url = url->text;
    if (auto dimension = read_int(embeddings, kPath, "dimension", 1, INT_MAX)) {
      out.dimension = *dimension;
    }
    if (auto name = read_optional_string(embeddings, kPath, "api_key_env")) {
      // A key pasted here by mistake would end up in `vestige config print`
      // and in logs, so only a variable name is accepted. The message does not
      // repeat the value for the same reason.
      if (!config_detail::is_variable_name(name->text)) {
        fail(name->line,
             "embeddings.api_key_env must be the name of the environment variable "
             "that holds the API key (e.g. \"OPENAI_API_KEY\"), not the key itself");
      }
      out.api_key_env = name->text;
    }
    if (auto secs = read_int(embeddings, kPath, "timeout_secs", 1, INT_MAX)) {
      out.timeout_secs = *secs;
    }
    if (auto size = read_int(embeddings, kPath, "batch_size", 1, INT_MAX)) out.batch_size = *size;
    if (auto retries = read_int(embeddings, kPath, "max_retries", 0, INT_MAX)) {
      out.max_retries = *retries;
    }
  }

  const std::string& origin_;
  const EnvLookup& env_;
};

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Config parse_config(std::string_view toml_text, const std::string& origin,
                    const std::filesystem::path& data_dir, const EnvLookup& env) {
  Config config;
  config.data_dir = std::filesystem::absolute(data_dir).lexically_normal();
  config.sqlite.path = config.data_dir / "vestige.db";

  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(origin));
  } catch (const toml::parse_error& e) {
    throw Error(ErrorCode::kConfig,
                fmt::format("{}:{}:{}: invalid TOML: {}", origin, e.source().begin.line,
                            e.source().begin.column, e.description()));
  }
  ConfigReader(origin, env).read(root, config);

  // The environment wins over the file so that one run can be made verbose
  // without editing a shared vestige.toml.
  if (const auto level = env("VESTIGE_LOG"); level && !level->empty()) {
    if (!is_log_level(*level)) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("VESTIGE_LOG=\"{}\" is not a log level; use one of {}", *level,
                              fmt::join(kLogLevels, ", ")));
    }
    config.log.level = *level;
  }
  return config;
}

}  // namespace vestige
