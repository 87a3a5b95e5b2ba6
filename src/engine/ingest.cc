#include "engine/ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "engine/importance.h"
#include "engine/strength.h"
#include "vestige/error.h"
#include "vestige/stop_words.h"

namespace vestige::engine {
namespace {

// Words that, appearing in a new text but not in the old one, say the new text
// contradicts or corrects the old. Contractions lose their apostrophe in
// lowercase_words ("don't" -> "dont").
constexpr std::array<std::string_view, 27> kCorrectionWords = {
    "not",     "no",         "never",    "instead",  "actually", "wrong",   "incorrect",
    "changed", "deprecated", "replaced", "obsolete", "outdated", "anymore", "cannot",
    "dont",    "doesnt",     "didnt",    "isnt",     "arent",    "wasnt",   "werent",
    "wont",    "cant",       "shouldnt", "havent",   "hasnt",    "couldnt"};

// Two-word markers: "now use" announces a replacement ("we now use X").
constexpr std::array<std::pair<std::string_view, std::string_view>, 1> kCorrectionPhrases = {
    {{"now", "use"}}};

// Words that announce a change of what was stated before ("Harbor moved its
// database to CockroachDB"), and two-word phrases that do ("no longer").
// Unlike kCorrectionWords they exclude plain negations, which new facts carry
// as often as corrections do.
constexpr std::array<std::string_view, 12> kChangeWords = {
    "correction", "actually", "instead", "moved",  "migrated", "switched",
    "replaced",   "changed",  "lowered", "raised", "handed",   "decommissioned"};
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kChangePhrases = {
    {{"no", "longer"}, {"now", "use"}, {"now", "uses"}}};

// The markers of `text` among `words_list` and `phrases`, in text order.
template <std::size_t W, std::size_t P>
std::vector<std::string> markers_in(
    const std::vector<std::string>& words, const std::array<std::string_view, W>& words_list,
    const std::array<std::pair<std::string_view, std::string_view>, P>& phrases) {
  std::vector<std::string> markers;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (std::find(words_list.begin(), words_list.end(), words[i]) != words_list.end()) {
      markers.push_back(words[i]);
    }
    if (i + 1 < words.size()) {
      for (const auto& [first, second] : phrases) {
        if (words[i] == first && words[i + 1] == second) {
          markers.push_back(words[i] + " " + words[i + 1]);
        }
      }
    }
  }
  return markers;
}

bool has_new_marker(const std::vector<std::string>& new_markers,
                    const std::vector<std::string>& old_markers) {
  return std::any_of(new_markers.begin(), new_markers.end(), [&](const std::string& marker) {
    return std::find(old_markers.begin(), old_markers.end(), marker) == old_markers.end();
  });
}

// The words that say what a text is about: not stop words, not change
// markers, at least two characters.
std::set<std::string> subject_words(const std::vector<std::string>& words) {
  std::set<std::string> subject;
  for (const std::string& w : words) {
    if (w.size() < 2 || is_stop_word(w)) continue;
    if (std::find(kChangeWords.begin(), kChangeWords.end(), w) != kChangeWords.end()) continue;
    subject.insert(w);
  }
  return subject;
}

std::vector<std::string> correction_markers(std::string_view text) {
  return markers_in(lowercase_words(text), kCorrectionWords, kCorrectionPhrases);
}

void validate(const IngestItem& item) {
  if (item.content.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "ingest: the content is empty; give the text to remember");
  }
  if (!item.metadata.is_object()) {
    throw Error(ErrorCode::kInvalidInput,
                "ingest: metadata must be a JSON object of key/value pairs");
  }
}

// The item's metadata with its context fields on top, so none is ever lost.
Json item_metadata(const IngestItem& item) {
  Json metadata = item.metadata;
  if (item.file) metadata[std::string(kFileKey)] = *item.file;
  if (!item.topics.empty()) metadata[std::string(kTopicsKey)] = item.topics;
  if (item.session_id) metadata[std::string(kSessionKey)] = *item.session_id;
  if (item.client) metadata[std::string(kClientKey)] = *item.client;
  return metadata;
}

void merge_tags(std::vector<std::string>& tags, const std::vector<std::string>& more) {
  for (const std::string& tag : more) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
  }
}

void append_history(Memory& memory, IngestDecision decision, const IngestItem& item,
                    double similarity, Timestamp now) {
  Json& history = memory.metadata[std::string(kHistoryKey)];
  if (!history.is_array()) history = Json::array();
  history.push_back({{"decision", decision_name(decision)},
                     {"at", format_timestamp(now)},
                     {"similarity", similarity},
                     {"content", item.content},
                     {"metadata", item_metadata(item)}});
}

}  // namespace

std::string_view decision_name(IngestDecision decision) {
  switch (decision) {
    case IngestDecision::kCreate:
      return "create";
    case IngestDecision::kReinforce:
      return "reinforce";
    case IngestDecision::kUpdate:
      return "update";
    case IngestDecision::kSupersede:
      return "supersede";
  }
  return "create";
}

