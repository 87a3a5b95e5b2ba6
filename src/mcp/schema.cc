#include "mcp/schema.h"

#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "mcp/jsonrpc.h"

namespace vestige::mcp {
namespace {

std::string label(const std::string& path) {
  return path.empty() ? std::string("arguments") : fmt::format("argument '{}'", path);
}

// Enough of a value to recognise it in a message without echoing a megabyte.
std::string excerpt(const Json& value) {
  constexpr std::size_t kMaxChars = 60;
  std::string text = serialize(value);
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

std::string describe_value(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return fmt::format("a boolean ({})", excerpt(value));
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return fmt::format("an integer ({})", excerpt(value));
    case Json::value_t::number_float:
      return fmt::format("a number ({})", excerpt(value));
    case Json::value_t::string:
      return fmt::format("a string ({})", excerpt(value));
    case Json::value_t::array:
      return fmt::format("an array of {} elements", value.size());
    case Json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

std::string describe_type(const std::string& type) {
  if (type == "integer" || type == "object" || type == "array") return "an " + type;
  if (type == "null") return "null";
  return "a " + type;
}

bool has_type(const Json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double number = value.get<double>();
    return std::isfinite(number) && std::trunc(number) == number;
  }
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "null") return value.is_null();
  return true;  // an unknown type name constrains nothing
}

// Checks "type"; returns false (after recording why) when it does not match,
// so that the keywords for that type are not applied to a value of another.
bool check_type(const Json& value, const Json& schema, const std::string& path,
                std::vector<std::string>& problems) {
  const auto type = schema.find("type");
  if (type == schema.end()) return true;
  std::vector<std::string> names;
  if (type->is_string()) {
    names.push_back(type->get<std::string>());
  } else if (type->is_array()) {
    for (const Json& name : *type) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
  }
  if (names.empty()) return true;
  for (const std::string& name : names) {
    if (has_type(value, name)) return true;
  }
  std::string expected;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) expected += " or ";
    expected += describe_type(names[i]);
  }
  problems.push_back(
      fmt::format("{} must be {}; got {}", label(path), expected, describe_value(value)));
  return false;
}

void check_enum(const Json& value, const Json& schema, const std::string& path,
                std::vector<std::string>& problems) {
  const auto allowed = schema.find("enum");
  if (allowed == schema.end() || !allowed->is_array()) return;
  for (const Json& option : *allowed) {
    if (option == value) return;
  }
  std::string options;
  for (const Json& option : *allowed) {
    if (!options.empty()) options += ", ";
    options += serialize(option);
  }
  problems.push_back(
      fmt::format("{} must be one of {}; got {}", label(path), options, excerpt(value)));
}

// A keyword's numeric value, when the schema has one.
std::optional<double> number_keyword(const Json& schema, std::string_view keyword) {
  const auto it = schema.find(keyword);
  if (it == schema.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

void check_bounds(const Json& value, const Json& schema, const std::string& path,
                  std::vector<std::string>& problems) {
  if (value.is_number()) {
    const double number = value.get<double>();
    if (const auto minimum = number_keyword(schema, "minimum"); minimum && number < *minimum) {
      problems.push_back(
          fmt::format("{} must be at least {}; got {}", label(path), *minimum, excerpt(value)));
    }
    if (const auto maximum = number_keyword(schema, "maximum"); maximum && number > *maximum) {
      problems.push_back(
          fmt::format("{} must be at most {}; got {}", label(path), *maximum, excerpt(value)));
    }
  } else if (value.is_string()) {
    const auto length = static_cast<double>(value.get_ref<const std::string&>().size());
    if (const auto minimum = number_keyword(schema, "minLength"); minimum && length < *minimum) {
      problems.push_back(fmt::format("{} must be at least {} bytes long; got {} bytes", label(path),
                                     *minimum, length));
    }
    if (const auto maximum = number_keyword(schema, "maxLength"); maximum && length > *maximum) {
      problems.push_back(fmt::format("{} must be at most {} bytes long; got {} bytes", label(path),
                                     *maximum, length));
    }
  } else if (value.is_array()) {
    const auto count = static_cast<double>(value.size());
    if (const auto minimum = number_keyword(schema, "minItems"); minimum && count < *minimum) {
      problems.push_back(
          fmt::format("{} must have at least {} elements; got {}", label(path), *minimum, count));
    }
    if (const auto maximum = number_keyword(schema, "maxItems"); maximum && count > *maximum) {
      problems.push_back(
          fmt::format("{} must have at most {} elements; got {}", label(path), *maximum, count));
    }
  }
}

void check_value(const Json& value, const Json& schema, const std::string& path,
                 std::vector<std::string>& problems);

void check_object(const Json& value, const Json& schema, const std::string& path,
                  std::vector<std::string>& problems) {
  const auto prefix = path.empty() ? std::string() : path + ".";
  const auto properties = schema.find("properties");
  const bool has_properties = properties != schema.end() && properties->is_object();
  if (const auto required = schema.find("required");
      required != schema.end() && required->is_array()) {
    for (const Json& name : *required) {
      if (!name.is_string() || value.contains(name.get<std::string>())) continue;
      const std::string key = name.get<std::string>();
      std::string expected;
      if (has_properties && properties->contains(key)) {
        const Json& property = (*properties)[key];
        if (const auto type = property.find("type"); type != property.end() && type->is_string()) {
          expected = " (" + describe_type(type->get<std::string>()) + ")";
        }
      }
      problems.push_back(fmt::format("{} is required{}", label(prefix + key), expected));
    }
  }
  const auto additional = schema.find("additionalProperties");
  const bool closed = additional != schema.end() && *additional == false;
  for (const auto& [key, member] : value.items()) {
    if (has_properties && properties->contains(key)) {
      check_value(member, (*properties)[key], prefix + key, problems);
    } else if (closed) {
      std::string known;
      if (has_properties) {
        for (const auto& [name, unused] : properties->items()) {
          if (!known.empty()) known += ", ";
          known += name;
        }
      }
      problems.push_back(fmt::format(
          "{} is not accepted{}", label(prefix + key),
          known.empty() ? std::string(" (no arguments are)") : "; accepted arguments: " + known));
    }
  }
}

void check_value(const Json& value, const Json& schema, const std::string& path,
                 std::vector<std::string>& problems) {
  if (!schema.is_object()) return;  // `true` or a malformed schema accepts anything
  if (!check_type(value, schema, path, problems)) return;
  check_enum(value, schema, path, problems);
  check_bounds(value, schema, path, problems);
  if (value.is_object()) {
    check_object(value, schema, path, problems);
  } else if (value.is_array()) {
    if (const auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        check_value(value[i], *items, fmt::format("{}[{}]", path, i), problems);
      }
    }
  }
}

}  // namespace

std::vector<std::string> validate_arguments(const Json& arguments, const Json& schema) {
  std::vector<std::string> problems;
  check_value(arguments, schema, "", problems);
  return problems;
}

}  // namespace vestige::mcp
