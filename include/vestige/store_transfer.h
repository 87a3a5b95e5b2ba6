#pragma once

// What the operator tools (`vestige migrate copy`, `vestige migrate reembed`)
// need from a backend beyond MemoryStore: every table read row by row in key
// order, idempotent bulk writes that keep every key, and the steps of a
// re-embed. Each backend implements it over its own connection
// (store/sqlite/transfer*.cc, store/postgres/transfer*.cc).
//
// Errors: vestige::Error like MemoryStore. A problem with one row (it cannot
// be read, or the destination refuses it) is not thrown: it comes back as a
// RowError and the rest of the page or batch is still read or written.
// Thread safety: one thread at a time per handle.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vestige/config.h"
#include "vestige/types.h"

namespace vestige {

struct UserRecord {
  Uuid id;
  std::string username;
  std::string display_name;
  Timestamp created_at{};
  friend bool operator==(const UserRecord&, const UserRecord&) = default;
};

struct GroupRecord {
  Uuid id;
  std::string name;
  Timestamp created_at{};
  friend bool operator==(const GroupRecord&, const GroupRecord&) = default;
};

struct MembershipRecord {
  Uuid group_id;
  Uuid user_id;
  std::string role = "member";
  Timestamp created_at{};
  friend bool operator==(const MembershipRecord&, const MembershipRecord&) = default;
};

// The tables a copy moves, in the order it moves them (parents first).
enum class Table {
  kUsers,
  kGroups,
  kGroupMemberships,
  kMemories,
  kScheduling,
  kEdges,
  kReviewEvents,
  kDomains
};
inline constexpr std::array<Table, 8> kCopyOrder = {
    Table::kUsers,      Table::kGroups, Table::kGroupMemberships, Table::kMemories,
    Table::kScheduling, Table::kEdges,  Table::kReviewEvents,     Table::kDomains};
// "users", "groups", "group_memberships", "memories", "scheduling", "edges",
// "review_events", "domains".
std::string_view table_name(Table table);

// One row of one table; the alternative matches the table (Memory for
// kMemories, with its embedding; SchedulingState for kScheduling; ...).
using Row = std::variant<UserRecord, GroupRecord, MembershipRecord, Memory, SchedulingState, Edge,
                         ReviewEvent, Domain>;
// The row's key as text for messages: "0190...", "a -> b (related)", "42".
std::string row_key(const Row& row);

struct RowError {
  Table table = Table::kMemories;
  std::string key;     // the row's key, as row_key writes it
  std::string reason;  // a sentence: what is wrong with the row
};

// Position after the last row of a page: the text of its key columns.
using PageKey = std::vector<std::string>;

struct RowPage {
  std::vector<Row> rows;         // rows that could be read, in key order
  std::vector<RowError> errors;  // rows that could not be read
  std::optional<PageKey> next;   // none when this was the last page
};

struct WriteOutcome {
  std::size_t inserted = 0;  // rows written
  std::size_t present = 0;   // rows whose key the destination already held (left as they are)
  std::vector<RowError> errors;
};

// A re-embed under way, as recorded in the store.
struct ReembedState {
  ModelSignature previous;  // the model before the run (empty name when there was none)
  ModelSignature target;
  std::optional<ExportCursor> cursor;  // rows up to here hold the target's vectors
  std::int64_t rows_done = 0;
  Timestamp started_at{};
};

struct ReembedRow {
  Uuid id;
  std::string content;
  Timestamp created_at{};
};

class StoreTransfer {
 public:
  virtual ~StoreTransfer() = default;

  virtual std::string backend_name() const = 0;  // "sqlite" or "postgres"
  // The database as messages name it: a path, or a URL with its password masked.
  virtual std::string location() const = 0;

  // The registry row (during a re-embed, the in-progress marker; see below).
  virtual std::optional<RegisteredModel> registered_model() = 0;

  virtual std::int64_t count(Table table) = 0;

  // Up to `limit` rows of `table` after `after` in key order (memories by
  // (created_at, id), edges by (source, target, type), review events by id,
  // the others by their primary key), embeddings bit for bit.
  virtual RowPage read_page(Table table, const std::optional<PageKey>& after,
                            std::size_t limit) = 0;

  // Writes the rows that are not there yet, keys and every column as given, in
  // one transaction; rows whose key exists are left untouched and counted as
  // present. A row the database refuses is reported and the others are still
  // written. Vectors must have the registered dimension (not re-checked).
  virtual WriteOutcome write_rows(Table table, std::span<const Row> rows) = 0;

  // After review events were written with their ids: moves the id sequence
  // past the largest id, so the next appended event gets a fresh one.
  virtual void advance_review_event_ids() = 0;

  // The approximate vector index (Postgres: idx_knowledge_nodes_embedding_hnsw).
  // drop returns whether there was one; build creates it when missing or
  // invalid (CREATE INDEX CONCURRENTLY with `concurrently`) and is a no-op
  // while no model is registered. SQLite keeps its index in memory and in a
  // snapshot file beside the database: drop deletes the snapshot, build does
  // nothing (the next process rebuilds it from the table).
  virtual bool drop_vector_index() = 0;
  virtual void build_vector_index(bool concurrently) = 0;
  // Valid vector indexes on the embedding column (always 0 on SQLite).
  virtual int vector_index_count() = 0;

  // ---- Re-embed -------------------------------------------------------------
  // While a re-embed is under way the registry row holds `target` with its hash
  // prefixed by kReembedMarker, so every handle's registry check refuses vector
  // writes and queries (Error::model_mismatch says a re-embed is in progress)
  // instead of mixing two models' vectors; a table reembed_state holds the
  // progress. Only complete_reembed writes the target signature itself.

  virtual std::optional<ReembedState> reembed_state() = 0;
  // One transaction: records the state, puts the marker in the registry,
  // drops the vector index and, on Postgres, relaxes the column to plain
  // `vector` when the dimension changes. Re-running it for the same target
  // keeps the recorded state (so --resume can use its cursor).
  virtual ReembedState begin_reembed(const ModelSignature& target) = 0;
  // Memories after `after` in (created_at, id) order, at most `limit`.
  virtual std::vector<ReembedRow> reembed_page(const std::optional<ExportCursor>& after,
                                               std::size_t limit) = 0;
  // One transaction: sets each memory's embedding and moves the recorded
  // cursor to `progress`.
  virtual void write_embeddings(std::span<const std::pair<Uuid, Embedding>> vectors,
                                const ExportCursor& progress) = 0;
  // Checks that every memory holds a vector of the target's dimension (the
  // column gets vector(N) on Postgres). Error(kBackend) naming the count when
  // some memory still lacks a target vector. The caller then builds the
  // vector index (build_vector_index) and calls complete_reembed.
  virtual void seal_reembed(const ModelSignature& target) = 0;
  // The last step: writes the target into the registry and removes the state.
  virtual void complete_reembed(const ModelSignature& target) = 0;
};

// Opens a SQLite database file for transfer. Read-only opens never write
// (and refuse every write); a database whose schema is behind this build is
// Error(kInit) naming `--allow-source-upgrade`.
std::unique_ptr<StoreTransfer> open_sqlite_transfer(const std::filesystem::path& path,
                                                    bool read_only);
// The same for a PostgreSQL database (the schema must exist: open the
// MemoryStore first to create it).
std::unique_ptr<StoreTransfer> open_postgres_transfer(const PostgresConfig& config, bool read_only);

}  // namespace vestige
