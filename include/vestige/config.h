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

// Automatic consolidation in the server (engine/consolidation.h): after
// every_ingests writes or every_minutes minutes, whichever comes first, the
// server runs one slice of at most max_memories_per_run memories and
// max_millis_per_run milliseconds between requests. Thresholds are cosine
// similarities.
struct ConsolidationConfig {
  bool auto_run = true;  // key `auto`
  int every_ingests = 100;
  int every_minutes = 60;
  int max_millis_per_run = 50;
  int max_memories_per_run = 500;
  double merge_threshold = 0.85;
  double link_threshold = 0.5;
  double prune_below = 0.05;
  // gc collects merge records (the undo data of consolidation's merges) this
  // many days old or older; 0 keeps them forever.
  int merge_record_days = 30;
};

struct Config {
  std::filesystem::path data_dir;             // absolute
  std::optional<std::filesystem::path> file;  // the file that was loaded, if any
  std::string backend = "sqlite";             // "sqlite" or "postgres"
  SqliteConfig sqlite;
  PostgresConfig postgres;
  EmbeddingsConfig embeddings;
  LogConfig log;
  ConsolidationConfig consolidation;
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
// <data dir>/vestige.toml), then loads it. Empty variables count as unset. A
// missing file at the default location means defaults; a missing file named by
// --config or $VESTIGE_CONFIG is an error. Does not create the data directory
// or touch any database.
//
// Values: ${VAR} and ${VAR:-default} expand in every string value (the default
// applies when VAR is unset or empty and is taken literally up to the first
// `}`); `$$` is a literal `$`, and a `$` not followed by `{` or `$` is kept
// as it is. `~` and `~/` at the start of storage.sqlite.path (and of
// --data-dir, --config and their variables) expand to $HOME; a relative
// storage.sqlite.path is relative to the data directory. An empty base_url or
// api_key_env means unset. $VESTIGE_LOG overrides [log] level.
//
// Unknown keys, wrong types, out-of-range numbers and unset variables throw
// Error(kConfig) whose message starts with `<file>:<line>:` and names the
// dotted key; TOML syntax errors give `<file>:<line>:<column>:`.
Config load_config(const ConfigSources& sources, const EnvLookup& env = process_env());

// Parses TOML text as if it were the file `origin` (used in messages), with
// `data_dir` (made absolute) as the data directory. Same rules as load_config;
// Config::file is left unset.
Config parse_config(std::string_view toml_text, const std::string& origin,
                    const std::filesystem::path& data_dir, const EnvLookup& env = process_env());

// The effective configuration as TOML, every key present (unset optional keys
// as comments), passwords masked by mask_secrets, after a comment saying which
// file was loaded. api_key_env shows the variable's name, never the key. `$` in
// values is written as `$$`, so parse_config reads the output back to the same
// Config except for the masked secrets. What `vestige config print` shows.
std::string render_config(const Config& config);

// `postgresql://vestige:secret@host/db` -> `postgresql://vestige:****@host/db`;
// also masks password-like query parameters (`?password=...`, `api_key=...`)
// and `password=...` / `sslpassword=...` in key/value conninfo, quoted or not.
std::string mask_secrets(std::string_view url_or_conninfo);

// Creates the data directory and any missing parents (mode 0700) and sets an
// existing data directory to exactly 0700. Throws Error(kInit), naming the path
// and the system's reason, when it cannot.
void ensure_data_dir(const Config& config);

}  // namespace vestige
