#include "mcp/tools_context.h"

#include <fmt/format.h>

#include <deque>
#include <utility>

#include "engine/strength.h"
#include "vestige/error.h"

namespace vestige::mcp {

ToolContext::ToolContext(Config config, StoreOpener opener)
    : config_(std::move(config)), opener_(std::move(opener)), models_(config_.embeddings) {}

std::optional<std::string> ToolContext::client_name(std::optional<std::string> given) const {
  if (given) return given;
  if (client_) return client_->name;
  return std::nullopt;
}

ToolContext::~ToolContext() {
  close();
}

void ToolContext::start_opening() {
  if (store_ || opening_.valid()) return;
  opening_ = std::async(std::launch::async, opener_);
}

MemoryStore& ToolContext::store() {
  if (store_) return *store_;
  if (!opening_.valid()) start_opening();
  // get() leaves the future empty, so a failure is retried by the next call.
  store_ = opening_.get();
  return *store_;
}

bool ToolContext::store_ready() const {
  return store_ || (opening_.valid() &&
                    opening_.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
}

MemoryStore& ToolContext::store_for_writes() {
  MemoryStore& s = store();
  return models_.for_writes(s);
}

Embedder* ToolContext::embedder_for_queries() {
  MemoryStore& s = store();
  return models_.for_queries(s);
}

Embedder& ToolContext::embedder() {
  return models_.embedder();
}

engine::IngestGate& ToolContext::gate() {
  MemoryStore& s = store_for_writes();
  if (!gate_) gate_ = std::make_unique<engine::IngestGate>(s, embedder());
  return *gate_;
}

void ToolContext::close() {
  if (opening_.valid()) {
    try {
      store_ = opening_.get();
    } catch (const std::exception&) {
      // Nothing was opened, so there is nothing to close.
    }
  }
  gate_.reset();
  store_.reset();
  models_.unbind();
}

// ---- Argument helpers --------------------------------------------------------

std::optional<std::string> optional_string(const Json& args, std::string_view key) {
  const auto it = args.find(key);
  if (it == args.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

std::vector<std::string> string_list(const Json& args, std::string_view key) {
  const auto it = args.find(key);
  if (it == args.end() || it->is_null()) return {};
  return it->get<std::vector<std::string>>();
}

Uuid parse_id(const Json& value, std::string_view name) {
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  const std::optional<Uuid> id = Uuid::parse(text);
  if (!id) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("argument '{}' must be a memory id (a UUID such as "
                            "0192f0c1-8a4e-7c3b-9d2a-5e6f7a8b9c0d); got \"{}\"",
                            name, excerpt(text, 80)));
  }
  return *id;
}

const Json& require_argument(const Json& args, std::string_view key, std::string_view action) {
  const auto it = args.find(key);
  if (it == args.end() || it->is_null()) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("action '{}' needs argument '{}'", action, key));
  }
  return *it;
}

void check_content_size(std::string_view text, std::string_view argument) {
  if (text.size() > kMaxContentBytes) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("argument '{}' is {} bytes; at most {} bytes (1 MiB) can be stored in "
                            "one memory: split the text into several memories",
                            argument, text.size(), kMaxContentBytes));
  }
}

// ---- Schema fragments --------------------------------------------------------

Json string_schema(std::string_view description) {
  return Json{{"type", "string"}, {"description", description}};
}

Json content_schema(std::string_view description) {
  // No maxLength here: the handler's check gives a message that says what to do.
  return Json{{"type", "string"}, {"minLength", 1}, {"description", description}};
}

Json string_array_schema(std::string_view description) {
  return Json{{"type", "array"}, {"items", {{"type", "string"}}}, {"description", description}};
}

Json id_schema(std::string_view description) {
  return Json{{"type", "string"}, {"description", description}};
}

