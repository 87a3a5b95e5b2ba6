// Contract: the embedding model registry and the checks on every vector write
// and vector query.

#include <string>

#include "store_contract.h"

namespace vestige::contract {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST_P(RegistryContract, NoModelAtFirst) {
  EXPECT_FALSE(store().registered_model().has_value());
  EXPECT_FALSE(store().stats(now_utc()).model.has_value());
}

TEST_P(RegistryContract, RegisterModelRegistersAndReturnsTheRow) {
  const Timestamp before = now_utc();
  const RegisteredModel registered = store().register_model(test_model());
  const Timestamp after = now_utc();

  EXPECT_EQ(registered.signature, test_model());
  EXPECT_TRUE(is_between(registered.created_at, before, after));
  EXPECT_EQ(store().registered_model(), registered);
  EXPECT_EQ(store().stats(now_utc()).model, registered);
  EXPECT_EQ(store().health().model, registered);
}

TEST_P(RegistryContract, RegisteringTheSameSignatureAgainReturnsTheSameRow) {
  const RegisteredModel first = store().register_model(test_model());
  EXPECT_EQ(store().register_model(test_model()), first);
  EXPECT_EQ(open_handle().register_model(test_model()), first);
  EXPECT_EQ(store().registered_model(), first);
}

TEST_P(RegistryContract, ADifferentSignatureIsAModelMismatchNamingBoth) {
  const RegisteredModel first = store().register_model(test_model());

  for (const ModelSignature& other :
       {other_model_name(), other_model_dimension(), other_model_hash()}) {
    SCOPED_TRACE(describe(other));
    for (MemoryStore* handle : {&store(), &open_handle()}) {
      const std::optional<Error> error = error_from([&] { handle->register_model(other); });
      ASSERT_TRUE(error.has_value()) << "register_model accepted a different model";
      EXPECT_EQ(error->code(), ErrorCode::kModelMismatch) << error->what();
      const std::string message = error->what();
      EXPECT_TRUE(contains(message, test_model().name)) << message;
      EXPECT_TRUE(contains(message, other.name)) << message;
      EXPECT_TRUE(contains(message, "vestige migrate reembed --model=")) << message;
      EXPECT_EQ(error->registered_model(), test_model());
      EXPECT_EQ(error->requested_model(), other);
    }
  }
  EXPECT_EQ(store().registered_model(), first);
}

TEST_P(RegistryContract, AHandleLeftUnboundByAMismatchCannotWriteVectors) {
  store().register_model(test_model());
  MemoryStore& other = open_handle();
  EXPECT_TRUE(
      throws_code(ErrorCode::kModelMismatch, [&] { other.register_model(other_model_hash()); }));

  EXPECT_TRUE(
      throws_code(ErrorCode::kInvalidInput, [&] { other.insert(memory("a vector", vec({1}))); }));
  EXPECT_TRUE(
      throws_code(ErrorCode::kInvalidInput, [&] { other.vector_search(vector_query(vec({1}))); }));
  EXPECT_EQ(memory_count(store()), 0);
  EXPECT_EQ(store().registered_model()->signature, test_model());
}

TEST_P(RegistryContract, AVectorWriteWithoutRegisterModelIsInvalidInput) {
  Memory m = memory("a vector nobody registered", vec({1}));
  m.id = Uuid::generate_v7();
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert(m); }));
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().insert_batch(std::vector{m}); }));
  EXPECT_TRUE(
      throws_code(ErrorCode::kInvalidInput, [&] { store().insert_missing(std::vector{m}); }));
  EXPECT_EQ(memory_count(store()), 0);
  EXPECT_FALSE(store().registered_model().has_value());

  const Memory plain = store().insert(memory("no vector is fine"));
  Memory edit = plain;
  edit.embedding = vec({1});
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { store().update(edit); }));
  EXPECT_EQ(store().get(plain.id), plain);
}

TEST_P(RegistryContract, AVectorQueryWithoutRegisterModelIsInvalidInput) {
  store().insert(memory("plain text"));
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput,
                          [&] { store().vector_search(vector_query(vec({1}))); }));
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput,
                          [&] { store().hybrid_search(hybrid_query("plain", vec({1}))); }));
}

TEST_P(RegistryContract, AWrongDimensionIsInvalidInputAndWritesNothing) {
  MemoryStore& s = bound_store();
  s.insert(memory("one right vector", vec({1})));
  const Embedding too_short(kDimension - 1, 0.5f);
  const Embedding too_long(kDimension + 1, 0.5f);

  for (const Embedding& wrong : {too_short, too_long, Embedding{}}) {
    SCOPED_TRACE(wrong.size());
    Memory m = memory("a wrong vector", wrong);
    m.id = Uuid::generate_v7();
    EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { s.insert(m); }));
    const std::vector<Memory> batch = {memory("fine", vec({1})), m};
    EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { s.insert_batch(batch); }));
    EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { s.insert_missing(std::vector{m}); }));
    EXPECT_FALSE(s.get(m.id).has_value());
  }
  EXPECT_EQ(memory_count(s), 1);
  EXPECT_EQ(s.stats(now_utc()).memories_with_embedding, 1);
}

TEST_P(RegistryContract, AWrongDimensionInUpdateKeepsTheMemory) {
  MemoryStore& s = bound_store();
  const Memory stored = s.insert(memory("right vector", vec({1})));
  Memory edit = stored;
  edit.content = "changed text";
  edit.embedding = Embedding(kDimension + 1, 0.5f);
  EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput, [&] { s.update(edit); }));
  EXPECT_EQ(s.get(stored.id), stored);
}

TEST_P(RegistryContract, ASecondHandleBoundToTheSameModelWorks) {
  bound_store().insert(memory("written through the first handle", vec({1})));
  MemoryStore& second = open_handle();
  EXPECT_EQ(second.register_model(test_model()).signature, test_model());

  const Memory written = second.insert(memory("written through the second handle", vec({0, 1})));
  const std::vector<SearchResult> from_first = store().vector_search(vector_query(vec({0, 1}), 1));
  ASSERT_EQ(from_first.size(), 1u);
  EXPECT_EQ(from_first[0].memory.id, written.id);
  EXPECT_EQ(second.vector_search(vector_query(vec({1}))).size(), 2u);
}

TEST_P(RegistryContract, AVectorQueryOfTheWrongDimensionIsInvalidInput) {
  MemoryStore& s = bound_store();
  s.insert(memory("a memory with a vector", vec({1})));
  for (const Embedding& wrong :
       {Embedding(kDimension - 1, 0.5f), Embedding(kDimension + 1, 0.5f), Embedding{}}) {
    SCOPED_TRACE(wrong.size());
    EXPECT_TRUE(
        throws_code(ErrorCode::kInvalidInput, [&] { s.vector_search(vector_query(wrong)); }));
    EXPECT_TRUE(throws_code(ErrorCode::kInvalidInput,
                            [&] { s.hybrid_search(hybrid_query("memory", wrong)); }));
  }
}

}  // namespace
}  // namespace vestige::contract
