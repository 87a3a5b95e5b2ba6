#pragma once

// The PostgreSQL server the Postgres tests run against: started once per test
// run by the CTest fixture (tests/postgres/pg_test_server.sh), which writes its
// URL to the file named by $VESTIGE_TEST_PG_URL_FILE; or any PostgreSQL with
// pgvector named by $VESTIGE_TEST_PG_URL.

#include <string>

#include "vestige/config.h"

namespace vestige::testing {

// The server's URL. Throws std::runtime_error saying how to get a server when
// there is none.
std::string test_pg_url();

// Drops everything Vestige creates in the database (tables, functions, the
// ledger), so the next test starts from an empty database. Extensions stay.
void reset_test_database(const std::string& url);

// [storage.postgres] for the test server. Few connections per handle: tests
// open several handles, and the test server accepts only a few connections.
PostgresConfig test_pg_config(const std::string& url, int max_connections = 2);

}  // namespace vestige::testing
