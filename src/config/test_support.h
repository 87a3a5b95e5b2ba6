#pragma once

// Helpers for the config module's tests: a fake environment and a private
// temporary directory, so that no test reads or changes the real ones.

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/temp_dir.h"
#include "vestige/config.h"

namespace vestige::config_test {

inline EnvLookup fake_env(std::map<std::string, std::string, std::less<>> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

using ::vestige::testing::TempDir;

}  // namespace vestige::config_test
