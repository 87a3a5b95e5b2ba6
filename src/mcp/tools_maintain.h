#pragma once

// The maintain tool and automatic consolidation: the housekeeping passes of
// engine/consolidation.h and engine/maintenance.h, on demand and in the
// background between requests.

#include <chrono>
#include <memory>

#include "mcp/server.h"
#include "mcp/tools_context.h"
#include "vestige/config.h"

namespace vestige::engine {
class Consolidator;
}

namespace vestige::mcp {

class Maintenance {
 public:
  Maintenance(ToolContext& context, ConsolidationConfig config);
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // Registers the maintain tool (consolidate, dream, gc, export, undo_merge).
  void register_tool(Server& server);

  // Automatic consolidation, for the server loop to call between requests:
  // once [consolidation] every_ingests writes or every_minutes minutes have
  // passed since the last pass (and `auto` is on), a pass starts, and every
  // call runs one slice of it bounded by max_memories_per_run memories and
  // max_millis_per_run milliseconds. Returns true while a pass is unfinished,
  // so that the caller runs the next slice as soon as no request is waiting.
  // Never throws: a failure is logged and the pass is given up until the next
  // trigger. Does nothing until the store is open.
  bool run_background_slice();

 private:
  engine::Consolidator& background_consolidator();

  ToolContext& context_;
  ConsolidationConfig config_;
  std::unique_ptr<engine::Consolidator> background_;
  bool pass_running_ = false;
  std::chrono::steady_clock::time_point last_pass_ = std::chrono::steady_clock::now();
  std::size_t activity_ = 0;
};

}  // namespace vestige::mcp
