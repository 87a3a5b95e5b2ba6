#include "store/sqlite/term_stats.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <memory>

namespace vestige::sqlite {

namespace {

fts5_api* fts5_api_of(Database& db) {
  // The documented way to reach FTS5's C API: fts5(?1) writes it through a
  // pointer bound with the "fts5_api_ptr" type.
  fts5_api* api = nullptr;
  Statement select = db.prepare("SELECT fts5(?1)");
  db.check(
      sqlite3_bind_pointer(select.handle(), 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr),
      "binding the fts5_api pointer");
  select.step();
  if (api == nullptr) throw Error(ErrorCode::kBackend, "this SQLite has no FTS5");
  return api;
}

// Per-statement state of vestige_bm25, computed on its first row.
struct Bm25Data {
  int first = 0;
  double avgdl = 0.0;
  std::vector<double> idf;
  std::vector<double> frequency;  // per phrase, reused row to row
};

int count_rows(const Fts5ExtensionApi*, Fts5Context*, void* user) {
  ++*static_cast<std::int64_t*>(user);
  return SQLITE_OK;
}

int bm25_data(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_value** args, Bm25Data& data) {
  data.first = sqlite3_value_int(args[0]);
  const int phrases = api->xPhraseCount(fts);
  if (data.first < 0 || data.first > phrases) return SQLITE_ERROR;
  sqlite3_int64 rows = 0, tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) return rc;
  data.avgdl = static_cast<double>(tokens) / static_cast<double>(rows);
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[1]));
  std::string_view frequencies(text ? text : "");
  for (int i = data.first; i < phrases; ++i) {
    std::int64_t hits = -1;
    const std::size_t comma = std::min(frequencies.find(','), frequencies.size());
    std::from_chars(frequencies.data(), frequencies.data() + comma, hits);
    frequencies.remove_prefix(std::min(comma + 1, frequencies.size()));
    if (hits < 0) {
      hits = 0;
      rc = api->xQueryPhrase(fts, i, &hits, count_rows);
      if (rc != SQLITE_OK) return rc;
    }
    // As FTS5's bm25, term for term, so the scores agree to the last bit.
    double idf = std::log((rows - hits + 0.5) / (hits + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    data.idf.push_back(idf);
  }
  data.frequency.assign(data.idf.size(), 0.0);
  return SQLITE_OK;
}

void bm25_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context,
                   int argc, sqlite3_value** args) {
  if (argc < 2) {
    sqlite3_result_error(context, "vestige_bm25: needs the first phrase and the frequencies", -1);
    return;
  }
  auto* data = static_cast<Bm25Data*>(api->xGetAuxdata(fts, 0));
  if (data == nullptr) {
    auto fresh = std::make_unique<Bm25Data>();
    const int rc = bm25_data(api, fts, args, *fresh);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(context, rc);
      return;
    }
    data = fresh.get();
    const int set =
        api->xSetAuxdata(fts, fresh.release(), [](void* p) { delete static_cast<Bm25Data*>(p); });
    if (set != SQLITE_OK) {
      sqlite3_result_error_code(context, set);
      return;
    }
  }
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;
  const int weights = argc - 2;
  sqlite3_value** weight = args + 2;
  std::fill(data->frequency.begin(), data->frequency.end(), 0.0);
  int instances = 0;
  int rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase >= data->first) {
      data->frequency[static_cast<std::size_t>(phrase - data->first)] +=
          weights > column ? sqlite3_value_double(weight[column]) : 1.0;
    }
  }
  int size = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &size);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(context, rc);
    return;
  }
  const double length = static_cast<double>(size);
  double score = 0.0;
  for (std::size_t i = 0; i < data->idf.size(); ++i) {
    const double f = data->frequency[i];
    score += data->idf[i] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * length / data->avgdl)));
  }
  sqlite3_result_double(context, -1.0 * score);
}

int collect_token(void* user, int, const char* token, int size, int, int) {
  static_cast<std::vector<std::string>*>(user)->emplace_back(token, static_cast<std::size_t>(size));
  return SQLITE_OK;
}

}  // namespace

TermStats::TermStats(Database& db) : db_(db) {
  fts5_api* api = fts5_api_of(db_);
  db_.check(api->xCreateFunction(api, kBm25Function.data(), nullptr, bm25_function, nullptr),
            "registering vestige_bm25");
  // The same tokenizer as knowledge_nodes_fts ('porter unicode61'), asked
  // rather than imitated, so a query token is exactly what was indexed.
  void* user = nullptr;
  db_.check(api->xFindTokenizer(api, "porter", &user, &tokenizer_api_),
            "finding the porter tokenizer");
  const char* args[] = {"unicode61"};
  db_.check(tokenizer_api_.xCreate(user, args, 1, &tokenizer_), "creating the porter tokenizer");
}

TermStats::~TermStats() {
  if (tokenizer_ != nullptr) tokenizer_api_.xDelete(tokenizer_);
}

std::vector<std::string> TermStats::tokens(std::string_view word) {
  std::vector<std::string> out;
  db_.check(tokenizer_api_.xTokenize(tokenizer_, &out, FTS5_TOKENIZE_QUERY, word.data(),
                                     static_cast<int>(word.size()), collect_token),
            "tokenizing a query word");
  return out;
}

void TermStats::forget_if_changed() {
  // Counting a token's memories walks its whole posting list (about as slow
  // as the search this saves for a common word), so counts are kept until
  // the index may have changed: another connection committed (data_version)
  // or this one wrote (total_changes).
  const std::int64_t data_version = db_.data_version();
  const std::int64_t total_changes = sqlite3_total_changes64(db_.handle());
  if (data_version != data_version_ || total_changes != total_changes_) frequencies_.clear();
  data_version_ = data_version;
  total_changes_ = total_changes;
}

std::int64_t TermStats::document_frequency(const std::string& token) {
  if (!vocabulary_created_) {
    // Temporary, so the schema does not change and a read-only connection
    // can create it too; the row vocabulary counts memories, not occurrences.
    db_.exec(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vestige_fts_vocab "
        "USING fts5vocab(main, knowledge_nodes_fts, 'row')");
    vocabulary_created_ = true;
  }
  if (const auto it = frequencies_.find(token); it != frequencies_.end()) return it->second;
  Statement select = db_.prepare("SELECT doc FROM temp.vestige_fts_vocab WHERE term = ?1");
  select.bind(1, token);
  const std::int64_t frequency = select.step() ? select.column_int64(0) : 0;
  frequencies_.emplace(token, frequency);
  return frequency;
}

}  // namespace vestige::sqlite
