// The store contract suite against the PostgreSQL backend: the test server of
// the run (see tests/support/pg_test_server.h), emptied before every test.

#include <memory>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store_contract.h"
#include "support/pg_test_server.h"

namespace vestige::contract {
namespace {

class PostgresStoreFactory final : public StoreFactory {
 public:
  PostgresStoreFactory() : url_(vestige::testing::test_pg_url()) {
    vestige::testing::reset_test_database(url_);
  }

  std::string name() const override { return "postgres"; }

  std::unique_ptr<MemoryStore> open() override {
    return open_postgres_store({.config = vestige::testing::test_pg_config(url_)});
  }

 private:
  std::string url_;
};

StoreBackend postgres_backend() {
  return {"postgres", [] { return std::make_unique<PostgresStoreFactory>(); }};
}

}  // namespace

VESTIGE_INSTANTIATE_STORE_CONTRACT(Postgres, postgres_backend());

}  // namespace vestige::contract
