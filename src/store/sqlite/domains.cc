// MemoryStore's domains (topical clusters; CRUD only for now).

#include <fmt/format.h>

#include "store/sqlite/memory_rows.h"
#include "store/sqlite/sqlite_memory_store.h"

namespace vestige::sqlite {

namespace {

constexpr std::string_view kDomainColumns = "id, label, centroid, metadata, created_at, updated_at";

Domain read_domain(const Statement& stmt) {
  return Domain{stmt.column_text(0),  stmt.column_text(1),  embedding_column(stmt, 2),
                json_column(stmt, 3), time_column(stmt, 4), time_column(stmt, 5)};
}

}  // namespace

Domain SqliteMemoryStore::upsert_domain(const Domain& domain) {
  if (domain.id.empty()) throw Error(ErrorCode::kInvalidInput, "a domain needs an id");
  require_json_object(domain.metadata, "a domain's metadata");
  // Centroids are stored as given: domains are reserved (CRUD only), nothing
  // searches them, so they are not held to the model registry yet.
  if (domain.centroid) validate_vector(*domain.centroid, "the domain's centroid");
  const auto metadata = json_text(domain.metadata, "a domain's metadata");
  std::lock_guard lock(mutex_);
  return write([&] {
    const Timestamp now = now_utc();
    auto stmt = statements_.get(fmt::format(R"sql(
      INSERT INTO domains (id, label, centroid, metadata, created_at, updated_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6)
      ON CONFLICT (id) DO UPDATE SET
        label = excluded.label, centroid = excluded.centroid, metadata = excluded.metadata,
        updated_at = excluded.updated_at
      RETURNING {}
    )sql",
                                            kDomainColumns));
    stmt->bind(1, domain.id).bind(2, domain.label);
    bind_embedding(*stmt, 3, domain.centroid);
    stmt->bind(4, metadata)
        .bind(5, format_timestamp(domain.created_at == Timestamp{} ? now : domain.created_at))
        .bind(6, format_timestamp(now));
    stmt->step();
    return read_domain(*stmt);
  });
}

std::optional<Domain> SqliteMemoryStore::get_domain(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(fmt::format("SELECT {} FROM domains WHERE id = ?1", kDomainColumns));
  stmt->bind(1, id);
  if (!stmt->step()) return std::nullopt;
  return read_domain(*stmt);
}

std::vector<Domain> SqliteMemoryStore::list_domains() {
  std::lock_guard lock(mutex_);
  auto stmt = statements_.get(fmt::format("SELECT {} FROM domains ORDER BY id", kDomainColumns));
  std::vector<Domain> out;
  while (stmt->step()) out.push_back(read_domain(*stmt));
  return out;
}

bool SqliteMemoryStore::remove_domain(const std::string& id) {
  std::lock_guard lock(mutex_);
  return write([&] {
    auto stmt = statements_.get("DELETE FROM domains WHERE id = ?1");
    stmt->bind(1, id);
    stmt->run();
    return db_.changes() > 0;
  });
}

}  // namespace vestige::sqlite
