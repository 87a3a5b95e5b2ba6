#pragma once

// vestige.toml (operations.md, "Configuration").

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vestige {

struct SqliteConfig {
  std::filesystem::path path;  // default <data dir>/vestige.db
};

struct PostgresConfig {
  std::string url;  // libpq URL or key/value conninfo; may hold a password
  int max_connections = 10;
  int acquire_timeout_secs = 30;
};

struct EmbeddingsConfig {
  std::string model = "builtin/hash-384";
  // For HTTP embedders; unset means the provider's default
  // (ollama: http://127.0.0.1:11434, openai: https://api.openai.com).
  std::optional<std::string> base_url;
  std::optional<int> dimension;            // expected dimension; checked against replies
  std::optional<std::string> api_key_env;  // name of the env var holding the API key
  int timeout_secs = 30;
  int batch_size = 32;
  int max_retries = 3;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, off
};

struct Config {
  std::filesystem::path data_dir;                  // absolute
  std::optional<std::filesystem::path> file;       // the file that was loaded, if any
  std::string backend = "sqlite";                  // "sqlite" or "postgres"
  SqliteConfig sqlite;
  PostgresConfig postgres;
  EmbeddingsConfig embeddings;
  LogConfig log;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the process environment.
EnvLookup process_env();

// Where the configuration comes from: the global command-line options.
struct ConfigSources {
  std::optional<std::filesystem::path> config_file;  // --config
  std::optional<std::filesystem::path> data_dir;     // --data-dir
};

// Resolves the data directory (--data-dir, else $VESTIGE_DATA_DIR, else
// ~/.vestige) and the config file (--config, else $VESTIGE_CONFIG, else
// <data dir>/vestige.toml), then loads it. A missing file at the default
// location means defaults; a missing file named by --config or $VESTIGE_CONFIG
// is an error. ${VAR} and ${VAR:-default} expand in every string value, ~ in
// paths; $VESTIGE_LOG overrides [log] level. Unknown keys, wrong types and
// unset variables throw Error(kConfig) whose message names the key and the
// file's line. Does not create the data directory or touch any database.
Config load_config(const ConfigSources& sources, const EnvLookup& env = process_env());

// Parses TOML text as if it were the file `origin` (used in messages), with
// `data_dir` as the data directory. Same rules as load_config.
Config parse_config(std::string_view toml_text, const std::string& origin,
                    const std::filesystem::path& data_dir, const EnvLookup& env = process_env());

// The effective configuration as TOML, every key present, with passwords in
// URLs and API keys masked as "****". What `vestige config print` shows.
std::string render_config(const Config& config);

// `postgresql://vestige:secret@host/db` -> `postgresql://vestige:****@host/db`;
// also masks `password=...` in key/value conninfo.
std::string mask_secrets(std::string_view url_or_conninfo);

// Creates the data directory (mode 0700) if it does not exist and tightens an
// existing one to 0700. Throws Error(kInit) when it cannot.
void ensure_data_dir(const Config& config);

}  // namespace vestige
