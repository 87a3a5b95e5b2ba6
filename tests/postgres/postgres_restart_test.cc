// A PostgreSQL restart while a store handle is open: the pool replaces the
// connections the restart broke, without reopening the store, and the data
// survives. The test runs its own server on a data directory (so it can stop
// and start it), started by the same script as the shared test server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "support/pg_test_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige {
namespace {

using ::testing::HasSubstr;

// A test server of its own: start() on a data directory, stop(), start()
// again on the same port and directory. Stopped when it goes out of scope,
// also when the test fails.
class PrivateServer {
 public:
  PrivateServer() : state_(dir_.path() / "state"), data_(dir_.path() / "data") {}
  ~PrivateServer() { stop(); }
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;

  // The server's URL once it accepts connections.
  std::string start() {
    std::vector<std::string> args{"start", state_.string(), "--db=" + data_.string()};
    if (!port_.empty()) args.push_back("--port=" + port_);
    // The script would hand out a configured server instead of starting one.
    testing::ProcessOptions options;
    options.unset_env = {"VESTIGE_TEST_PG_URL"};
    options.timeout = std::chrono::seconds(120);
    const auto result = testing::run_process(VESTIGE_PG_TEST_SERVER_SCRIPT, args, options);
    if (result.exit_code != 0) {
      throw std::runtime_error("the private test server did not start: " + result.err);
    }
    std::ifstream in(state_ / "url");
    std::string url;
    std::getline(in, url);
    // postgresql://postgres@127.0.0.1:<port>/postgres?sslmode=disable
    const auto colon = url.rfind(':');
    port_ = url.substr(colon + 1, url.find('/', colon) - colon - 1);
    return url;
  }

  void stop() { testing::run_process(VESTIGE_PG_TEST_SERVER_SCRIPT, {"stop", state_.string()}); }

 private:
  testing::TempDir dir_{"vestige-pg-restart"};
  std::filesystem::path state_;
  std::filesystem::path data_;
  std::string port_;
};

Memory memory(int i) {
  Memory m;
  m.content = "restart survivor number " + std::to_string(i);
  m.tags = {"restart"};
  const float a = static_cast<float>(i);
  m.embedding = Embedding{std::cos(a), std::sin(a), 0.5f, 1.0f};
  return m;
}

TEST(PostgresRestartTest, ThePoolHealsAfterARestartAndTheDataIsIntact) {
  if (const char* url = std::getenv("VESTIGE_TEST_PG_URL"); url && *url) {
    GTEST_SKIP() << "this test restarts a server of its own, which needs the PGlite test server "
                    "from node_modules; a server named by VESTIGE_TEST_PG_URL cannot be restarted "
                    "from here";
  }
  PrivateServer server;
  const std::string url = server.start();
  auto store = open_postgres_store({.config = testing::test_pg_config(url, 3)});
  const ModelSignature model{"test/pg-model", 4, "hash-pg-1"};
  store->register_model(model);
  std::vector<Memory> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(memory(i));
  const std::vector<Memory> stored = store->insert_batch(batch);

  // Three connections in the pool, so that after the restart there are
  // several dead idle ones, not just the one the next call happens to take.
  {
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
      readers.emplace_back([&] {
        for (int i = 0; i < 5; ++i) store->get(stored[static_cast<std::size_t>(i)].id);
      });
    }
    for (auto& reader : readers) reader.join();
  }

  // A restart while the pool holds three idle connections: the first calls
  // after it meet the dead connections; the pool drops them and runs the call
  // again on a new one, so none of the calls fails.
  server.stop();
  ASSERT_EQ(server.start(), url);
  for (const auto& m : stored) {
    const auto got = store->get(m.id);
    ASSERT_TRUE(got.has_value()) << m.id.to_string();
    EXPECT_EQ(got->content, m.content);
    EXPECT_EQ(got->embedding, m.embedding);
  }

  // While the server is down, a call fails with an error that says so; the
  // first call once it is back succeeds.
  server.stop();
  try {
    store->get(stored[0].id);
    ADD_FAILURE() << "a call while the server is down succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInit) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("cannot connect to PostgreSQL")) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("unreachable")) << e.what();
  }
  ASSERT_EQ(server.start(), url);

  SearchQuery query;
  query.text = "survivor";
  query.embedding = memory(3).embedding;
  query.limit = 5;
  const auto results = store->hybrid_search(query);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].memory.id, stored[3].id);

  const Memory after = store->insert(memory(99));
  EXPECT_EQ(store->get(after.id)->content, after.content);
  EXPECT_EQ(store->stats(now_utc()).memories, 21);
  EXPECT_EQ(store->registered_model()->signature, model);
}

}  // namespace
}  // namespace vestige
