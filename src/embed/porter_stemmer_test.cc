#include "embed/porter_stemmer.h"

#include <gtest/gtest.h>

#include <utility>

namespace vestige::embed {
namespace {

// The examples of Porter's 1980 paper, step by step.
TEST(PorterStemmer, StemsThePapersExamples) {
  const std::pair<const char*, const char*> examples[] = {
      // Step 1a
      {"caresses", "caress"},
      {"ponies", "poni"},
      {"ties", "ti"},
      {"caress", "caress"},
      {"cats", "cat"},
      // Step 1b
      {"feed", "feed"},
      {"agreed", "agre"},
      {"plastered", "plaster"},
      {"bled", "bled"},
      {"motoring", "motor"},
      {"sing", "sing"},
      {"conflated", "conflat"},
      {"troubled", "troubl"},
      {"sized", "size"},
      {"hopping", "hop"},
      {"tanned", "tan"},
      {"falling", "fall"},
      {"hissing", "hiss"},
      {"fizzed", "fizz"},
      {"failing", "fail"},
      {"filing", "file"},
      // Step 1c
      {"happy", "happi"},
      {"sky", "sky"},
      // Step 2
      {"relational", "relat"},
      {"conditional", "condit"},
      {"rational", "ration"},
      {"valenci", "valenc"},
      {"hesitanci", "hesit"},
      {"digitizer", "digit"},
      {"conformabli", "conform"},
      {"radicalli", "radic"},
      {"differentli", "differ"},
      {"vileli", "vile"},
      {"analogousli", "analog"},
      {"vietnamization", "vietnam"},
      {"predication", "predic"},
      {"operator", "oper"},
      {"feudalism", "feudal"},
      {"decisiveness", "decis"},
      {"hopefulness", "hope"},
      {"callousness", "callous"},
      {"formaliti", "formal"},
      {"sensitiviti", "sensit"},
      {"sensibiliti", "sensibl"},
      // Step 3
      {"triplicate", "triplic"},
      {"formative", "form"},
      {"formalize", "formal"},
      {"electriciti", "electr"},
      {"electrical", "electr"},
      {"hopeful", "hope"},
      {"goodness", "good"},
      // Step 4
      {"revival", "reviv"},
      {"allowance", "allow"},
      {"inference", "infer"},
      {"airliner", "airlin"},
      {"gyroscopic", "gyroscop"},
      {"adjustable", "adjust"},
      {"defensible", "defens"},
      {"irritant", "irrit"},
      {"replacement", "replac"},
      {"adjustment", "adjust"},
      {"dependent", "depend"},
      {"adoption", "adopt"},
      {"homologou", "homolog"},
      {"communism", "commun"},
      {"activate", "activ"},
      {"angulariti", "angular"},
      {"homologous", "homolog"},
      {"effective", "effect"},
      {"bowdlerize", "bowdler"},
      // Step 5
      {"probate", "probat"},
      {"rate", "rate"},
      {"cease", "ceas"},
      {"controll", "control"},
      {"roll", "roll"},
      // Several steps
      {"generalizations", "gener"},
      {"oscillators", "oscil"},
  };
  for (const auto& [word, stem] : examples) EXPECT_EQ(porter_stem(word), stem) << word;
}

TEST(PorterStemmer, MergesCommonWordForms) {
  EXPECT_EQ(porter_stem("running"), "run");
  EXPECT_EQ(porter_stem("runs"), "run");
  EXPECT_EQ(porter_stem("connection"), porter_stem("connected"));
  EXPECT_EQ(porter_stem("connections"), porter_stem("connecting"));
  EXPECT_EQ(porter_stem("databases"), porter_stem("database"));
}

TEST(PorterStemmer, LeavesShortAndNonAlphabeticWordsAlone) {
  EXPECT_EQ(porter_stem(""), "");
  EXPECT_EQ(porter_stem("is"), "is");
  EXPECT_EQ(porter_stem("as"), "as");
  EXPECT_EQ(porter_stem("http2s"), "http2s");
  EXPECT_EQ(porter_stem("cafés"), "cafés");
  EXPECT_EQ(porter_stem("Running"), "Running");
}

}  // namespace
}  // namespace vestige::embed
