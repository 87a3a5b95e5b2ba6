#include "vestige/types.h"

#include <gtest/gtest.h>

#include <cstring>

#include "vestige/error.h"
#include "vestige/fsrs.h"

namespace vestige {
namespace {

Memory full_memory() {
  Memory m;
  m.id = Uuid::generate_v7();
  m.content = "Use \"pg_dump -Fc\" \\ nightly; '; DROP TABLE x; -- ünïcødé";
  m.node_type = "decision";
  m.tags = {"ops", "backup", "ünï"};
  m.metadata = Json{{"source", "cli"}, {"nested", {{"a", {1, 2, 3}}}}};
  m.codebase = "vestige";
  m.domains = {"infra"};
  m.domain_scores = Json{{"infra", 0.75}};
  m.embedding = Embedding{0.1f, -0.25f, 1e-7f, 3.4e38f};
  m.visibility = Visibility::kGroup;
  m.shared_with_groups = {Uuid::generate_v7()};
  m.created_at = *parse_timestamp("2026-01-02T03:04:05.678901Z");
  m.updated_at = *parse_timestamp("2026-01-03T03:04:05.000001Z");
  m.engine.importance = 0.9;
  m.engine.access_count = 7;
  m.engine.last_accessed_at = m.updated_at;
  m.engine.superseded_by = Uuid::generate_v7();
  m.engine.suppressed = true;
  return m;
}

TEST(TypesJson, MemoryRoundTripsExactly) {
  const Memory m = full_memory();
  const Json j = m;
  const Memory back = Json::parse(j.dump()).get<Memory>();
  EXPECT_EQ(back, m);
  // Embeddings survive text JSON bit for bit.
  ASSERT_TRUE(back.embedding);
  EXPECT_EQ(std::memcmp(back.embedding->data(), m.embedding->data(), 4 * sizeof(float)), 0);
}

TEST(TypesJson, MemoryDefaultsForMinimalLine) {
  const Memory m = Json::parse(R"({"content":"hello"})").get<Memory>();
  EXPECT_TRUE(m.id.is_nil());
  EXPECT_EQ(m.node_type, "fact");
  EXPECT_TRUE(m.tags.empty());
  EXPECT_TRUE(m.metadata.is_object());
  EXPECT_FALSE(m.codebase);
  EXPECT_FALSE(m.embedding);
  EXPECT_EQ(m.owner_user_id, kBootstrapUserId);
  EXPECT_EQ(m.visibility, Visibility::kPrivate);
}

void expect_invalid(const char* text, const char* needle) {
  try {
    (void)Json::parse(text).get<Memory>();
    ADD_FAILURE() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(TypesJson, MemoryRejectsBadFieldsNamingThem) {
  expect_invalid(R"({"node_type":"fact"})", "content");
  expect_invalid(R"({"content":"x","tags":"a,b"})", "tags");
  expect_invalid(R"({"content":"x","id":"nope"})", "nope");
  expect_invalid(R"({"content":"x","created_at":"yesterday"})", "created_at");
  expect_invalid(R"({"content":"x","embedding":[1,"a"]})", "embedding");
  expect_invalid(R"({"content":"x","visibility":"secret"})", "visibility");
  expect_invalid(R"({"content":"x","metadata":[1]})", "metadata");
  expect_invalid(R"({"content":"x","tgas":["a"]})", "tgas");
}

TEST(TypesJson, SchedulingAndReviewEventRoundTrip) {
  SchedulingState s;
  s.memory_id = Uuid::generate_v7();
  s.stability = 3.25;
  s.difficulty = 5.5;
  s.reps = 2;
  s.lapses = 1;
  s.state = "review";
  s.last_review = *parse_timestamp("2026-01-01T00:00:00Z");
  s.next_review = *parse_timestamp("2026-01-04T00:00:00Z");
  ReviewEvent e;
  e.id = 42;
  e.memory_id = s.memory_id;
  e.reviewed_at = *s.last_review;
  e.rating = 3;
  e.new_state = s;
  EXPECT_EQ(Json(e).get<ReviewEvent>(), e);
  e.prior_state = s;
  EXPECT_EQ(Json(e).get<ReviewEvent>(), e);
}

TEST(TypesJson, EdgeDomainAndModelRoundTrip) {
  Edge edge{Uuid::generate_v7(), Uuid::generate_v7(),
            "related",           0.5,
            Json{{"why", "x"}},  *parse_timestamp("2026-01-01T00:00:00Z")};
  EXPECT_EQ(Json(edge).get<Edge>(), edge);
  Domain d{"infra",
           "Infrastructure",
           Embedding{0.5f, 0.5f},
           Json::object(),
           *parse_timestamp("2026-01-01T00:00:00Z"),
           *parse_timestamp("2026-01-02T00:00:00Z")};
  EXPECT_EQ(Json(d).get<Domain>(), d);
  ModelSignature sig{"builtin/hash-384", 384, "abc"};
  EXPECT_EQ(Json(sig).get<ModelSignature>(), sig);
}

TEST(Errors, ModelMismatchNamesBothModelsAndTheFix) {
  const ModelSignature old_model{"builtin/hash-384", 384, "aaaa"};
  const ModelSignature new_model{"ollama/nomic-embed-text", 768, "bbbb"};
  const Error e = Error::model_mismatch(old_model, new_model);
  const std::string msg = e.what();
  EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
  EXPECT_NE(msg.find("builtin/hash-384"), std::string::npos);
  EXPECT_NE(msg.find("ollama/nomic-embed-text"), std::string::npos);
  EXPECT_NE(msg.find("vestige migrate reembed --model=ollama/nomic-embed-text"), std::string::npos);
  EXPECT_EQ(e.registered_model(), old_model);
  EXPECT_EQ(e.requested_model(), new_model);
}

TEST(Errors, ExitCodesFollowTheCliConventions) {
  EXPECT_EQ(exit_code(ErrorCode::kConfig), 2);
  EXPECT_EQ(exit_code(ErrorCode::kUsage), 2);
  EXPECT_EQ(exit_code(ErrorCode::kInit), 3);
  EXPECT_EQ(exit_code(ErrorCode::kBackend), 1);
  EXPECT_EQ(exit_code(ErrorCode::kNotFound), 1);
}

TEST(Fsrs, RetrievabilityIsNinetyPercentAtStability) {
  EXPECT_NEAR(fsrs::retrievability(5.0, 5.0), 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(fsrs::retrievability(5.0, 0.0), 1.0);
  // Hand-computed: f = 0.9^(-1/0.1542) - 1 = 0.97468...; R(t=10, S=2) = (1 + f*5)^-0.1542.
  const double f = std::pow(0.9, -1.0 / 0.1542) - 1.0;
  EXPECT_NEAR(fsrs::retrievability(2.0, 10.0), std::pow(1.0 + f * 5.0, -0.1542), 1e-12);
  EXPECT_LT(fsrs::retrievability(2.0, 10.0), 0.9);
}

}  // namespace
}  // namespace vestige
