#include "store/postgres/text_query.h"

namespace vestige::postgres {

namespace {

bool is_word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::optional<std::string> websearch_text(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) continue;
    // Inside double quotes websearch_to_tsquery reads a word as a word, so
    // "or", "and" or a leading "-" never act as operators. Words hold no
    // quote character.
    if (!out.empty()) out += " or ";
    out += '"';
    out += text.substr(start, i - start);
    out += '"';
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace vestige::postgres
