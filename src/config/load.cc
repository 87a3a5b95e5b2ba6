#include "vestige/config.h"

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/expand.h"
#include "vestige/error.h"

namespace vestige {

namespace {

namespace fs = std::filesystem;

// A non-empty environment value, or nullopt: `VESTIGE_CONFIG= vestige ...` is
// the usual way to switch a variable off for one command.
std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

fs::path absolute_path(std::string_view path, const EnvLookup& env, std::string_view context) {
  return fs::absolute(config_detail::expand_home(path, env, context)).lexically_normal();
}

fs::path resolve_data_dir(const ConfigSources& sources, const EnvLookup& env) {
  if (sources.data_dir) {
    if (sources.data_dir->empty()) throw Error(ErrorCode::kConfig, "--data-dir is empty");
    return absolute_path(sources.data_dir->string(), env, "--data-dir");
  }
  if (const auto dir = non_empty(env, "VESTIGE_DATA_DIR")) {
    return absolute_path(*dir, env, "VESTIGE_DATA_DIR");
  }
  const auto home = non_empty(env, "HOME");
  if (!home) {
    throw Error(ErrorCode::kConfig,
                "cannot find the default data directory ~/.vestige because HOME is not set; pass "
                "--data-dir or set VESTIGE_DATA_DIR");
  }
  return (fs::path(*home) / ".vestige").lexically_normal();
}

struct ConfigFile {
  fs::path path;
  // How the file was named ("--config", "VESTIGE_CONFIG"); empty for the
  // default location, where a missing file simply means defaults.
  std::string named_by;
};

ConfigFile resolve_config_file(const ConfigSources& sources, const fs::path& data_dir,
                               const EnvLookup& env) {
  if (sources.config_file) {
    if (sources.config_file->empty()) throw Error(ErrorCode::kConfig, "--config is empty");
    return {absolute_path(sources.config_file->string(), env, "--config"), "--config"};
  }
  if (const auto file = non_empty(env, "VESTIGE_CONFIG")) {
    return {absolute_path(*file, env, "VESTIGE_CONFIG"), "VESTIGE_CONFIG"};
  }
  return {data_dir / "vestige.toml", ""};
}

// The file's contents, or nullopt when it does not exist.
std::optional<std::string> read_if_exists(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) return std::nullopt;
  if (ec) {
    throw Error(ErrorCode::kConfig,
                fmt::format("cannot read config file {}: {}", path.string(), ec.message()));
  }
  if (fs::is_directory(status)) {
    throw Error(ErrorCode::kConfig,
                fmt::format("config file {} is a directory; name the vestige.toml inside it",
                            path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::kConfig,
                fmt::format("cannot read config file {}: {}", path.string(),
                            std::error_code(errno, std::generic_category()).message()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

Config load_config(const ConfigSources& sources, const EnvLookup& env) {
  const fs::path data_dir = resolve_data_dir(sources, env);
  const ConfigFile file = resolve_config_file(sources, data_dir, env);
  const std::optional<std::string> text = read_if_exists(file.path);
  if (!text) {
    if (!file.named_by.empty()) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("config file {} (named by {}) does not exist; create it or point "
                              "{} at an existing file",
                              file.path.string(), file.named_by, file.named_by));
    }
    // Still parsed, so that environment overrides apply the same way.
    return parse_config("", file.path.string(), data_dir, env);
  }
  Config config = parse_config(*text, file.path.string(), data_dir, env);
  config.file = file.path;
  return config;
}

}  // namespace vestige
