#include "store/sqlite/fts5_support.h"

#include <fmt/format.h>

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

void phrase_frequency(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context,
                      int argc, sqlite3_value** weight) {
  double frequency = 0.0;
  int instances = 0;
  int rc = api->xInstCount(fts, &instances);
  // Instance by instance in FTS5's order (column, then offset), as bm25 adds
  // them up, so the sum is the same to the last bit.
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase == 0) {
      frequency += argc > column ? sqlite3_value_double(weight[column]) : 1.0;
    }
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(context, rc);
    return;
  }
  sqlite3_result_double(context, frequency);
}

int collect_token(void* user, int, const char* token, int size, int, int) {
  static_cast<std::vector<std::string>*>(user)->emplace_back(token, static_cast<std::size_t>(size));
  return SQLITE_OK;
}

}  // namespace

TextTokenizer::TextTokenizer(Database& db) : db_(db) {
  fts5_api* api = fts5_api_of(db_);
  void* user = nullptr;
  db_.check(api->xFindTokenizer(api, "porter", &user, &api_), "finding the porter tokenizer");
  const char* args[] = {"unicode61"};
  db_.check(api_.xCreate(user, args, 1, &tokenizer_), "creating the porter tokenizer");
}

TextTokenizer::~TextTokenizer() {
  if (tokenizer_ != nullptr) api_.xDelete(tokenizer_);
}

std::vector<std::string> TextTokenizer::query_tokens(std::string_view word) {
  std::vector<std::string> out;
  tokenize(word, true, &out, collect_token);
  return out;
}

void TextTokenizer::tokenize(std::string_view text, bool query, void* user, Callback callback) {
  db_.check(api_.xTokenize(tokenizer_, user, query ? FTS5_TOKENIZE_QUERY : FTS5_TOKENIZE_DOCUMENT,
                           text.data(), static_cast<int>(text.size()), callback),
            query ? "tokenizing a query word" : "tokenizing a memory's text");
}

void register_phrase_frequency(Database& db) {
  fts5_api* api = fts5_api_of(db);
  db.check(api->xCreateFunction(api, kPhraseFrequencyFunction.data(), nullptr, phrase_frequency,
                                nullptr),
           "registering vestige_phrase_frequency");
}

}  // namespace vestige::sqlite
