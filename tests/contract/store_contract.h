#pragma once

// The store contract suite: the rules written in include/vestige/memory_store.h,
// checked against a live backend. Every backend runs the very same TEST_P
// bodies (store_contract_*.cc); a backend joins by providing a StoreFactory and
// one VESTIGE_INSTANTIATE_STORE_CONTRACT line (see sqlite_contract_test.cc).

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "vestige/clock.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"
#include "vestige/uuid.h"

namespace vestige::contract {

// Opens handles on one fresh, empty database. The suite makes one factory per
// test and destroys it in TearDown (also when the test failed), after closing
// every handle it opened; the destructor removes the database.
class StoreFactory {
 public:
  virtual ~StoreFactory() = default;
  // The backend's name as MemoryStore::backend_name() reports it.
  virtual std::string name() const = 0;
  // A new handle on this factory's database; several calls give several
  // handles on the same database.
  virtual std::unique_ptr<MemoryStore> open() = 0;
};

// One backend under test: the parameter of every contract test.
struct StoreBackend {
  std::string name;  // test-name suffix, e.g. "sqlite"
  std::function<std::unique_ptr<StoreFactory>()> make_factory;
};
void PrintTo(const StoreBackend& backend, std::ostream* os);
std::string backend_test_name(const testing::TestParamInfo<StoreBackend>& info);

class StoreContractTest : public testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  StoreFactory& factory() { return *factory_; }
  // The handle opened in SetUp, not bound to a model.
  MemoryStore& store() { return *handles_.front(); }
  // The first handle, bound to kModel.
  MemoryStore& bound_store();
  // Another handle on the same database, closed in TearDown.
  MemoryStore& open_handle();

 private:
  std::unique_ptr<StoreFactory> factory_;
  std::vector<std::unique_ptr<MemoryStore>> handles_;
};

// One fixture per area, so that `--gtest_filter='*Graph*'` selects an area.
class MemoriesContract : public StoreContractTest {};
class RegistryContract : public StoreContractTest {};
class SearchContract : public StoreContractTest {};
class SearchFilterContract : public StoreContractTest {};
class HandlesContract : public StoreContractTest {};
class SchedulingContract : public StoreContractTest {};
class GraphContract : public StoreContractTest {};
class DomainsContract : public StoreContractTest {};
class IntrospectionContract : public StoreContractTest {};

// Instantiates every area for one backend: `prefix` is an identifier, `backend`
// an expression giving a StoreBackend. Use it inside namespace
// vestige::contract (gtest needs the fixtures' unqualified names).
#define VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, area, backend) \
  INSTANTIATE_TEST_SUITE_P(prefix, area, ::testing::Values(backend), backend_test_name)
#define VESTIGE_INSTANTIATE_STORE_CONTRACT(prefix, backend)                       \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, MemoriesContract, backend);     \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, RegistryContract, backend);     \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, SearchContract, backend);       \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, SearchFilterContract, backend); \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, HandlesContract, backend);      \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, SchedulingContract, backend);   \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, GraphContract, backend);        \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, DomainsContract, backend);      \
  VESTIGE_INSTANTIATE_STORE_CONTRACT_AREA(prefix, IntrospectionContract, backend)

// ---- Test data --------------------------------------------------------------

// The model every test binds to; a small dimension keeps vectors readable.
inline constexpr int kDimension = 8;
ModelSignature test_model();
// test_model() with one field changed.
ModelSignature other_model_name();
ModelSignature other_model_dimension();
ModelSignature other_model_hash();

// A memory with `content` and defaults everywhere else (nil id: the store
// assigns one).
Memory memory(std::string content);
// The same with an embedding.
Memory memory(std::string content, Embedding embedding);
// A memory that sets every field to a value that is not the default, with
// strings that break naive quoting and a bit pattern that breaks lossy vectors.
Memory full_memory();

// `values` padded with zeros to kDimension.
Embedding vec(std::initializer_list<float> values);
// The unit vector at `angle` radians from axis 0 in the plane of axes 0 and 1:
// its cosine similarity with vec({1}) is cos(angle).
Embedding at_angle(double angle);
// True when both hold the same floats, compared bit for bit (0.0 vs -0.0 and
// NaN payloads included).
bool same_bits(const Embedding& a, const Embedding& b);

// `n` fresh v7 ids in ascending order.
std::vector<Uuid> ascending_ids(std::size_t n);

// Parses an RFC 3339 time; fails the test on a typo.
Timestamp ts(std::string_view text);
Timestamp plus_days(Timestamp t, double days);
// A fixed "now" for tests that must not depend on the clock.
Timestamp fixed_now();

SchedulingState scheduling(const Uuid& memory_id, double stability, Timestamp last_review,
                           Timestamp next_review);
Edge edge(const Uuid& source, const Uuid& target, std::string type, double weight = 1.0);

SearchQuery text_query(std::string text, std::size_t limit = 10);
SearchQuery vector_query(Embedding embedding, std::size_t limit = 10);
SearchQuery hybrid_query(std::string text, Embedding embedding, std::size_t limit = 10);

std::vector<Uuid> ids_of(const std::vector<SearchResult>& results);
std::vector<Uuid> ids_of(const std::vector<Memory>& memories);
std::vector<Uuid> ids_of(const std::vector<Neighbour>& neighbours);

// Rows the store counts, through stats().
std::int64_t memory_count(MemoryStore& store);

// ---- Assertions ---------------------------------------------------------------

// `t` lies between `before` and `after`, give or take a few seconds of clock
// skew between this process and a database server.
testing::AssertionResult is_between(Timestamp t, Timestamp before, Timestamp after);

// Runs `action` and returns the vestige::Error it threw, or nullopt when it
// returned normally. Any other exception propagates and fails the test.
template <typename Action>
std::optional<Error> error_from(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// Succeeds when `action` throws vestige::Error with `expected`.
template <typename Action>
testing::AssertionResult throws_code(ErrorCode expected, Action&& action) {
  const std::optional<Error> error = error_from(std::forward<Action>(action));
  if (!error) {
    return testing::AssertionFailure()
           << "expected Error(" << error_code_name(expected) << "), nothing was thrown";
  }
  if (error->code() != expected) {
    return testing::AssertionFailure()
           << "expected Error(" << error_code_name(expected) << "), got Error("
           << error_code_name(error->code()) << "): " << error->what();
  }
  return testing::AssertionSuccess();
}

}  // namespace vestige::contract

// Readable failure messages for the store's values (found by ADL).
namespace vestige {
void PrintTo(const Uuid& id, std::ostream* os);
void PrintTo(const Memory& memory, std::ostream* os);
void PrintTo(const SchedulingState& state, std::ostream* os);
void PrintTo(const ReviewEvent& event, std::ostream* os);
void PrintTo(const Edge& edge, std::ostream* os);
void PrintTo(const Neighbour& neighbour, std::ostream* os);
void PrintTo(const Domain& domain, std::ostream* os);
void PrintTo(const ModelSignature& model, std::ostream* os);
void PrintTo(const RegisteredModel& model, std::ostream* os);
void PrintTo(const ExportCursor& cursor, std::ostream* os);
}  // namespace vestige
