#pragma once

// The snapshot files beside a database, `<database>.hnsw` (the vector index)
// and `<database>.text` (the full-text index): they let a process start from
// the index another process (or an earlier run) built instead of rebuilding
// it, then catch up from the index's change log.
//
// Layout (little-endian, 48-byte header, then the index's own serialisation):
//   0  magic                 8 bytes ("VSTHNSW\0", "VSTTEXT\0")
//   8  format version        u32 (1)
//   12 parameter             u32 (the vectors' dimension; 0 for text)
//   16 entries               u64 (vectors, or memories)
//   24 last change log position applied   i64
//   32 payload size          u64 (bytes after the header)
//   40 payload FNV-1a 64     u64
// The checksum matters: hnswlib trusts its input and a torn or damaged file
// would make it allocate or read at random.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/sqlite/database.h"

namespace vestige::sqlite {

// Which index a snapshot file holds.
struct SnapshotKind {
  std::array<char, 8> magic;
  std::uint32_t version;
  std::string_view suffix;  // after the database's file name
  std::string_view name;    // for messages
};
inline constexpr SnapshotKind kVectorSnapshot{
    {'V', 'S', 'T', 'H', 'N', 'S', 'W', '\0'}, 1, ".hnsw", "vector index"};
inline constexpr SnapshotKind kTextSnapshot{
    {'V', 'S', 'T', 'T', 'E', 'X', 'T', '\0'}, 1, ".text", "text index"};

struct SnapshotHeader {
  std::uint32_t parameter = 0;
  std::uint64_t entries = 0;
  std::int64_t log_seq = 0;
};

struct Snapshot {
  SnapshotHeader header;
  std::string payload;
};

// Where `db` keeps snapshots of `kind`: beside its file, as SQLite names it
// (absolute, symlinks as opened). None for in-memory and temporary
// databases, which have nowhere to keep one.
std::optional<std::filesystem::path> snapshot_path(Database& db, const SnapshotKind& kind);

// Writes the snapshot through a temporary file (mode 0600) in the same
// directory and renames it into place, so readers see the old file or the
// new one, never a mix. Throws Error(kBackend) naming the file when it
// cannot be written.
void write_snapshot(const std::filesystem::path& path, const SnapshotKind& kind,
                    const SnapshotHeader& header, std::span<const char> payload);

// nullopt when there is no file; throws std::runtime_error when the file is
// not a complete, intact snapshot of this kind and format.
std::optional<Snapshot> read_snapshot(const std::filesystem::path& path, const SnapshotKind& kind);

}  // namespace vestige::sqlite
