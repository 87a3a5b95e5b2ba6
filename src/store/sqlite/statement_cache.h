#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

// The prepared statements of one connection, kept for reuse: preparing costs
// more than running most of the store's statements. Not thread-safe, like the
// connection it belongs to.
class StatementCache {
 public:
  // A cached statement, reset (bindings cleared) when the lease ends. The
  // reset matters: a statement left between rows keeps its read snapshot
  // open, and the connection would stop seeing other processes' commits.
  // At most one lease per SQL text may be alive at a time.
  class Lease {
   public:
    explicit Lease(Statement& stmt) : stmt_(stmt) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { stmt_.reset(); }
    Statement& operator*() const { return stmt_; }
    Statement* operator->() const { return &stmt_; }

   private:
    Statement& stmt_;
  };

  explicit StatementCache(Database& db) : db_(db) {}

  Lease get(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) it = statements_.emplace(std::string(sql), db_.prepare(sql)).first;
    return Lease(it->second);
  }

 private:
  Database& db_;
  std::unordered_map<std::string, Statement> statements_;
};

}  // namespace vestige::sqlite
