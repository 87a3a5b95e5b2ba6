#include "store_contract.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

namespace vestige::contract {

void PrintTo(const StoreBackend& backend, std::ostream* os) {
  *os << backend.name;
}

std::string backend_test_name(const testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

void StoreContractTest::SetUp() {
  factory_ = GetParam().make_factory();
  ASSERT_NE(factory_, nullptr);
  handles_.push_back(factory_->open());
  ASSERT_NE(handles_.front(), nullptr);
}

void StoreContractTest::TearDown() {
  // Handles first: the factory's destructor removes the database under them.
  handles_.clear();
  factory_.reset();
}

MemoryStore& StoreContractTest::bound_store() {
  store().register_model(test_model());
  return store();
}

MemoryStore& StoreContractTest::open_handle() {
  handles_.push_back(factory_->open());
  return *handles_.back();
}

// ---- Test data ----------------------------------------------------------------

ModelSignature test_model() {
  return {"test/model-a", kDimension, "hash-a-0001"};
}
ModelSignature other_model_name() {
  return {"test/model-b", kDimension, "hash-a-0001"};
}
ModelSignature other_model_dimension() {
  return {"test/model-a", kDimension * 2, "hash-a-0001"};
}
ModelSignature other_model_hash() {
  return {"test/model-a", kDimension, "hash-a-0002"};
}

Memory memory(std::string content) {
  Memory m;
  m.content = std::move(content);
  return m;
}

Memory memory(std::string content, Embedding embedding) {
  Memory m = memory(std::move(content));
  m.embedding = std::move(embedding);
  return m;
}

Memory full_memory() {
  Memory m;
  m.id = Uuid::generate_v7();
  m.content =
      "The user's \"favourite\" path is C:\\Users\\ada; naïve café 日本語 🧠 "
      "'; DROP TABLE knowledge_nodes; -- %_ \n second line\ttab";
  m.node_type = "decision";
  m.tags = {"unicode 日本語 🧠", "quote \" double",  "quote ' single", "back\\slash",
            "'; DROP TABLE x; --",    "comma, separated", "[\"json\"]",     "%_like"};
  m.metadata = Json{{"source", "cli"},
                    {"file", "src/a b/c.cc"},
                    {"topics", Json::array({"x", "y"})},
                    {"session_id", "s-1"},
                    {"nested",
                     {{"deep",
                       {{"n", 1.5},
                        {"neg", -3},
                        {"big", 1234567890123},
                        {"null", nullptr},
                        {"flag", true},
                        {"text", "ü \" \\ ' ; --"},
                        {"empty", Json::object()},
                        {"list", Json::array({1, "two", Json::array()})}}}}}};
  m.codebase = "github.com/acme/vestige";
  m.domains = {"d-physics", "d-cooking"};
  m.domain_scores = Json{{"d-physics", 0.25}, {"d-cooking", 0.75}};
  // -0.0 and a subnormal are where a lossy encoding (text, normalisation)
  // shows; the others have no short decimal form.
  m.embedding = Embedding{0.1f,      -0.0f,    5.877472e-39f, std::nextafter(1.0f, 2.0f),
                          -123.456f, 1.0f / 3, 16777216.0f,   1e-7f};
  m.owner_user_id = kBootstrapUserId;
  m.visibility = Visibility::kGroup;
  m.shared_with_groups = {Uuid::generate_v7(), Uuid::generate_v7()};
  m.created_at = ts("2024-02-29T23:59:59.999999Z");
  m.engine.importance = 0.1;
  m.engine.access_count = 42;
  m.engine.last_accessed_at = ts("2025-01-02T03:04:05.678901Z");
  m.engine.retrieval_strength = 0.7071067811865476;
  m.engine.storage_strength = 3.5;
  m.engine.suppressed = true;
  return m;
}

Embedding vec(std::initializer_list<float> values) {
  Embedding v(values);
  v.resize(kDimension, 0.0f);
  return v;
}

Embedding at_angle(double angle) {
  return vec({static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))});
}

bool same_bits(const Embedding& a, const Embedding& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
           return std::bit_cast<std::uint32_t>(x) == std::bit_cast<std::uint32_t>(y);
         });
}

