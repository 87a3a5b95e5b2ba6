#pragma once

#include <span>
#include <string_view>

namespace vestige {

// A file compiled into the binary by cmake/EmbedFiles.cmake (SQL migrations,
// search statements). `name` is the file's base name, e.g. "0001_initial.up.sql".
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

}  // namespace vestige
