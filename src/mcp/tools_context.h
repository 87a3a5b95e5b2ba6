#pragma once

// What every MCP tool shares: the configuration, the store, the embedder and
// the engine objects built on them, plus the small argument helpers the tool
// files have in common. The server drives tools from one thread, so nothing
// here is meant to be called from two threads at once, except that the store
// is opened on a background thread while the first requests are answered.

#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/fsrs.h"
#include "engine/ingest.h"
#include "engine/model_binding.h"
#include "engine/recall.h"
#include "mcp/server.h"
#include "vestige/config.h"
#include "vestige/embedder.h"
#include "vestige/memory_store.h"
#include "vestige/types.h"

namespace vestige::mcp {

// Text that an agent sends to be stored (content of a memory, an edit, an
// intention) may be at most 1 MiB; longer text is a tool error.
inline constexpr std::size_t kMaxContentBytes = 1024 * 1024;

// Opens the store. Runs on a background thread at start, and again on the
// thread of the next tool call after a failure.
using StoreOpener = std::function<std::unique_ptr<MemoryStore>()>;

class ToolContext {
 public:
  ToolContext(Config config, StoreOpener opener);
  ~ToolContext();
  ToolContext(const ToolContext&) = delete;
  ToolContext& operator=(const ToolContext&) = delete;

  // Starts opening the store on a background thread, so that the server can
  // answer initialize while migrations run and the vector index loads.
  void start_opening();

  // The open store. Waits for the background open; when opening failed,
  // throws that error (a tool error for the caller) and tries again on the
  // next call, so a store that was temporarily unavailable (a database that
  // was down, a directory that could not be created) is picked up without
  // restarting the server.
  MemoryStore& store();

  // True when store() would return at once: the store is open, or the
  // background open has finished (successfully or not).
  bool store_ready() const;

  // The open store bound to the configured embedder's model (registers it on
  // an empty store). Error(kModelMismatch) when the store holds another
  // model's vectors.
  MemoryStore& store_for_writes();

  // The configured embedder when the store's registered model is its model;
  // nullptr while the store has no vectors (search is then text only).
  // Error(kModelMismatch) when the models differ.
  Embedder* embedder_for_queries();

  Embedder& embedder();
  QueryEmbeddingCache& query_cache() { return query_cache_; }
  engine::IngestGate& gate();
  const engine::Scheduler& scheduler() const { return scheduler_; }
  const Config& config() const { return config_; }

  // Waits for a background open to finish and closes the store (the SQLite
  // backend saves its vector index on close). Safe to call twice.
  void close();

  // The client that initialized the session (Server::on_initialize): the
  // default for the client name that ingest records as provenance.
  void set_client(std::optional<ClientInfo> client) { client_ = std::move(client); }
  const std::optional<ClientInfo>& client() const { return client_; }
  // `given` when the tool call named a client, else the session's client name.
  std::optional<std::string> client_name(std::optional<std::string> given) const;

  // Writes done by tools since the last call to take_activity(): what the
  // automatic consolidation counts.
  void note_write(std::size_t count = 1) { writes_ += count; }
  std::size_t take_activity() { return std::exchange(writes_, 0); }

 private:
  Config config_;
  StoreOpener opener_;
  std::future<std::unique_ptr<MemoryStore>> opening_;
  std::unique_ptr<MemoryStore> store_;
  engine::ModelBinding models_;
  std::unique_ptr<engine::IngestGate> gate_;
  QueryEmbeddingCache query_cache_{256};
  engine::Scheduler scheduler_;
  std::size_t writes_ = 0;
  std::optional<ClientInfo> client_;
};

// ---- Argument helpers --------------------------------------------------------
// Arguments have passed the tool's input schema when a handler runs, so these
// only read; what they throw is about rules a schema cannot state.

std::optional<std::string> optional_string(const Json& args, std::string_view key);
std::vector<std::string> string_list(const Json& args, std::string_view key);
// A memory id given as argument `name`. Error(kInvalidInput) when it is not
// a UUID.
Uuid parse_id(const Json& value, std::string_view name);
// Error(kInvalidInput) naming `action` when `key` is missing.
const Json& require_argument(const Json& args, std::string_view key, std::string_view action);
// Error(kInvalidInput) when `text` is longer than kMaxContentBytes.
void check_content_size(std::string_view text, std::string_view argument);

// JSON Schema fragments the tool schemas share.
Json string_schema(std::string_view description);
Json content_schema(std::string_view description);  // non-empty, at most kMaxContentBytes
Json string_array_schema(std::string_view description);
Json id_schema(std::string_view description);
Json object_schema(Json properties, std::vector<std::string> required = {});

// ---- Result helpers ------------------------------------------------------------

using engine::DetailLevel;

// A memory as tools show it, without its embedding, with its retention and
// state at `now`, at the detail levels recall uses (engine/recall.h): brief:
// id, type, the first line cut at kBriefChars bytes; summary: adds tags,
// codebase, created_at, content cut at kSummaryChars bytes; full: every
// stored field.
Json memory_view(const Memory& memory, DetailLevel level, Timestamp now,
                 const std::optional<SchedulingState>& scheduling = std::nullopt);

// `text` cut at `max_bytes` on a UTF-8 boundary, with "..." when cut.
std::string excerpt(std::string_view text, std::size_t max_bytes);

// The `limit` most recently created memories that are not suppressed, newest
// first, without embeddings. Finds, by probes of `limit` rows each, the
// latest time after which enough memories were created, then reads forward
// from there with MemoryStore::export_page, so the cost follows `limit`, not
// the size of the store, even when all of it was stored today.
std::vector<Memory> recent_memories(MemoryStore& store, Timestamp now, std::size_t limit);

// One line for a memory in a tool's text: "<id> [<type>] <excerpt>".
std::string memory_line(const Memory& memory, std::size_t max_bytes = 160);

}  // namespace vestige::mcp
