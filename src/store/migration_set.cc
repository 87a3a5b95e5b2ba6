#include "store/migration_set.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "vestige/error.h"

namespace vestige {

namespace {

struct FileName {
  int version = 0;
  std::string name;
  bool up = true;
};

// "0001_initial.up.sql" -> {1, "initial", up}; nullopt when it does not follow
// the pattern NNNN_name.(up|down).sql.
std::optional<FileName> parse_file_name(std::string_view file) {
  FileName out;
  std::string_view rest;
  if (file.ends_with(".up.sql")) {
    rest = file.substr(0, file.size() - std::string_view(".up.sql").size());
  } else if (file.ends_with(".down.sql")) {
    rest = file.substr(0, file.size() - std::string_view(".down.sql").size());
    out.up = false;
  } else {
    return std::nullopt;
  }
  const auto underscore = rest.find('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == rest.size()) {
    return std::nullopt;
  }
  const auto digits = rest.substr(0, underscore);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.version);
  if (ec != std::errc() || end != digits.data() + digits.size() || out.version < 1) {
    return std::nullopt;
  }
  out.name = std::string(rest.substr(underscore + 1));
  return out;
}

[[noreturn]] void bad_build(const std::string& what) {
  throw Error(ErrorCode::kInit,
              fmt::format("this build's schema migrations are inconsistent: {}; the binary "
                          "is broken, use an official build of Vestige",
                          what));
}

std::string short_hash(const std::string& checksum) {
  return checksum.substr(0, 12);
}

}  // namespace

std::string Migration::label() const {
  return fmt::format("{:04}_{}", version, name);
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::kInit, "OpenSSL could not compute a SHA-256 checksum");
  }
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// ---- MigrationSet -----------------------------------------------------------

MigrationSet MigrationSet::parse(std::span<const EmbeddedFile> files) {
  struct Pair {
    std::string name;
    std::optional<std::string_view> up;
    std::optional<std::string_view> down;
  };
  std::map<int, Pair> by_version;
  for (const auto& file : files) {
    const auto parsed = parse_file_name(file.name);
    if (!parsed) {
      bad_build(
          fmt::format("\"{}\" is not named NNNN_name.up.sql or NNNN_name.down.sql", file.name));
    }
    auto& pair = by_version[parsed->version];
    if (pair.name.empty()) pair.name = parsed->name;
    if (pair.name != parsed->name) {
      bad_build(fmt::format("version {} is named both \"{}\" and \"{}\"", parsed->version,
                            pair.name, parsed->name));
    }
    auto& slot = parsed->up ? pair.up : pair.down;
    if (slot) bad_build(fmt::format("\"{}\" appears twice", file.name));
    slot = file.content;
  }

  MigrationSet set;
  int expected = 1;
  for (const auto& [version, pair] : by_version) {
    const auto label = fmt::format("{:04}_{}", version, pair.name);
    if (version != expected) {
      bad_build(fmt::format("versions must be contiguous from 1, but {} follows {}", label,
                            expected - 1));
    }
    if (!pair.up) bad_build(fmt::format("{} has a down script but no up script", label));
    if (!pair.down) bad_build(fmt::format("{} has an up script but no down script", label));
    set.migrations_.push_back(
        Migration{version, pair.name, *pair.up, *pair.down, sha256_hex(*pair.up)});
    ++expected;
  }
  return set;
}

int MigrationSet::latest_version() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

const Migration* MigrationSet::find(int version) const {
  if (version < 1 || version > latest_version()) return nullptr;
  return &migrations_[static_cast<std::size_t>(version - 1)];
}

int MigrationSet::current_version(std::span<const LedgerRow> ledger) {
  std::vector<int> applied;
  for (const auto& row : ledger) {
    if (row.success) applied.push_back(row.version);
  }
  std::sort(applied.begin(), applied.end());
  int version = 0;
  for (int v : applied) {
    if (v != version + 1) break;
    version = v;
  }
  return version;
}

std::vector<MigrationStatus> MigrationSet::status(std::span<const LedgerRow> ledger) const {
  std::map<int, const LedgerRow*> rows;
  for (const auto& row : ledger) rows[row.version] = &row;

  std::vector<MigrationStatus> out;
  for (const auto& m : migrations_) {
    MigrationStatus s;
    s.version = m.version;
    s.name = m.name;
    if (const auto it = rows.find(m.version); it != rows.end()) {
      const LedgerRow& row = *it->second;
      s.applied = true;
      s.applied_at = row.applied_at;
      s.success = row.success;
      s.checksum_ok = row.checksum == m.checksum;
      rows.erase(it);
    }
    out.push_back(std::move(s));
  }
  for (const auto& [version, row] : rows) {
    out.push_back(MigrationStatus{.version = version,
                                  .name = row->name,
                                  .applied = true,
                                  .applied_at = row->applied_at,
                                  .success = row->success,
                                  .checksum_ok = false});
  }
  return out;
}

void MigrationSet::reject_unknown_versions(std::span<const LedgerRow> ledger) const {
  for (const auto& row : ledger) {
    if (!find(row.version)) {
      throw Error(ErrorCode::kInit,
                  fmt::format("this database was created by a newer Vestige: its schema ledger "
                              "records migration {} ({}), but this build knows migrations up to "
                              "{} only. Upgrade Vestige, or use the newer build to run "
                              "`vestige db revert --to {}` first (that destroys what the newer "
                              "migrations added)",
                              row.version, row.name, latest_version(), latest_version()));
    }
  }
}

