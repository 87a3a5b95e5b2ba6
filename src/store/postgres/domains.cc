// MemoryStore's domains (topical clusters; CRUD only for now).

#include <fmt/format.h>

#include "store/postgres/pg_memory_store.h"
#include "store/postgres/rows.h"

namespace vestige::postgres {

namespace {

std::string domain_columns() {
  return fmt::format("id, label, centroid, metadata, {}, {}", utc_text("created_at"),
                     utc_text("updated_at"));
}

Domain read_domain(const Result& r, int row) {
  return Domain{std::string(r.text(row, 0)), std::string(r.text(row, 1)),
                optional_vector(r, row, 2),  json_value(r.text(row, 3)),
                time_value(r.text(row, 4)),  time_value(r.text(row, 5))};
}

}  // namespace

Domain PgMemoryStore::upsert_domain(const Domain& domain) {
  if (domain.id.empty()) throw Error(ErrorCode::kInvalidInput, "a domain needs an id");
  require_text(domain.id, "a domain's id");
  require_text(domain.label, "a domain's label");
  require_json_object(domain.metadata, "a domain's metadata");
  // Centroids are stored as given: domains are reserved (CRUD only), nothing
  // searches them, so they are not held to the model registry yet.
  if (domain.centroid) validate_vector(*domain.centroid, "the domain's centroid");
  const auto metadata = json_text(domain.metadata, "a domain's metadata");
  return write([&](Connection& conn) {
    const Timestamp now = now_utc();
    const Result r = conn.exec(
        fmt::format(R"sql(
      INSERT INTO domains (id, label, centroid, metadata, created_at, updated_at)
      VALUES ($1, $2, $3::vector, $4::jsonb, $5::timestamptz, $6::timestamptz)
      ON CONFLICT (id) DO UPDATE SET
        label = excluded.label, centroid = excluded.centroid, metadata = excluded.metadata,
        updated_at = excluded.updated_at
      RETURNING {}
    )sql",
                    domain_columns()),
        Params()
            .text(domain.id)
            .text(domain.label)
            .optional_vector(domain.centroid)
            .text(metadata)
            .text(format_timestamp(domain.created_at == Timestamp{} ? now : domain.created_at))
            .text(format_timestamp(now)));
    return read_domain(r, 0);
  });
}

std::optional<Domain> PgMemoryStore::get_domain(const std::string& id) {
  return pool_->run([&](Connection& conn) -> std::optional<Domain> {
    const Result r = conn.exec(
        fmt::format("SELECT {} FROM domains WHERE id = $1", domain_columns()), Params().text(id));
    if (r.rows() == 0) return std::nullopt;
    return read_domain(r, 0);
  });
}

std::vector<Domain> PgMemoryStore::list_domains() {
  return pool_->run([&](Connection& conn) {
    // COLLATE "C": byte order, as the SQLite backend and std::string compare.
    const Result r = conn.exec(
        fmt::format("SELECT {} FROM domains ORDER BY id COLLATE \"C\"", domain_columns()));
    std::vector<Domain> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_domain(r, i));
    return out;
  });
}

bool PgMemoryStore::remove_domain(const std::string& id) {
  return write([&](Connection& conn) {
    return conn.exec("DELETE FROM domains WHERE id = $1", Params().text(id)).affected() > 0;
  });
}

}  // namespace vestige::postgres
