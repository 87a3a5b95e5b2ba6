#include "embed/text_features.h"

#include <algorithm>
#include <cstdint>

namespace vestige::embed {
namespace {

bool ascii_word_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Decodes the UTF-8 sequence at `i`, returning its code point and setting
// `length`. Invalid or truncated input decodes as one byte with code point
// 0xFFFD, which is a word character: nothing is lost, and the result is still
// deterministic.
std::uint32_t decode(std::string_view s, std::size_t i, std::size_t& length) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (lead >= 0xF0 && lead < 0xF8) {
    n = 4;
    cp = lead & 0x07u;
  } else if (lead >= 0xE0) {
    n = lead < 0xF0 ? 3 : 0;
    cp = lead & 0x0Fu;
  } else if (lead >= 0xC0) {
    n = 2;
    cp = lead & 0x1Fu;
  }
  if (n == 0 || i + n > s.size()) {
    length = 1;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      length = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  length = n;
  return cp;
}

bool non_ascii_separator(std::uint32_t cp) {
  return cp == 0x00A0 || cp == 0x00A1 || cp == 0x00AB || cp == 0x00BB || cp == 0x00BF ||
         (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x3002);
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  const auto finish_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (ascii_word_char(c)) {
        word.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
      } else if (c != '\'' || word.empty()) {
        // An apostrophe joins the two halves of a word; anything else ends it.
        finish_word();
      }
      ++i;
      continue;
    }
    std::size_t length = 1;
    const std::uint32_t cp = decode(text, i, length);
    if (!non_ascii_separator(cp)) {
      word.append(text.substr(i, length));
    } else if (cp != 0x2019 || word.empty()) {
      // U+2019, the typographic apostrophe, joins like '; the rest separate.
      finish_word();
    }
    i += length;
  }
  finish_word();
  return words;
}

}  // namespace vestige::embed
