#include "embed/text_features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vestige::embed {
namespace {

using Words = std::vector<std::string>;

std::vector<std::string> ngrams(std::string_view text, std::size_t n) {
  std::vector<std::string> out;
  for_each_char_ngram(text, n, [&](std::string_view g) { out.emplace_back(g); });
  return out;
}

TEST(Tokenize, LowercasesAndSplitsOnPunctuation) {
  EXPECT_EQ(tokenize("The DB is locked!  (error 5)"),
            (Words{"the", "db", "is", "locked", "error", "5"}));
  EXPECT_EQ(tokenize("max_retries=3, path/to/file.cc"),
            (Words{"max", "retries", "3", "path", "to", "file", "cc"}));
}

TEST(Tokenize, EmptyAndPunctuationOnlyGiveNoWords) {
  EXPECT_TRUE(tokenize("").empty());
  EXPECT_TRUE(tokenize(" \t\n...!!!---").empty());
  EXPECT_TRUE(tokenize("— \u00A0 …").empty());
}

TEST(Tokenize, KeepsUtf8WordsWhole) {
  EXPECT_EQ(tokenize("Café crème, 数据库!"), (Words{"café", "crème", "数据库"}));
  EXPECT_EQ(tokenize("Ünïcode"), (Words{"Ünïcode"}));  // only ASCII is lowercased
}

TEST(Tokenize, SplitsOnUnicodePunctuation) {
  EXPECT_EQ(tokenize("“quoted” and—dashed"), (Words{"quoted", "and", "dashed"}));
  EXPECT_EQ(tokenize("a。b"), (Words{"a", "b"}));
}

TEST(Tokenize, ApostrophesJoinWords) {
  EXPECT_EQ(tokenize("the user's editor"), (Words{"the", "users", "editor"}));
  EXPECT_EQ(tokenize("don’t 'quote'"), (Words{"dont", "quote"}));
}

TEST(Tokenize, InvalidUtf8StaysDeterministic) {
  const std::string bad = "ok \xFF\xFE bad\xC3";
  EXPECT_EQ(tokenize(bad), tokenize(bad));
  EXPECT_EQ(tokenize(bad).front(), "ok");
}

TEST(CharNgrams, SlideOverCodePoints) {
  EXPECT_EQ(ngrams("<cat>", 3), (Words{"<ca", "cat", "at>"}));
  EXPECT_EQ(ngrams("<é>", 3), (Words{"<é>"}));
  EXPECT_EQ(ngrams("<数据>", 3), (Words{"<数据", "数据>"}));
  EXPECT_EQ(ngrams("ab", 3), (Words{"ab"}));
  EXPECT_TRUE(ngrams("", 3).empty());
  EXPECT_EQ(ngrams("abcd", 1), (Words{"a", "b", "c", "d"}));
}

}  // namespace
}  // namespace vestige::embed
