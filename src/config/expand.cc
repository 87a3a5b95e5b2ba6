#include "config/expand.h"

#include <fmt/format.h>

#include "vestige/error.h"

namespace vestige::config_detail {

namespace {

[[noreturn]] void fail(std::string_view context, std::string_view what) {
  throw Error(ErrorCode::kConfig, fmt::format("{}: {}", context, what));
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool is_variable_name(std::string_view name) {
  if (name.empty() || is_ascii_digit(name.front())) return false;
  for (char c : name) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_') return false;
  }
  return true;
}

std::string expand_variables(std::string_view value, const EnvLookup& env,
                             std::string_view context) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const char next = i + 1 < value.size() ? value[i + 1] : '\0';
    if (c != '$' || (next != '$' && next != '{')) {
      out += c;
      continue;
    }
    if (next == '$') {
      out += '$';
      ++i;
      continue;
    }
    const std::size_t close = value.find('}', i + 2);
    if (close == std::string_view::npos) {
      fail(context, "\"${\" is not closed by \"}\"; write \"$$\" for a literal \"$\"");
    }
    const std::string_view body = value.substr(i + 2, close - i - 2);
    const std::size_t fallback_at = body.find(":-");
    const std::string_view name = body.substr(0, fallback_at);
    if (!is_variable_name(name)) {
      fail(context,
           fmt::format("\"${{{}}}\" is not a variable reference: a name is letters, digits and "
                       "\"_\", optionally followed by \":-default\"; write \"$$\" for a literal "
                       "\"$\"",
                       body));
    }
    std::optional<std::string> found = env(name);
    if (fallback_at != std::string_view::npos) {
      if (!found || found->empty()) found = std::string(body.substr(fallback_at + 2));
    } else if (!found) {
      fail(context, fmt::format("environment variable {0} is not set; set it, or give a default "
                                "with ${{{0}:-default}}",
                                name));
    }
    out += *found;
    i = close;
  }
  return out;
}

std::string expand_home(std::string_view path, const EnvLookup& env, std::string_view context) {
  if (path != "~" && !path.starts_with("~/")) return std::string(path);
  const std::optional<std::string> home = env("HOME");
  if (!home || home->empty()) {
    fail(context, fmt::format("cannot expand \"~\" in \"{}\" because HOME is not set; use an "
                              "absolute path",
                              path));
  }
  return *home + std::string(path.substr(1));
}

}  // namespace vestige::config_detail
