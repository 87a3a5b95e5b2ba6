// What only the PostgreSQL backend has: its schema (tables and the indexes the
// runbook names), migrations up, down and up again, the startup order around
// the model registry, the HNSW index in the search plan, hostile strings, the
// pool's acquire timeout, and surviving a server restart.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "support/pg_test_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "vestige/error.h"
#include "vestige/memory_store.h"

namespace vestige {
namespace {

using ::testing::HasSubstr;

// A plain libpq connection for looking at what the store did.
class Psql {
 public:
  explicit Psql(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      throw std::runtime_error(PQerrorMessage(conn_.get()));
    }
  }
  // Every row's first column.
  std::vector<std::string> column(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
    return out;
  }
  std::string value(const std::string& sql) {
    const auto rows = column(sql);
    return rows.empty() ? std::string() : rows.front();
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

SearchQuery text_query(std::string text) {
  SearchQuery query;
  query.text = std::move(text);
  return query;
}

ModelSignature model(int dimension = 4) {
  return {"test/pg-model", dimension, "hash-pg-1"};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::test_pg_url();
    testing::reset_test_database(url_);
  }
  std::unique_ptr<MemoryStore> open(int max_connections = 2) {
    return open_postgres_store({.config = testing::test_pg_config(url_, max_connections)});
  }
  std::string url_;
};

TEST_F(PostgresStoreTest, FirstStartCreatesTheNineTablesAndTheNamedIndexes) {
  auto store = open();
  Psql psql(url_);
  const auto tables = psql.column(
      "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
  for (const char* table :
       {"knowledge_nodes", "scheduling", "edges", "review_events", "domains", "embedding_model",
        "users", "groups", "group_memberships", "schema_migrations"}) {
    EXPECT_THAT(tables, ::testing::Contains(std::string(table)));
  }
  EXPECT_EQ(psql.value("SELECT username || '/' || display_name FROM users WHERE id = "
                       "'00000000-0000-0000-0000-000000000001'"),
            "local/Local User");
  const auto indexes = psql.column("SELECT indexname FROM pg_indexes");
  for (const char* index :
       {"idx_knowledge_nodes_fts", "idx_knowledge_nodes_tags", "idx_knowledge_nodes_codebase",
        "idx_scheduling_next_review", "idx_edges_target", "idx_edges_source"}) {
    EXPECT_THAT(indexes, ::testing::Contains(std::string(index)));
  }
  // The HNSW index waits for the model: the column has no dimension yet.
  EXPECT_THAT(indexes, ::testing::Not(
                           ::testing::Contains(std::string("idx_knowledge_nodes_embedding_hnsw"))));
  EXPECT_EQ(store->health().status, HealthStatus::kOk);

  store->register_model(model(4));
  EXPECT_EQ(psql.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                       "attrelid = 'knowledge_nodes'::regclass AND attname = 'embedding'"),
            "vector(4)");
  EXPECT_THAT(psql.value("SELECT indexdef FROM pg_indexes WHERE indexname = "
                         "'idx_knowledge_nodes_embedding_hnsw'"),
              HasSubstr("hnsw (embedding vector_cosine_ops)"));
  EXPECT_EQ(psql.value("SELECT count(*) FROM schema_migrations WHERE success"), "2");
  EXPECT_EQ(store->stats(now_utc()).schema_version, 2);
}

TEST_F(PostgresStoreTest, RegistryStampsOneRowAndRefusesAnotherModel) {
  open()->register_model(model(4));
  Psql psql(url_);
  EXPECT_EQ(psql.value("SELECT name || ' ' || dimension || ' ' || hash FROM embedding_model"),
            "test/pg-model 4 hash-pg-1");
  auto again = open();  // a restart finds the model and stays at the latest schema
  const Error e = [&] {
    try {
      again->register_model(model(8));
    } catch (const Error& error) {
      return error;
    }
    return Error(ErrorCode::kBackend, "no error");
  }();
  EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
  EXPECT_THAT(e.what(), HasSubstr("vestige migrate reembed --model="));
  EXPECT_EQ(psql.value("SELECT count(*) FROM embedding_model"), "1");
}

TEST_F(PostgresStoreTest, MigrationsGoUpDownAndUpAgain) {
  {
    auto store = open();
    store->register_model(model(4));
    Memory m;
    m.content = "before the revert";
    store->insert(m);
  }
  auto admin = open_postgres_schema_admin(testing::test_pg_config(url_));
  EXPECT_EQ(admin->revert(1), std::vector<int>{2});
  Psql psql(url_);
  EXPECT_EQ(psql.value("SELECT count(*) FROM pg_indexes WHERE indexname = "
                       "'idx_knowledge_nodes_embedding_hnsw'"),
            "0");
  EXPECT_EQ(admin->revert(0), std::vector<int>{1});
  EXPECT_EQ(psql.value("SELECT to_regclass('knowledge_nodes') IS NULL"), "t");
  EXPECT_EQ(psql.value("SELECT to_regprocedure('vestige_search_vector(text,text,text[])') IS NULL"),
            "t");
  for (const MigrationStatus& s : admin->status()) EXPECT_FALSE(s.applied) << s.version;

  // Without a model only migration 1 can run; the rest follows registration.
  EXPECT_EQ(admin->migrate(std::nullopt), std::vector<int>{1});
  auto store = open();
  store->register_model(model(4));
  EXPECT_EQ(psql.value("SELECT count(*) FROM schema_migrations WHERE success"), "2");
  Memory m;
  m.content = "after the migration";
  m.embedding = Embedding{1, 0, 0, 0};
  store->insert(m);
  EXPECT_EQ(store->text_search(text_query("migration")).size(), 1u);
}

TEST_F(PostgresStoreTest, ATamperedLedgerStopsStartup) {
  open().reset();
  Psql psql(url_);
  psql.column("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
  try {
    open();
    FAIL() << "a tampered ledger was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInit);
    EXPECT_THAT(e.what(), HasSubstr("checksum"));
  }
  psql.column("UPDATE schema_migrations SET checksum = 'edited', success = false");
  EXPECT_THROW(open(), Error);
}

TEST_F(PostgresStoreTest, TheVectorBranchUsesTheHnswIndex) {
  auto store = open();
  store->register_model(model(4));
  std::vector<Memory> batch;
  for (int i = 0; i < 1500; ++i) {
    Memory m;
    m.content = "memory number " + std::to_string(i);
    const float a = static_cast<float>(i) * 0.01f;
    m.embedding = Embedding{std::cos(a), std::sin(a), 0.5f, static_cast<float>(i % 7)};
    batch.push_back(m);
  }
  store->insert_batch(batch);
  Psql psql(url_);
  psql.column("ANALYZE knowledge_nodes");
  const std::string plan =
      joined(psql.column("EXPLAIN SELECT id FROM knowledge_nodes WHERE embedding IS NOT NULL "
                         "ORDER BY embedding <=> '[1,0,0.5,0]'::vector, id LIMIT 30"));
  EXPECT_THAT(plan, HasSubstr("idx_knowledge_nodes_embedding_hnsw")) << plan;

  SearchQuery query;
  query.embedding = Embedding{1, 0, 0.5f, 0};
  query.limit = 10;
  const auto results = store->vector_search(query);
  ASSERT_EQ(results.size(), 10u);
  EXPECT_EQ(results[0].memory.content, "memory number 0");
}

// Batches are written with multi-row INSERTs of at most 500 rows: a batch
// that spans several statements keeps insert_batch's all-or-nothing rule and
// insert_missing's count.
TEST_F(PostgresStoreTest, BatchesSpanningSeveralStatementsKeepTheirRules) {
  auto store = open();
  store->register_model(model(4));
  std::vector<Memory> batch;
  for (int i = 0; i < 1200; ++i) {
    Memory m;
    m.id = Uuid::generate_v7();
    m.content = "batch memory " + std::to_string(i);
    m.embedding = Embedding{1.0f, static_cast<float>(i), 0.0f, 0.5f};
    batch.push_back(m);
  }
  // The first 700 exist: insert_missing adds the other 500, and only them.
  EXPECT_EQ(store->insert_missing(std::span(batch).first(700)), 700u);
  EXPECT_EQ(store->insert_missing(batch), 500u);
  EXPECT_EQ(store->insert_missing(batch), 0u);
  EXPECT_EQ(store->stats(now_utc()).memories, 1200);
  EXPECT_EQ(store->get(batch[1100].id)->embedding, batch[1100].embedding);

  // An existing id in the second statement of a batch rolls back the first.
  std::vector<Memory> fresh;
  for (int i = 0; i < 600; ++i) {
    Memory m;
    m.content = "fresh memory " + std::to_string(i);
    fresh.push_back(m);
  }
  fresh[550].id = batch[3].id;
  try {
    store->insert_batch(fresh);
    ADD_FAILURE() << "a batch with an existing id was inserted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_THAT(e.what(), HasSubstr(batch[3].id.to_string()));
  }
  // So does an id the batch repeats.
  fresh[550].id = Uuid::generate_v7();
  fresh[580].id = fresh[550].id;
  EXPECT_THROW(store->insert_batch(fresh), Error);
  EXPECT_EQ(store->stats(now_utc()).memories, 1200);

  fresh[580].id = Uuid{};
  const auto stored = store->insert_batch(fresh);
  ASSERT_EQ(stored.size(), 600u);
  EXPECT_EQ(store->get(stored[599].id)->content, "fresh memory 599");
  EXPECT_EQ(store->stats(now_utc()).memories, 1800);
}

// Registering the model changes the embedding column's type (vector ->
// vector(N)), which makes statements that another handle prepared before
// return a different type ("cached plan must not change result type"). The
// other handle prepares them again instead of failing.
TEST_F(PostgresStoreTest, StatementsPreparedBeforeAnotherHandleRegisteredTheModelStillWork) {
  auto early = open();
  Memory m;
  m.content = "written before any model";
  const Memory stored = early->insert(m);
  ASSERT_TRUE(early->get(stored.id).has_value());
  ASSERT_EQ(early->get_batch(std::vector<Uuid>{stored.id}).size(), 1u);

  open()->register_model(model(4));
  EXPECT_EQ(early->get(stored.id)->content, m.content);
  EXPECT_EQ(early->get_batch(std::vector<Uuid>{stored.id}).size(), 1u);
  EXPECT_EQ(early->export_page(std::nullopt, 10).memories.size(), 1u);
}

TEST_F(PostgresStoreTest, HostileStringsAreStoredAndSearchedLiterally) {
  auto store = open();
  Memory m;
  m.content = "O'Brien said \"hi\" \\ back'; DROP TABLE knowledge_nodes; --";
  m.tags = {"'; DROP TABLE edges; --", "quote\"tag", "back\\slash", "{brace,comma}"};
  m.codebase = "acme/'; DROP TABLE users; --";
  const Memory stored = store->insert(m);
  EXPECT_EQ(store->get(stored.id), stored);

  for (const std::string text : {"'; DROP TABLE knowledge_nodes; --", "O'Brien", "\\ back'",
                                 "\"hi\"", "drop & table | !x <-> y"}) {
    SCOPED_TRACE(text);
    SearchQuery query = text_query(text);
    query.filter.tags = {"'; DROP TABLE edges; --", "back\\slash", "{brace,comma}"};
    query.filter.codebase = m.codebase;
    EXPECT_EQ(store->text_search(query).size(), 1u);
  }
  SearchQuery wrong_tag = text_query("Brien");
  wrong_tag.filter.tags = {"back\\\\slash"};
  EXPECT_TRUE(store->text_search(wrong_tag).empty());
  Psql psql(url_);
  EXPECT_EQ(psql.value("SELECT count(*) FROM users"), "1");
  EXPECT_EQ(psql.value("SELECT count(*) FROM knowledge_nodes"), "1");
}

TEST_F(PostgresStoreTest, AnAcquireTimeoutIsAPoolTimeoutError) {
  PostgresConfig config = testing::test_pg_config(url_, 1);
  config.acquire_timeout_secs = 1;
  auto store = open_postgres_store({.config = config});
  Psql psql(url_);
  // Hold the only connection: a search that waits on a lock the test holds.
  psql.column("BEGIN");
  psql.column("LOCK TABLE knowledge_nodes IN ACCESS EXCLUSIVE MODE");
  std::thread blocked([&] {
    try {
      store->get(Uuid::generate_v7());
    } catch (const Error&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  try {
    store->registered_model();
    ADD_FAILURE() << "acquire did not time out";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPoolTimeout) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("pool timed out while waiting for an open connection"));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  psql.column("ROLLBACK");
  blocked.join();
  EXPECT_EQ(store->health().status, HealthStatus::kOk);
}

TEST_F(PostgresStoreTest, UnreachableServerAndWrongDatabaseSayWhatToDo) {
  for (const auto& [url, expected] :
       {std::pair{std::string("postgresql://vestige:secret@127.0.0.1:1/vestige"),
                  std::string("unreachable")}}) {
    try {
      open_postgres_store({.config = testing::test_pg_config(url)});
      ADD_FAILURE() << url;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInit);
      EXPECT_THAT(e.what(), HasSubstr(expected));
      EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("secret")));
    }
  }
}

}  // namespace
}  // namespace vestige
