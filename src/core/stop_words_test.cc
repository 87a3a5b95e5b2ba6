#include "vestige/stop_words.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace vestige {
namespace {

TEST(StopWords, AreSortedLowercaseFunctionWords) {
  EXPECT_TRUE(is_stop_word("the"));
  EXPECT_TRUE(is_stop_word("is"));
  EXPECT_FALSE(is_stop_word("database"));
  EXPECT_FALSE(is_stop_word("The"));
  const auto words = stop_words();
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
}

}  // namespace
}  // namespace vestige
