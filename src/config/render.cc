#include "vestige/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

namespace vestige {

namespace {

// `text` as one TOML basic string. Without the multi-line and literal string
// flags toml++ always writes a single-line "...", which is also safe inside a
// comment.
std::string toml_string(std::string text) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>{std::move(text)},
                              toml::format_flags::allow_unicode_strings};
  return std::move(out).str();
}

// A string value that parse_config reads back as `text`: `$` is doubled
// because parse_config expands ${VAR} in every string value.
std::string toml_value(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    escaped += c;
    if (c == '$') escaped += '$';
  }
  return toml_string(std::move(escaped));
}

void add_string(std::string& out, std::string_view key, std::string_view value) {
  out += fmt::format("{} = {}\n", key, toml_value(value));
}

void add_int(std::string& out, std::string_view key, int value) {
  out += fmt::format("{} = {}\n", key, value);
}

// Shortest text that reads back as the same double, always with a decimal
// point so that TOML sees a float.
void add_number(std::string& out, std::string_view key, double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  out += fmt::format("{} = {}\n", key, text);
}

}  // namespace

std::string render_config(const Config& config) {
  std::string out;
  if (config.file) {
    out += fmt::format("# Effective configuration, loaded from {}.\n",
                       toml_string(config.file->string()));
  } else {
    out += "# Effective configuration: no configuration file was loaded, defaults are in effect.\n";
  }
  out += "# Environment variables are expanded and passwords are masked as ****.\n";
  out += fmt::format("# Data directory: {}\n", toml_string(config.data_dir.string()));

  out += "\n[storage]\n";
  add_string(out, "backend", config.backend);

  out += "\n[storage.sqlite]\n";
  add_string(out, "path", config.sqlite.path.string());

  out += "\n[storage.postgres]\n";
  add_string(out, "url", mask_secrets(config.postgres.url));
  add_int(out, "max_connections", config.postgres.max_connections);
  add_int(out, "acquire_timeout_secs", config.postgres.acquire_timeout_secs);

  const EmbeddingsConfig& embeddings = config.embeddings;
  out += "\n[embeddings]\n";
  add_string(out, "model", embeddings.model);
  if (embeddings.base_url) {
    add_string(out, "base_url", mask_secrets(*embeddings.base_url));
  } else {
    out += "# base_url is not set: the provider's default is used\n";
  }
  if (embeddings.dimension) {
    add_int(out, "dimension", *embeddings.dimension);
  } else {
    out += "# dimension is not set: the model's own dimension is used\n";
  }
  if (embeddings.api_key_env) {
    // The variable's name, never its value.
    add_string(out, "api_key_env", *embeddings.api_key_env);
  } else {
    out += "# api_key_env is not set\n";
  }
  add_int(out, "timeout_secs", embeddings.timeout_secs);
  add_int(out, "batch_size", embeddings.batch_size);
  add_int(out, "max_retries", embeddings.max_retries);

  out += "\n[log]\n";
  add_string(out, "level", config.log.level);

  const ConsolidationConfig& consolidation = config.consolidation;
  out += "\n[consolidation]\n";
  out += fmt::format("auto = {}\n", consolidation.auto_run);
  add_int(out, "every_ingests", consolidation.every_ingests);
  add_int(out, "every_minutes", consolidation.every_minutes);
  add_int(out, "max_millis_per_run", consolidation.max_millis_per_run);
  add_int(out, "max_memories_per_run", consolidation.max_memories_per_run);
  add_number(out, "merge_threshold", consolidation.merge_threshold);
  add_number(out, "link_threshold", consolidation.link_threshold);
  add_number(out, "prune_below", consolidation.prune_below);
  add_int(out, "merge_record_days", consolidation.merge_record_days);
  return out;
}

}  // namespace vestige
