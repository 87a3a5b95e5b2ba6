#include "engine/importance.h"

#include <gtest/gtest.h>

namespace vestige::engine {
namespace {

constexpr double kTol = 1e-9;

TEST(Importance, WordsAreLowercasedAndKeepContractionsWhole) {
  EXPECT_EQ(lowercase_words("Don't use MySQL-8, ALWAYS!"),
            (std::vector<std::string>{"dont", "use", "mysql", "8", "always"}));
  EXPECT_TRUE(lowercase_words("  ...  ").empty());
}

TEST(Importance, SignalsCountDistinctMarkersWordsAndNovelty) {
  const ImportanceSignals s =
      importance_signals("Always remember: always run the migrations first", 0.25);
  EXPECT_EQ(s.markers, 2u);  // "always" twice counts once
  EXPECT_EQ(s.words, 7u);
  EXPECT_NEAR(s.novelty, 0.75, kTol);
  EXPECT_NEAR(importance_signals("x", std::nullopt).novelty, 1.0, kTol);
  EXPECT_NEAR(importance_signals("x", -0.4).novelty, 1.0, kTol);
  EXPECT_NEAR(importance_signals("x", 1.2).novelty, 0.0, kTol);
}

TEST(Importance, FormulaByHand) {
  // 0.40*1 + 0.35*0 + 0.25*1: novel, no marker, eight words or more.
  EXPECT_NEAR(importance("The billing service stores invoices in the ledger table", std::nullopt),
              0.65, kTol);
  // 0.40*0.5 + 0.35*(1/2) + 0.25*(4/8).
  EXPECT_NEAR(importance("You must rotate keys", 0.5), 0.2 + 0.175 + 0.125, kTol);
  // Saturated everywhere.
  EXPECT_NEAR(importance("Always remember that you must never push directly to main", std::nullopt),
              1.0, kTol);
  EXPECT_NEAR(importance("", 1.0), 0.0, kTol);
}

TEST(Importance, ExplicitMarkersOutrankABlandText) {
  const double marked =
      importance("Always remember to run clang-format before committing C++ changes", 0.3);
  const double bland = importance("The team ran clang-format on some C++ files last week", 0.3);
  EXPECT_GT(marked, bland);
}

TEST(Importance, VeryShortTextsScoreLower) {
  EXPECT_LT(importance("ok sounds good", std::nullopt),
            importance("The staging cluster runs in the eu-west-1 region on AWS", std::nullopt));
}

TEST(Importance, KnownTextsScoreLowerThanNovelOnes) {
  const std::string text = "The staging cluster runs in the eu-west-1 region on AWS";
  EXPECT_LT(importance(text, 0.9), importance(text, 0.1));
}

}  // namespace
}  // namespace vestige::engine