std::vector<Uuid> ascending_ids(std::size_t n) {
  std::vector<Uuid> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back(Uuid::generate_v7());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Timestamp ts(std::string_view text) {
  const std::optional<Timestamp> t = parse_timestamp(text);
  EXPECT_TRUE(t.has_value()) << "bad timestamp in the test: " << text;
  return t.value_or(Timestamp{});
}

Timestamp plus_days(Timestamp t, double days) {
  return t + std::chrono::microseconds(static_cast<std::int64_t>(std::llround(days * 86400e6)));
}

Timestamp fixed_now() {
  return ts("2030-06-15T12:00:00Z");
}

SchedulingState scheduling(const Uuid& memory_id, double stability, Timestamp last_review,
                           Timestamp next_review) {
  SchedulingState s;
  s.memory_id = memory_id;
  s.stability = stability;
  s.difficulty = 5.25;
  s.reps = 3;
  s.lapses = 1;
  s.state = "review";
  s.last_review = last_review;
  s.next_review = next_review;
  return s;
}

Edge edge(const Uuid& source, const Uuid& target, std::string type, double weight) {
  Edge e;
  e.source_id = source;
  e.target_id = target;
  e.edge_type = std::move(type);
  e.weight = weight;
  return e;
}

SearchQuery text_query(std::string text, std::size_t limit) {
  SearchQuery q;
  q.text = std::move(text);
  q.limit = limit;
  return q;
}

SearchQuery vector_query(Embedding embedding, std::size_t limit) {
  SearchQuery q;
  q.embedding = std::move(embedding);
  q.limit = limit;
  return q;
}

SearchQuery hybrid_query(std::string text, Embedding embedding, std::size_t limit) {
  SearchQuery q = text_query(std::move(text), limit);
  q.embedding = std::move(embedding);
  return q;
}

std::vector<Uuid> ids_of(const std::vector<SearchResult>& results) {
  std::vector<Uuid> ids;
  for (const SearchResult& r : results) ids.push_back(r.memory.id);
  return ids;
}

std::vector<Uuid> ids_of(const std::vector<Memory>& memories) {
  std::vector<Uuid> ids;
  for (const Memory& m : memories) ids.push_back(m.id);
  return ids;
}

std::vector<Uuid> ids_of(const std::vector<Neighbour>& neighbours) {
  std::vector<Uuid> ids;
  for (const Neighbour& n : neighbours) ids.push_back(n.id);
  return ids;
}

std::int64_t memory_count(MemoryStore& store) {
  return store.stats(now_utc()).memories;
}

testing::AssertionResult is_between(Timestamp t, Timestamp before, Timestamp after) {
  constexpr auto kSkew = std::chrono::seconds(5);
  if (t >= before - kSkew && t <= after + kSkew) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << format_timestamp(t) << " is not between " << format_timestamp(before) << " and "
         << format_timestamp(after);
}

}  // namespace vestige::contract

namespace vestige {

namespace {
template <typename T>
void print_json(const T& value, std::ostream* os) {
  Json j;
  to_json(j, value);
  *os << j.dump();
}
}  // namespace

void PrintTo(const Uuid& id, std::ostream* os) {
  *os << id.to_string();
}
void PrintTo(const Memory& memory, std::ostream* os) {
  print_json(memory, os);
}
void PrintTo(const SchedulingState& state, std::ostream* os) {
  print_json(state, os);
}
void PrintTo(const ReviewEvent& event, std::ostream* os) {
  print_json(event, os);
}
void PrintTo(const Edge& edge, std::ostream* os) {
  print_json(edge, os);
}
void PrintTo(const Domain& domain, std::ostream* os) {
  print_json(domain, os);
}
void PrintTo(const ModelSignature& model, std::ostream* os) {
  print_json(model, os);
}
void PrintTo(const RegisteredModel& model, std::ostream* os) {
  print_json(model, os);
}

void PrintTo(const Neighbour& neighbour, std::ostream* os) {
  *os << "{id " << neighbour.id.to_string() << ", depth " << neighbour.depth << ", via ";
  PrintTo(neighbour.via, os);
  *os << "}";
}

void PrintTo(const ExportCursor& cursor, std::ostream* os) {
  *os << "{" << format_timestamp(cursor.created_at) << ", " << cursor.id.to_string() << "}";
}

}  // namespace vestige
