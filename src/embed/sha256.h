#pragma once

#include <string>
#include <string_view>

namespace vestige::embed {

// Lowercase hex SHA-256 of `bytes`; used for ModelSignature::hash.
std::string sha256_hex(std::string_view bytes);

}  // namespace vestige::embed
