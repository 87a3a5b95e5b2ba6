#include "mcp/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vestige::mcp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Json kSchema = Json::parse(R"({
  "type": "object",
  "properties": {
    "query": {"type": "string", "minLength": 1, "maxLength": 5},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    "min_retention": {"type": "number"},
    "full": {"type": "boolean"},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    "metadata": {"type": "object"},
    "detail_level": {"type": "string", "enum": ["brief", "summary", "full"]},
    "codebase": {"type": ["string", "null"]},
    "items": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "properties": {"content": {"type": "string"}},
        "required": ["content"],
        "additionalProperties": false
      }
    }
  },
  "required": ["query"],
  "additionalProperties": false
})");

std::vector<std::string> check(const char* arguments) {
  return validate_arguments(Json::parse(arguments), kSchema);
}

TEST(Schema, ConformingArgumentsPass) {
  EXPECT_THAT(check(R"({"query":"abc","limit":10,"min_retention":0.5,"full":true,"tags":["a"],
                        "metadata":{"k":1},"detail_level":"brief","codebase":null,
                        "items":[{"content":"x"}]})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"query":"abc","codebase":"vestige"})"), IsEmpty());
}

TEST(Schema, MissingRequiredArgumentNamesItAndItsType) {
  EXPECT_THAT(check("{}"), ElementsAre("argument 'query' is required (a string)"));
}

TEST(Schema, WrongTypeOfEachKind) {
  EXPECT_THAT(check(R"({"query":5})"),
              ElementsAre("argument 'query' must be a string; got an integer (5)"));
  EXPECT_THAT(check(R"({"query":"a","limit":"ten"})"),
              ElementsAre("argument 'limit' must be an integer; got a string (\"ten\")"));
  EXPECT_THAT(check(R"({"query":"a","limit":2.5})"),
              ElementsAre("argument 'limit' must be an integer; got a number (2.5)"));
  EXPECT_THAT(check(R"({"query":"a","min_retention":"high"})"),
              ElementsAre(HasSubstr("argument 'min_retention' must be a number")));
  EXPECT_THAT(check(R"({"query":"a","full":1})"),
              ElementsAre("argument 'full' must be a boolean; got an integer (1)"));
  EXPECT_THAT(check(R"({"query":"a","tags":"x"})"),
              ElementsAre(HasSubstr("argument 'tags' must be an array")));
  EXPECT_THAT(check(R"({"query":"a","metadata":[]})"),
              ElementsAre("argument 'metadata' must be an object; got an array of 0 elements"));
  EXPECT_THAT(check(R"({"query":"a","codebase":3})"),
              ElementsAre("argument 'codebase' must be a string or null; got an integer (3)"));
  EXPECT_THAT(check(R"({"query":null})"),
              ElementsAre("argument 'query' must be a string; got null"));
}

TEST(Schema, IntegerAcceptsWholeNumbersWrittenAsFloats) {
  EXPECT_THAT(check(R"({"query":"a","limit":5.0})"), IsEmpty());
  EXPECT_THAT(check(R"({"query":"a","min_retention":1})"), IsEmpty());
}

TEST(Schema, EnumListsTheAllowedValues) {
  EXPECT_THAT(check(R"({"query":"a","detail_level":"verbose"})"),
              ElementsAre("argument 'detail_level' must be one of \"brief\", \"summary\", "
                          "\"full\"; got \"verbose\""));
}

TEST(Schema, AdditionalPropertiesFalseNamesTheAcceptedOnes) {
  const auto problems = check(R"({"query":"a","qurey":"b"})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("argument 'qurey' is not accepted; accepted arguments: "));
  EXPECT_THAT(problems[0], HasSubstr("query"));
}

TEST(Schema, Bounds) {
  EXPECT_THAT(check(R"({"query":"a","limit":0})"),
              ElementsAre("argument 'limit' must be at least 1; got 0"));
  EXPECT_THAT(check(R"({"query":"a","limit":101})"),
              ElementsAre("argument 'limit' must be at most 100; got 101"));
  EXPECT_THAT(check(R"({"query":""})"),
              ElementsAre("argument 'query' must be at least 1 bytes long; got 0 bytes"));
  EXPECT_THAT(check(R"({"query":"abcdef"})"),
              ElementsAre("argument 'query' must be at most 5 bytes long; got 6 bytes"));
  EXPECT_THAT(check(R"({"query":"a","tags":["a","b","c"]})"),
              ElementsAre("argument 'tags' must have at most 2 elements; got 3"));
  EXPECT_THAT(check(R"({"query":"a","items":[]})"),
              ElementsAre("argument 'items' must have at least 1 elements; got 0"));
}

TEST(Schema, NestedArgumentsAreNamedByPath) {
  EXPECT_THAT(check(R"({"query":"a","tags":["ok",7]})"),
              ElementsAre("argument 'tags[1]' must be a string; got an integer (7)"));
  EXPECT_THAT(check(R"({"query":"a","items":[{"content":"x"},{"text":"y"}]})"),
              ElementsAre("argument 'items[1].content' is required (a string)",
                          HasSubstr("argument 'items[1].text' is not accepted")));
}

TEST(Schema, EveryProblemIsReported) {
  EXPECT_EQ(check(R"({"limit":"x","full":"y","extra":1})").size(), 4u);
}

TEST(Schema, NonObjectArgumentsAreReportedAsSuch) {
  EXPECT_THAT(validate_arguments(Json::array(), kSchema),
              ElementsAre("arguments must be an object; got an array of 0 elements"));
}

TEST(Schema, LongValuesAreShortenedInMessages) {
  const Json arguments{{"query", 1}, {"limit", std::string(1000, 'x')}};
  const auto problems = validate_arguments(arguments, kSchema);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_LT(problems[0].size() + problems[1].size(), 300u);
}

TEST(Schema, UnknownKeywordsAndTypesConstrainNothing) {
  const Json schema = Json::parse(
      R"({"type":"object","properties":{"a":{"type":"uuid","format":"uuid","pattern":"x"}}})");
  EXPECT_THAT(validate_arguments(Json{{"a", 1}, {"b", 2}}, schema), IsEmpty());
}

}  // namespace
}  // namespace vestige::mcp
