#pragma once

// Text normalisation for the builtin hash embedder: words, stop words and
// character n-grams. Everything here is deterministic and locale-independent,
// because stored vectors depend on it.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vestige::embed {

// Splits `text` into normalised words, in order. A word is a run of ASCII
// letters and digits and non-ASCII characters, so UTF-8 words ("café",
// "数据库") survive whole; ASCII letters are lowercased, other characters are
// kept as they are (lowercasing them would need Unicode tables). Apostrophes
// inside a word (' and U+2019) are dropped, so "user's" is "users". Everything
// else separates words, including the non-ASCII spaces and punctuation that
// commonly appear in prose: U+00A0, ¡ « » ¿, the General Punctuation block
// U+2000..U+206F (dashes, curly quotes, ellipsis, zero-width spaces) and the
// ideographic space, comma and full stop U+3000..U+3002.
std::vector<std::string> tokenize(std::string_view text);

// Calls `visit(std::string_view)` for every run of `n` consecutive UTF-8 code
// points in `text`, or once with the whole text if it has fewer than `n`.
// Splitting on code points rather than bytes keeps a multi-byte character in
// one piece.
template <typename Visit>
void for_each_char_ngram(std::string_view text, std::size_t n, Visit&& visit) {
  // Start offsets of the last n + 1 code points, in a ring.
  constexpr std::size_t kMaxN = 8;
  std::size_t starts[kMaxN + 1] = {};
  if (n == 0 || n > kMaxN || text.empty()) return;
  std::size_t count = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool boundary = i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    starts[count % (n + 1)] = i;
    ++count;
    if (count > n) {
      const std::size_t begin = starts[(count - 1 - n) % (n + 1)];
      visit(text.substr(begin, i - begin));
    }
  }
  // `count` includes the end of the text, so the text has count - 1 code points.
  if (count - 1 < n) visit(text);
}

}  // namespace vestige::embed