bool negates_or_corrects(std::string_view new_text, std::string_view old_text) {
  return has_new_marker(correction_markers(new_text), correction_markers(old_text));
}

bool announces_change(std::string_view new_text, std::string_view old_text) {
  const std::vector<std::string> new_words = lowercase_words(new_text);
  const std::vector<std::string> old_words = lowercase_words(old_text);
  if (!has_new_marker(markers_in(new_words, kChangeWords, kChangePhrases),
                      markers_in(old_words, kChangeWords, kChangePhrases))) {
    return false;
  }
  const std::set<std::string> new_subject = subject_words(new_words);
  std::size_t shared = 0;
  for (const std::string& w : subject_words(old_words)) {
    if (new_subject.contains(w) && ++shared == kMinSharedSubjectWords) return true;
  }
  return false;
}

struct IngestGate::Candidate {
  Memory memory;  // without its embedding (as search returns it)
  double similarity = 0.0;
};

IngestGate::IngestGate(MemoryStore& store, Embedder& embedder, IngestOptions options)
    : store_(store), embedder_(embedder), options_(options) {}

std::vector<IngestGate::Candidate> IngestGate::candidates(const IngestItem& item,
                                                          const Embedding& embedding,
                                                          Timestamp now) {
  SearchQuery query;
  query.embedding = embedding;
  // Over-fetched (as the hybrid search does) because superseded memories and,
  // for an unscoped item, scoped ones are dropped below; the store can filter
  // by a codebase but not by "no codebase".
  query.limit = options_.neighbours * 3;
  query.filter.codebase = item.codebase;
  query.now = now;
  std::vector<Candidate> found;
  for (SearchResult& result : store_.vector_search(query)) {
    if (found.size() == options_.neighbours) break;
    if (result.memory.engine.superseded_by) continue;
    if (result.memory.codebase != item.codebase) continue;
    found.push_back({std::move(result.memory), result.score});
  }
  return found;
}

IngestResult IngestGate::ingest(const IngestItem& item, Timestamp now) {
  validate(item);
  Embedding embedding = embedder_.embed(item.content);
  const std::vector<Candidate> near = candidates(item, embedding, now);
  const std::optional<double> nearest =
      near.empty() ? std::nullopt : std::optional<double>(near.front().similarity);

  if (item.force_create || near.empty()) {
    IngestResult result = create(item, std::move(embedding), nearest, now);
    if (item.force_create) {
      result.reason = "Created a new memory because force_create skips the ingest gate.";
    }
    return result;
  }
  if (near.front().similarity < options_.related_threshold) {
    // Not about the same thing by similarity alone; but a correction shares
    // few words with what it corrects, so an announced change of a
    // candidate's subject still supersedes it.
    for (const Candidate& candidate : near) {
      if (candidate.similarity < options_.correction_threshold) break;
      if (announces_change(item.content, candidate.memory.content)) {
        std::string reason = fmt::format(
            "Superseded an existing memory because the text announces a change of what it states "
            "(similarity {:.3f} >= {:.2f}, change words the old text lacks, a shared subject).",
            candidate.similarity, options_.correction_threshold);
        return supersede(item, std::move(embedding), candidate.memory, candidate.similarity,
                         nearest, std::move(reason), now);
      }
    }
    return create(item, std::move(embedding), nearest, now);
  }
  if (near.front().similarity >= options_.reinforce_threshold) {
    return reinforce(item, near.front().memory, near.front().similarity, now);
  }
  // Related: a correction of any related candidate wins over an addition to
  // the nearest, because leaving a contradicted fact at full strength is the
  // worse mistake.
  for (const Candidate& candidate : near) {
    if (candidate.similarity < options_.related_threshold) break;
    if (negates_or_corrects(item.content, candidate.memory.content)) {
      std::string reason = fmt::format(
          "Superseded an existing memory because the text corrects it (similarity {:.3f} >= {:.2f} "
          "with negation or correction words the old text lacks).",
          candidate.similarity, options_.related_threshold);
      return supersede(item, std::move(embedding), candidate.memory, candidate.similarity, nearest,
                       std::move(reason), now);
    }
  }
  return update(item, near.front().memory, near.front().similarity, now);
}

IngestResult IngestGate::create(const IngestItem& item, Embedding embedding,
                                std::optional<double> nearest, Timestamp now) {
  Memory memory;
  memory.content = item.content;
  memory.node_type = item.node_type.empty() ? std::string(kDefaultNodeType) : item.node_type;
  merge_tags(memory.tags, item.tags);
  memory.codebase = item.codebase;
  memory.metadata = item_metadata(item);
  memory.embedding = std::move(embedding);
  memory.created_at = now;
  memory.engine.importance = importance(item.content, nearest);
  const Memory stored = store_.insert(memory);
  store_.upsert_scheduling(scheduler_.initial_state(stored.id, now));

  IngestResult result;
  result.decision = IngestDecision::kCreate;
  result.memory_id = stored.id;
  result.similarity = nearest;
  result.reason =
      nearest ? fmt::format(
                    "Created a new memory because the nearest existing one is only {:.3f} "
                    "similar (below {:.2f}).",
                    *nearest, options_.related_threshold)
              : std::string("Created a new memory because no existing memory was comparable.");
  return result;
}

