#include "support/pg_test_server.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace vestige::testing {

namespace {

// Everything the migrations create, dropped in one statement; CASCADE takes
// the indexes, triggers and the generated column's dependency along.
constexpr const char* kDropEverything = R"sql(
  DROP TABLE IF EXISTS schema_migrations, embedding_model, domains, edges, review_events,
    scheduling, knowledge_nodes, group_memberships, groups, users, reembed_state CASCADE;
  DROP FUNCTION IF EXISTS vestige_touch_updated_at() CASCADE;
  DROP FUNCTION IF EXISTS vestige_retrievability(float8, timestamptz, timestamptz) CASCADE;
  DROP FUNCTION IF EXISTS vestige_search_vector(text, text, text[]) CASCADE;
)sql";

}  // namespace

std::string test_pg_url() {
  if (const char* url = std::getenv("VESTIGE_TEST_PG_URL"); url && *url) return url;
  const char* file = std::getenv("VESTIGE_TEST_PG_URL_FILE");
  if (file && *file) {
    std::ifstream in(file);
    std::string url;
    if (in && std::getline(in, url) && !url.empty()) return url;
  }
  throw std::runtime_error(
      "no PostgreSQL test server: run the tests through ctest (its postgres_server fixture "
      "starts one), or start one with tests/postgres/pg_test_server.sh start <dir> and set "
      "VESTIGE_TEST_PG_URL to the URL it writes to <dir>/url");
}

void reset_test_database(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("cannot connect to the PostgreSQL test server: ") +
                             PQerrorMessage(conn.get()));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), kDropEverything),
                                                       &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error(std::string("cannot reset the PostgreSQL test database: ") +
                             PQerrorMessage(conn.get()));
  }
}

PostgresConfig test_pg_config(const std::string& url, int max_connections) {
  PostgresConfig config;
  config.url = url;
  config.max_connections = max_connections;
  config.acquire_timeout_secs = 30;
  return config;
}

}  // namespace vestige::testing
