#pragma once

// Test support for the search tests: a fresh database file with the shipped
// schema, and rows written with plain SQL, so the search is tested without
// the store built on top of it.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/sqlite/database.h"
#include "vestige/clock.h"
#include "vestige/embedded_file.h"
#include "vestige/types.h"
#include "support/temp_dir.h"

namespace vestige {
std::span<const EmbeddedFile> sqlite_migration_files();
}  // namespace vestige

namespace vestige::sqlite::test_support {

// Default member initializers throughout, so designated initializers may
// leave any field out without -Wmissing-field-initializers.
struct Row {
  std::string id{};  // canonical UUID text
  std::string content{};
  std::string node_type = "fact";
  std::vector<std::string> tags{};
  std::optional<std::string> codebase{};
  std::optional<std::vector<float>> embedding{};
  bool suppressed = false;
};

// "00000000-0000-7000-8000-0000000000nn": ids whose order is obvious.
inline std::string test_id(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-7000-8000-%012d", n);
  return text;
}

using ::vestige::testing::TempDir;

inline void apply_schema(Database& db) {
  for (const EmbeddedFile& file : sqlite_migration_files()) {
    if (file.name.ends_with(".up.sql")) db.exec(file.content);
  }
}

inline void register_dimension(Database& db, int dimension) {
  Statement insert = db.prepare(
      "INSERT OR REPLACE INTO embedding_model (id, name, dimension, hash, created_at) "
      "VALUES (1, 'test/model', ?, 'test', '2026-01-01T00:00:00.000000Z')");
  insert.bind(1, dimension);
  insert.run();
}

inline std::int64_t insert_row(Database& db, const Row& row) {
  Statement insert = db.prepare(
      "INSERT INTO knowledge_nodes (id, content, node_type, tags, codebase, embedding, "
      "suppressed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string now = format_timestamp(now_utc());
  insert.bind(1, row.id).bind(2, row.content).bind(3, row.node_type);
  insert.bind(4, Json(row.tags).dump()).bind(5, row.codebase);
  if (row.embedding) {
    insert.bind_blob(6, as_blob(*row.embedding));
  } else {
    insert.bind(6, nullptr);
  }
  insert.bind(7, row.suppressed ? 1 : 0).bind(8, now).bind(9, now);
  insert.run();
  return db.last_insert_rowid();
}

inline void set_embedding(Database& db, const std::string& id,
                          const std::optional<std::vector<float>>& embedding) {
  Statement update = db.prepare("UPDATE knowledge_nodes SET embedding = ? WHERE id = ?");
  if (embedding) {
    update.bind_blob(1, as_blob(*embedding));
  } else {
    update.bind(1, nullptr);
  }
  update.bind(2, id);
  update.run();
}

inline void delete_row(Database& db, const std::string& id) {
  Statement remove = db.prepare("DELETE FROM knowledge_nodes WHERE id = ?");
  remove.bind(1, id);
  remove.run();
}

inline void schedule(Database& db, const std::string& id, double stability,
                     std::optional<Timestamp> last_review) {
  Statement insert = db.prepare(
      "INSERT INTO scheduling (memory_id, stability, difficulty, last_review, next_review) "
      "VALUES (?, ?, 5.0, ?, '2030-01-01T00:00:00.000000Z')");
  insert.bind(1, id).bind(2, stability);
  if (last_review) {
    insert.bind(3, format_timestamp(*last_review));
  } else {
    insert.bind(3, nullptr);
  }
  insert.run();
}

// A database file in a temporary directory with the schema applied.
class SearchDatabaseTest : public ::testing::Test {
 protected:
  SearchDatabaseTest() : db_(Database::open(path())) { apply_schema(db_); }

  std::filesystem::path path() const { return dir_.path() / "vestige.db"; }
  Database open_another() { return Database::open(path()); }

  TempDir dir_;
  Database db_;
};

}  // namespace vestige::sqlite::test_support
