#include "mcp/tools_status.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "engine/strength.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

// memory_status's retention, aggregated by the store, against the engine's
// own per-memory computation on a real SQLite store.

namespace vestige::mcp {
namespace {

using std::chrono::hours;

TEST(StatusJson, RetentionAgreesWithTheEnginePerMemory) {
  vestige::testing::TempDir dir;
  const std::unique_ptr<MemoryStore> store = open_sqlite_store({.path = dir.path() / "vestige.db"});
  const Timestamp now = now_utc();
  // Ages from an hour to 110 years, some accessed since, some reviewed, with
  // storage strengths from 0 to above saturation: every state occurs.
  const int ages_days[] = {0, 1, 3, 20, 90, 400, 3000, 40000};
  const double storages[] = {0.0, 1.0, 4.0, 12.0};
  int n = 0;
  for (const int age : ages_days) {
    for (const double storage : storages) {
      Memory m;
      m.content = "memory " + std::to_string(n);
      m.created_at = now - hours(24 * age + 1);
      m.engine.storage_strength = storage;
      if (n % 3 == 1 && storage > 0.0) m.engine.last_accessed_at = now - hours(12 * age + 1);
      const Memory stored = store->insert(m);
      if (storage == 0.0 || n % 5 == 2) {
        SchedulingState s;
        s.memory_id = stored.id;
        s.stability = storage == 0.0 ? 0.05 : 30.0;  // 0.05 is clamped to 0.1
        s.difficulty = 5.0;
        s.reps = 1;
        s.state = "review";
        s.last_review = now - hours(24 * age + 2);
        s.next_review = now;
        store->upsert_scheduling(s);
      }
      ++n;
    }
  }

  double sum = 0.0;
  std::map<std::string, std::int64_t> states;
  std::optional<ExportCursor> cursor;
  do {
    const ExportPage page = store->export_page(cursor, 100);
    for (const Memory& m : page.memories) {
      const double r =
          engine::retention_at(m.engine, m.created_at, store->get_scheduling(m.id), now);
      sum += r;
      ++states[std::string(engine::state_name(engine::memory_state(r)))];
    }
    cursor = page.next;
  } while (cursor);

  const Json status = status_json(*store, now);
  EXPECT_EQ(status["counts"]["memories"], n);
  EXPECT_NEAR(status["retention"]["mean"].get<double>(), sum / n, 1e-6);
  for (const char* state : {"active", "dormant", "silent", "unavailable"}) {
    EXPECT_EQ(status["retention"]["by_state"][state].get<std::int64_t>(), states[state]) << state;
    EXPECT_GT(states[state], 0) << "the test data no longer reaches " << state;
  }
}

}  // namespace
}  // namespace vestige::mcp