void MigrationSet::check_ledger(std::span<const LedgerRow> ledger) const {
  check_rows(ledger);
  const int current = current_version(ledger);
  for (const auto& row : ledger) {
    if (row.version > current) {
      throw Error(ErrorCode::kInit,
                  fmt::format("the schema ledger is inconsistent: migration {} is recorded as "
                              "applied but migration {} is not. The schema_migrations table was "
                              "edited by hand; restore the database from a backup",
                              find(row.version)->label(), current + 1));
    }
  }
}

void MigrationSet::check_rows(std::span<const LedgerRow> rows) const {
  reject_unknown_versions(rows);
  for (const auto& row : rows) {
    const Migration& m = *find(row.version);
    if (!row.success) {
      throw Error(
          ErrorCode::kInit,
          fmt::format("schema migration {} failed at {} and the schema ledger still "
                      "records the failed attempt, so Vestige will not start on this "
                      "database. Fix the cause (the error was reported when it failed; "
                      "run `vestige db migrate` to see it again after the next step), "
                      "then run `vestige db revert --to {}` or delete the failed row "
                      "(DELETE FROM schema_migrations WHERE version = {}), and migrate "
                      "again",
                      m.label(), format_timestamp(row.applied_at), row.version - 1, row.version));
    }
    if (row.checksum != m.checksum) {
      throw Error(ErrorCode::kInit,
                  fmt::format("schema migration {} was applied from a script whose checksum "
                              "({}...) differs from the one shipped in this build ({}...): the "
                              "database was migrated by a different build of Vestige. Use the "
                              "build that migrated it, or export with that build and import into "
                              "a new database. Shipped migrations must never be edited; changes "
                              "go into a new numbered migration",
                              m.label(), short_hash(row.checksum), short_hash(m.checksum)));
    }
  }
}

// ---- MigrationRunner --------------------------------------------------------

MigrationRunner::MigrationRunner(const MigrationSet& set, MigrationBackend& backend)
    : set_(set), backend_(backend) {}

std::vector<MigrationStatus> MigrationRunner::status() {
  return set_.status(backend_.read_ledger());
}

int MigrationRunner::checked_version() {
  const auto ledger = backend_.read_ledger();
  set_.check_ledger(ledger);
  return MigrationSet::current_version(ledger);
}

std::vector<int> MigrationRunner::migrate(std::optional<int> target) {
  const int latest = set_.latest_version();
  const int goal = target.value_or(latest);
  if (goal < 0 || goal > latest) {
    throw Error(
        ErrorCode::kInvalidInput,
        fmt::format("cannot migrate to version {}: this build ships schema versions 0 to {}", goal,
                    latest));
  }
  std::vector<int> applied;
  for (int version = checked_version() + 1; version <= goal; ++version) {
    apply(*set_.find(version), applied);
  }
  return applied;
}

void MigrationRunner::apply(const Migration& migration, std::vector<int>& applied) {
  bool ran_script = false;
  bool already_applied = false;
  try {
    backend_.transaction([&](MigrationTransaction& tx) {
      // Another process may have migrated between our read of the ledger and
      // taking the lock; its row decides. (The rows before it were checked
      // as this one: one at a time, each applied by its own transaction.)
      if (const auto row = tx.ledger_row(migration.version)) {
        set_.check_rows(std::span(&*row, 1));
        already_applied = true;
        return;
      }
      ran_script = true;
      tx.execute(migration.up);
      tx.write_ledger_row(
          LedgerRow{migration.version, migration.name, migration.checksum, now_utc(), true});
    });
  } catch (const Error& e) {
    if (!ran_script) throw;
    std::string recorded = "The ledger records the failed attempt";
    try {
      backend_.transaction([&](MigrationTransaction& tx) {
        tx.write_ledger_row(
            LedgerRow{migration.version, migration.name, migration.checksum, now_utc(), false});
      });
    } catch (const Error& record_error) {
      recorded =
          fmt::format("Recording the failure in the ledger failed too ({})", record_error.what());
    }
    throw Error(ErrorCode::kInit,
                fmt::format("schema migration {} failed and was rolled back: {}. {}; fix the "
                            "cause, then run `vestige db revert --to {}` (or delete the failed "
                            "row of version {} from schema_migrations) and migrate again",
                            migration.label(), e.what(), recorded, migration.version - 1,
                            migration.version));
  }
  if (!already_applied) applied.push_back(migration.version);
}

std::vector<int> MigrationRunner::revert(int target) {
  const int latest = set_.latest_version();
  if (target < 0 || target > latest) {
    throw Error(ErrorCode::kInvalidInput,
                fmt::format("cannot revert to version {}: this build ships schema versions 0 to {}",
                            target, latest));
  }
  auto ledger = backend_.read_ledger();
  set_.reject_unknown_versions(ledger);
  std::sort(ledger.begin(), ledger.end(),
            [](const LedgerRow& a, const LedgerRow& b) { return a.version > b.version; });

  std::vector<int> reverted;
  for (const auto& row : ledger) {
    if (row.version <= target) break;
    const Migration& migration = *set_.find(row.version);
    bool removed = false;
    try {
      backend_.transaction([&](MigrationTransaction& tx) {
        const auto current = tx.ledger_row(migration.version);
        if (!current) return;  // reverted by another process meanwhile
        // A failed attempt was rolled back, so there is nothing to undo.
        if (current->success) tx.execute(migration.down);
        tx.delete_ledger_row(migration.version);
        removed = true;
      });
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("reverting schema migration {} failed and was rolled "
                                        "back, so the schema is at version {}: {}",
                                        migration.label(), migration.version, e.what()));
    }
    if (removed) reverted.push_back(migration.version);
  }
  return reverted;
}

}  // namespace vestige
