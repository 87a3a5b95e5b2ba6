#include "working_life_corpus.h"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <random>
#include <string_view>

namespace vestige::scenario {
namespace {

using engine::IngestItem;

constexpr std::array<std::string_view, 16> kComponents = {
    "scheduler",        "notifier",      "cache layer",   "rate limiter",
    "uploader",         "image resizer", "feature flags", "audit log",
    "search indexer",   "webhook relay", "email digest",  "session store",
    "metrics exporter", "pdf renderer",  "queue worker",  "sso gateway"};
constexpr std::array<std::string_view, 10> kBugs = {
    "race condition", "memory leak", "off-by-one error", "timezone bug", "null dereference",
    "deadlock",       "retry storm", "stale read",       "encoding bug", "panic on shutdown"};
constexpr std::array<std::string_view, 8> kPeople = {"Dana",  "Ravi", "Mei",   "Jonas",
                                                     "Aisha", "Tom",  "Lucia", "Kenji"};
constexpr std::array<std::string_view, 8> kActions = {
    "profile", "document", "refactor", "benchmark", "split", "harden", "monitor", "simplify"};
constexpr std::array<std::string_view, 5> kWeekdays = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                       "Friday"};
constexpr std::array<std::string_view, 6> kMetrics = {"p99 latency", "p50 latency", "cold start",
                                                      "GC pause",    "lock wait",   "queue delay"};
constexpr std::array<std::string_view, 8> kIdentifiers = {"handleBatch", "flushAll", "retryPolicy",
                                                          "ctxTimeout",  "parseRow", "doWork",
                                                          "cfgLoader",   "tmpBuf"};

template <std::size_t N>
std::string_view pick(std::mt19937& rng, const std::array<std::string_view, N>& from) {
  return from[rng() % N];
}

// One everyday note. Ticket numbers keep notes from the same template
// distinguishable, as they are in real work.
IngestItem everyday_note(std::mt19937& rng, int ticket) {
  IngestItem item;
  switch (rng() % 4) {
    case 0:
      item.content =
          fmt::format("Fixed a {} in the {} (ticket OPS-{}); the fix added a regression test",
                      pick(rng, kBugs), pick(rng, kComponents), ticket);
      item.node_type = "event";
      item.tags = {"fix"};
      break;
    case 1:
      item.content =
          fmt::format("Meeting note: {} will {} the {} by {} (ticket OPS-{})", pick(rng, kPeople),
                      pick(rng, kActions), pick(rng, kComponents), pick(rng, kWeekdays), ticket);
      item.node_type = "note";
      item.tags = {"meeting"};
      break;
    case 2:
      item.content =
          fmt::format("Measured {} of {} ms on the {} under a load test (run {})",
                      pick(rng, kMetrics), 5 + rng() % 900, pick(rng, kComponents), ticket);
      item.node_type = "event";
      item.tags = {"performance"};
      break;
    default:
      item.content =
          fmt::format("Code review: {} asked to rename {} in the {} (ticket OPS-{})",
                      pick(rng, kPeople), pick(rng, kIdentifiers), pick(rng, kComponents), ticket);
      item.node_type = "note";
      item.tags = {"review"};
      break;
  }
  return item;
}

IngestItem fact(KeyFacts& facts, const std::string& name, std::string content,
                std::string node_type, std::vector<std::string> tags = {},
                std::optional<std::string> codebase = std::nullopt) {
  facts.text[name] = content;
  IngestItem item;
  item.content = std::move(content);
  item.node_type = std::move(node_type);
  item.tags = std::move(tags);
  item.codebase = std::move(codebase);
  return item;
}

}  // namespace

std::vector<Session> working_life(KeyFacts& facts) {
  // The facts the checks ask about, by the day they are learnt.
  std::map<int, std::vector<IngestItem>> key;
  key[2].push_back(fact(facts, "indent",
                        "The user prefers four spaces for indentation in Python files",
                        "preference", {"style", "python"}));
  key[3].push_back(fact(facts, "fastapi",
                        "We chose FastAPI for the HTTP layer of the inventory service", "decision",
                        {"architecture"}, "inventory"));
  key[5].push_back(fact(facts, "db_old",
                        "The production database is MySQL 5.7 running on db-prod-1", "fact",
                        {"infrastructure"}));
  key[10].push_back(fact(facts, "deploy_old",
                         "Staging deploys run with make deploy-staging from the repository root",
                         "fact", {"deploy"}));
  key[15].push_back(fact(facts, "oncall",
                         "The on-call rotation hands over every Monday at 10:00 Berlin time",
                         "fact", {"process"}));
  key[18].push_back(fact(facts, "pytest", "Inventory service tests run with pytest -x --ff",
                         "pattern", {"testing"}, "inventory"));
  key[18].push_back(fact(facts, "gotest", "Billing service tests run with go test ./... -race",
                         "pattern", {"testing"}, "billing"));
  // One session where context matters: the second statement does not repeat
  // what it is about.
  key[20].push_back(fact(facts, "roadmap", "Reviewed the Q3 roadmap with Dana and the product team",
                         "event", {"planning"}));
  key[20].push_back(fact(facts, "csv", "Agreed to drop the legacy CSV export next quarter",
                         "decision", {"planning"}));
  key[41].push_back(fact(facts, "indent_again",
                         "The user prefers four spaces for indentation in Python source files",
                         "preference", {"style"}));
  key[55].push_back(fact(facts, "fastapi_again",
                         "We chose FastAPI for the HTTP layer of the inventory service", "decision",
                         {}, "inventory"));
  key[70].push_back(fact(facts, "db_new",
                         "The production database is no longer MySQL 5.7 running on db-prod-1; "
                         "it is now PostgreSQL 16",
                         "fact", {"infrastructure"}));
  key[90].push_back(fact(facts, "deploy_new",
                         "Staging deploys no longer use make deploy-staging; run "
                         "scripts/deploy.sh staging from the repository root instead",
                         "fact", {"deploy"}));

  std::mt19937 rng(20260105);
  std::vector<Session> sessions;
  int ticket = 1000;
  for (int day = 0; day < 120; ++day) {
    if (day % 7 == 5 || day % 7 == 6) {
      if (!key.contains(day)) continue;  // weekends are quiet
    }
    const int count = 1 + static_cast<int>(rng() % 2);
    for (int s = 0; s < count; ++s) {
      Session session;
      session.day = day;
      session.hour = 9 + 4 * s;
      session.id = fmt::format("day{}-s{}", day, s);
      if (s == 0 && key.contains(day)) session.items = key[day];
      const int notes = 1 + static_cast<int>(rng() % 3);
      for (int n = 0; n < notes; ++n) session.items.push_back(everyday_note(rng, ticket++));
      for (IngestItem& item : session.items) item.session_id = session.id;
      sessions.push_back(std::move(session));
    }
  }
  return sessions;
}

}  // namespace vestige::scenario
