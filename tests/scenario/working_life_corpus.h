#pragma once

// Four months of an agent's working life on a small engineering team, as the
// sessions in which it stored memories: preferences, decisions, facts about
// the systems, two corrections of earlier facts, restatements of earlier
// preferences, codebase-scoped conventions, and a few hundred everyday notes
// (fixes, meetings, measurements, reviews) generated from a fixed seed.

#include <map>
#include <string>
#include <vector>

#include "engine/ingest.h"

namespace vestige::scenario {

struct Session {
  int day = 0;   // days after the start of the scenario
  int hour = 9;  // UTC hour the session's memories are stored at
  std::string id;
  std::vector<engine::IngestItem> items;  // at most engine::kMaxBatchItems
};

// The memories the scenario's checks are about, by name.
struct KeyFacts {
  // name -> content, for the facts stored verbatim.
  std::map<std::string, std::string> text;
};

// Every session in order of time, and the key facts' texts. Deterministic.
std::vector<Session> working_life(KeyFacts& facts);

}  // namespace vestige::scenario
