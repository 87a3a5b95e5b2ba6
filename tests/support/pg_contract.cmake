# The store contract suite against PostgreSQL (included from tests/contract).
include("${CMAKE_CURRENT_LIST_DIR}/pg_tests.cmake")
vestige_store_contract_test(postgres postgres_contract_test.cc vestige_pg_test_support)
vestige_requires_pg_server(store_contract_postgres_test)