Json object_schema(Json properties, std::vector<std::string> required) {
  Json schema{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

// ---- Result helpers ------------------------------------------------------------

std::string excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Back up to the start of a UTF-8 sequence so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

namespace {

std::string first_line(std::string_view text) {
  const auto newline = text.find('\n');
  return std::string(newline == std::string_view::npos ? text : text.substr(0, newline));
}

}  // namespace

Json memory_view(const Memory& memory, DetailLevel level, Timestamp now,
                 const std::optional<SchedulingState>& scheduling) {
  const double retention = engine::retention_at(memory.engine, memory.created_at, scheduling, now);
  Json view;
  if (level == DetailLevel::kFull) {
    Memory copy = memory;
    copy.embedding.reset();
    view = copy;
  } else {
    view = Json{{"id", memory.id}, {"node_type", memory.node_type}};
    if (level == DetailLevel::kBrief) {
      view["content"] = excerpt(first_line(memory.content), engine::kBriefChars);
    } else {
      view["content"] = excerpt(memory.content, engine::kSummaryChars);
      view["tags"] = memory.tags;
      view["codebase"] = memory.codebase ? Json(*memory.codebase) : Json(nullptr);
      view["created_at"] = format_timestamp(memory.created_at);
    }
  }
  view["retention"] = retention;
  view["state"] = engine::state_name(engine::memory_state(retention));
  if (memory.engine.superseded_by) view["superseded_by"] = *memory.engine.superseded_by;
  return view;
}

namespace {

// A cursor just before `start`: (start, nil id) sorts before every memory
// created at or after `start`.
ExportCursor cursor_at(Timestamp start) {
  return ExportCursor{start, Uuid()};
}

// True when at least `count` memories were created at or after `start`; reads
// at most `count` rows.
bool holds_at_least(MemoryStore& store, Timestamp start, std::size_t count) {
  return store.export_page(cursor_at(start), count).memories.size() >= count;
}

// The latest start time after which at least `count` memories were created,
// to within 1/4096 of the window, or nullopt when the whole store holds
// fewer. Windows double from an hour until one holds enough, then bisection
// narrows it; each probe reads at most `count` rows, so a store that received
// 100,000 memories today costs a few thousand row reads, not 100,000.
std::optional<Timestamp> window_start(MemoryStore& store, Timestamp now, std::size_t count) {
  using std::chrono::hours;
  const hours longest(24 * 365 * 200);
  hours outer(1);
  while (!holds_at_least(store, now - outer, count)) {
    if (outer >= longest) return std::nullopt;
    outer *= 2;
  }
  auto inner = outer / 2;  // holds fewer (or is the first window, which may hold enough)
  auto outer_span = std::chrono::duration_cast<std::chrono::microseconds>(outer);
  auto inner_span = std::chrono::duration_cast<std::chrono::microseconds>(inner);
  for (int step = 0; step < 12 && outer_span - inner_span > std::chrono::microseconds(1); ++step) {
    const auto middle = inner_span + (outer_span - inner_span) / 2;
    if (holds_at_least(store, now - middle, count)) {
      outer_span = middle;
    } else {
      inner_span = middle;
    }
  }
  return now - outer_span;
}

}  // namespace

std::vector<Memory> recent_memories(MemoryStore& store, Timestamp now, std::size_t limit) {
  if (limit == 0) return {};
  // Suppressed memories count in the probes but not in the result, so when
  // the window holds too many of them it is widened until `limit` visible
  // ones are found or the store is exhausted.
  std::size_t wanted = limit;
  std::deque<Memory> newest;
  for (;;) {
    const std::optional<Timestamp> start = window_start(store, now, wanted);
    std::optional<ExportCursor> cursor;
    if (start) cursor = cursor_at(*start);
    newest.clear();
    do {
      ExportPage page = store.export_page(cursor, 500);
      for (Memory& m : page.memories) {
        if (m.engine.suppressed) continue;
        m.embedding.reset();
        newest.push_back(std::move(m));
        if (newest.size() > limit) newest.pop_front();
      }
      cursor = page.next;
    } while (cursor);
    if (newest.size() >= limit || !start) break;
    wanted *= 2;
  }
  return std::vector<Memory>(newest.rbegin(), newest.rend());
}

std::string memory_line(const Memory& memory, std::size_t max_bytes) {
  std::string line = fmt::format("{} [{}]", memory.id.to_string(), memory.node_type);
  if (memory.engine.superseded_by) {
    line += fmt::format(" (superseded by {})", memory.engine.superseded_by->to_string());
  }
  return line + " " + excerpt(first_line(memory.content), max_bytes);
}

}  // namespace vestige::mcp
