#pragma once

// Expansion of environment references in configuration values. Internal to the
// config module; the rules are part of the vestige.toml contract (operations.md).

#include <string>
#include <string_view>

#include "vestige/config.h"

namespace vestige::config_detail {

// Replaces every `${NAME}` in `value` with the variable's value from `env`, and
// `${NAME:-fallback}` with the variable's value, or `fallback` (taken literally,
// up to the first `}`) when the variable is unset or empty. `$$` stands for a
// literal `$`, so a value can hold `${` verbatim (`$${`). A `$` followed by
// anything else is kept as it is: passwords often contain one. NAME is letters,
// digits and `_`, not starting with a digit.
//
// Throws Error(kConfig) for an unset variable without a fallback, an
// unterminated `${` or an invalid name; the message starts with `context`
// (e.g. `vestige.toml:7: storage.postgres.url`) so the user can find the value.
std::string expand_variables(std::string_view value, const EnvLookup& env,
                             std::string_view context);

// `~` alone or at the start of `~/...` becomes $HOME; anything else (including
// `~user`, which would need the password database) is returned unchanged.
// Throws Error(kConfig), prefixed by `context`, when HOME is needed but unset.
std::string expand_home(std::string_view path, const EnvLookup& env, std::string_view context);

// True when `name` can be an environment variable name in a `${...}` reference.
bool is_variable_name(std::string_view name);

}  // namespace vestige::config_detail
