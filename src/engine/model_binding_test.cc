#include "engine/model_binding.h"

#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/sqlite_store.h"
#include "support/capture_error.h"
#include "support/temp_dir.h"
#include "vestige/error.h"

// Binding the configured embedder to a real SQLite store's registry.

namespace vestige::engine {
namespace {

using vestige::testing::capture_error;

EmbeddingsConfig model(std::string name) {
  EmbeddingsConfig c;
  c.model = std::move(name);
  return c;
}

class ModelBindingTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemoryStore> open() {
    return open_sqlite_store({.path = dir_.path() / "vestige.db"});
  }
  vestige::testing::TempDir dir_;
};

TEST_F(ModelBindingTest, QueriesOnAnEmptyStoreAreTextOnlyAndRegisterNothing) {
  const auto store = open();
  ModelBinding binding(model("builtin/hash-384"));
  EXPECT_EQ(binding.for_queries(*store), nullptr);
  EXPECT_FALSE(store->registered_model());
}

TEST_F(ModelBindingTest, WritesRegisterTheModelAndQueriesThenUseIt) {
  const auto store = open();
  ModelBinding binding(model("builtin/hash-384"));
  EXPECT_EQ(&binding.for_writes(*store), store.get());
  ASSERT_TRUE(store->registered_model());
  EXPECT_EQ(store->registered_model()->signature, binding.embedder().signature());
  EXPECT_EQ(binding.for_queries(*store), &binding.embedder());

  // Another handle with its own binding finds the model registered.
  const auto other = open();
  ModelBinding again(model("builtin/hash-384"));
  EXPECT_EQ(again.for_queries(*other), &again.embedder());
}

TEST_F(ModelBindingTest, AnotherModelIsRefusedWithTheReembedCommand) {
  {
    const auto store = open();
    ModelBinding binding(model("builtin/hash-384"));
    binding.for_writes(*store);
  }
  const auto store = open();
  for (const bool writes : {true, false}) {
    SCOPED_TRACE(writes);
    ModelBinding binding(model("builtin/hash-256"));
    const Error e = capture_error([&] {
      if (writes) {
        binding.for_writes(*store);
      } else {
        binding.for_queries(*store);
      }
    });
    EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
    EXPECT_NE(std::string(e.what()).find("builtin/hash-384"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("builtin/hash-256"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("vestige migrate reembed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store->registered_model()->signature.name, "builtin/hash-384");
}

TEST_F(ModelBindingTest, AnUnknownModelNameIsAnErrorEachTime) {
  const auto store = open();
  ModelBinding binding(model("nosuch/model"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Error e = capture_error([&] { binding.for_writes(*store); });
    EXPECT_NE(std::string(e.what()).find("builtin/hash-384"), std::string::npos)
        << "the error lists the known models: " << e.what();
  }
  EXPECT_FALSE(store->registered_model());
}

TEST_F(ModelBindingTest, UnbindMakesTheNextHandleCheckTheRegistryAgain) {
  auto store = open();
  ModelBinding binding(model("builtin/hash-384"));
  binding.for_writes(*store);
  store.reset();
  store = open_sqlite_store({.path = dir_.path() / "another.db"});
  binding.unbind();
  EXPECT_EQ(binding.for_queries(*store), nullptr) << "a new empty store has no model yet";
}

}  // namespace
}  // namespace vestige::engine
