// The store contract suite against the SQLite backend: one database file in a
// fresh temporary directory per test.

#include <stdlib.h>

#include <cerrno>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "store/sqlite/sqlite_store.h"
#include "store_contract.h"

namespace vestige::contract {
namespace {

class SqliteStoreFactory final : public StoreFactory {
 public:
  SqliteStoreFactory() : directory_(make_temporary_directory()) {}
  ~SqliteStoreFactory() override {
    std::error_code ignored;  // a leftover temporary directory is not worth a crash
    std::filesystem::remove_all(directory_, ignored);
  }

  std::string name() const override { return "sqlite"; }

  std::unique_ptr<MemoryStore> open() override {
    SqliteStoreOptions options;
    options.path = directory_ / "vestige.db";
    return open_sqlite_store(options);
  }

 private:
  static std::filesystem::path make_temporary_directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vestige-contract-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    return pattern;
  }

  std::filesystem::path directory_;
};

StoreBackend sqlite_backend() {
  return {"sqlite", [] { return std::make_unique<SqliteStoreFactory>(); }};
}

}  // namespace

VESTIGE_INSTANTIATE_STORE_CONTRACT(Sqlite, sqlite_backend());

}  // namespace vestige::contract