namespace {

// The full stored row of a neighbour: search results carry no embedding and
// update() replaces every field, so every write starts from the stored row.
Memory stored_row(MemoryStore& store, const Uuid& id, std::string_view action) {
  std::optional<Memory> full = store.get(id);
  if (!full) {
    throw Error(ErrorCode::kNotFound, fmt::format("ingest: the memory to {} was deleted", action));
  }
  return std::move(*full);
}

}  // namespace

IngestResult IngestGate::reinforce(const IngestItem& item, Memory existing, double similarity,
                                   Timestamp now) {
  Memory memory = stored_row(store_, existing.id, "reinforce");
  // Hearing the same thing again is re-exposure: the same gain as a recall.
  memory.engine = record_access(memory.engine, now);
  merge_tags(memory.tags, item.tags);
  append_history(memory, IngestDecision::kReinforce, item, similarity, now);
  store_.update(memory);

  IngestResult result;
  result.decision = IngestDecision::kReinforce;
  result.memory_id = memory.id;
  result.similarity = similarity;
  result.reason = fmt::format(
      "Reinforced an existing memory because the text restates it (similarity {:.3f} >= {:.2f}).",
      similarity, options_.reinforce_threshold);
  return result;
}

IngestResult IngestGate::update(const IngestItem& item, Memory existing, double similarity,
                                Timestamp now) {
  Memory memory = stored_row(store_, existing.id, "update");
  memory.content += kUpdateSeparator;
  memory.content += item.content;
  memory.embedding = embedder_.embed(memory.content);
  merge_tags(memory.tags, item.tags);
  // The addition may carry the markers that make the memory important; what
  // the memory already was is not lost by adding to it.
  memory.engine.importance =
      std::max(memory.engine.importance, importance(item.content, similarity));
  append_history(memory, IngestDecision::kUpdate, item, similarity, now);
  store_.update(memory);

  IngestResult result;
  result.decision = IngestDecision::kUpdate;
  result.memory_id = memory.id;
  result.similarity = similarity;
  result.reason = fmt::format(
      "Appended to an existing memory because the text adds to it (similarity {:.3f}, between "
      "{:.2f} and {:.2f}) without contradicting it.",
      similarity, options_.related_threshold, options_.reinforce_threshold);
  return result;
}

IngestResult IngestGate::supersede(const IngestItem& item, Embedding embedding, Memory old,
                                   double similarity, std::optional<double> nearest,
                                   std::string reason, Timestamp now) {
  const IngestResult created = create(item, std::move(embedding), nearest, now);

  Memory previous = stored_row(store_, old.id, "supersede");
  previous.engine.superseded_by = created.memory_id;
  previous.engine = demote(previous.engine);
  store_.update(previous);
  // The stability half of the demotion, so that the old memory also falls due
  // (and fades) sooner; a never-reviewed state has no stability to halve.
  if (std::optional<SchedulingState> scheduling = store_.get_scheduling(previous.id)) {
    store_.upsert_scheduling(demote(*scheduling, scheduler_));
  }

  Edge edge;
  edge.source_id = created.memory_id;
  edge.target_id = previous.id;
  edge.edge_type = std::string(kSupersedesEdge);
  edge.metadata = {{"similarity", similarity}};
  edge.created_at = now;
  store_.add_edge(edge);

  IngestResult result;
  result.decision = IngestDecision::kSupersede;
  result.memory_id = created.memory_id;
  result.similarity = similarity;
  result.superseded_id = previous.id;
  result.reason = std::move(reason);
  return result;
}

std::vector<IngestResult> IngestGate::ingest_batch(std::span<const IngestItem> items,
                                                   Timestamp now) {
  if (items.size() > kMaxBatchItems) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("ingest: a batch holds at most {} items, got {}; split it into "
                            "several batches",
                            kMaxBatchItems, items.size()));
  }
  for (const IngestItem& item : items) validate(item);

  std::vector<IngestResult> results;
  results.reserve(items.size());
  for (const IngestItem& item : items) results.push_back(ingest(item, now));

  std::map<std::string, Uuid> previous_in_session;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].session_id) continue;
    const Uuid& current = results[i].memory_id;
    auto [it, first] = previous_in_session.try_emplace(*items[i].session_id, current);
    if (first) continue;
    // Two items that landed in one memory (a reinforce) need no link, and the
    // store refuses self-loops.
    if (it->second != current) {
      Edge edge;
      edge.source_id = it->second;
      edge.target_id = current;
      edge.edge_type = std::string(kTemporalEdge);
      edge.metadata = {{"session_id", *items[i].session_id}};
      edge.created_at = now;
      store_.add_edge(edge);
    }
    it->second = current;
  }
  return results;
}

}  // namespace vestige::engine
