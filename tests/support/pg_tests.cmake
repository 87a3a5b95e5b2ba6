# Postgres test executables share one test server per ctest run: the
# postgres_server fixture (tests/postgres/CMakeLists.txt) starts it before the
# first of them and stops it after the last, also when tests fail. They run one
# at a time (RESOURCE_LOCK), and each test empties the database first.

add_library(vestige_pg_test_support STATIC "${CMAKE_CURRENT_LIST_DIR}/pg_test_server.cc")
target_include_directories(vestige_pg_test_support PUBLIC "${CMAKE_CURRENT_LIST_DIR}/..")
target_link_libraries(vestige_pg_test_support PUBLIC vestige_config PkgConfig::LIBPQ)

# Adds the fixture properties to the tests discovered from `target` (call it in
# the directory that discovered them, after vestige_discover_tests).
# (The URL file's path is spelled out here rather than kept in a variable: this
# file is included once, from the first directory that needs it, and a
# variable would not be seen by the others.)
function(vestige_requires_pg_server target)
  set(url_file "${PROJECT_BINARY_DIR}/pg_test_server/url")
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_pg.cmake")
  file(WRITE "${script}"
       "if(${target}_TESTS)\n"
       "  set_tests_properties(\${${target}_TESTS} PROPERTIES\n"
       "    FIXTURES_REQUIRED postgres_server RESOURCE_LOCK postgres_server\n"
       "    ENVIRONMENT \"VESTIGE_TEST_PG_URL_FILE=${url_file}\")\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()

# Registers `target`'s tests a second time, named <test>/postgres, labelled
# with the further arguments, to run against the test server with
# VESTIGE_TEST_BACKEND=postgres: for suites that run on either backend (the
# engine and MCP end-to-end tests), which pick the backend from that variable.
function(vestige_discover_pg_variant target)
  gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST TEST_SUFFIX "/postgres"
                       TEST_LIST ${target}_pg_TESTS)
  set(url_file "${PROJECT_BINARY_DIR}/pg_test_server/url")
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_pg_variant.cmake")
  file(WRITE "${script}"
       "if(${target}_pg_TESTS)\n"
       "  set_tests_properties(\${${target}_pg_TESTS} PROPERTIES LABELS \"${ARGN}\"\n"
       "    FIXTURES_REQUIRED postgres_server RESOURCE_LOCK postgres_server\n"
       "    ENVIRONMENT \"VESTIGE_TEST_PG_URL_FILE=${url_file};VESTIGE_TEST_BACKEND=postgres\")\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()
