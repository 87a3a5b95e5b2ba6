#pragma once

// The vector index snapshot file, `<database>.hnsw`: lets a process start
// from the index another process (or an earlier run) built instead of
// rebuilding it, then catch up from the vector change log.
//
// Layout (little-endian, 48-byte header, then hnswlib's serialised index):
//   0  magic "VSTHNSW\0"     8 bytes
//   8  format version        u32 (1)
//   12 dimension             u32
//   16 live vectors          u64
//   24 last vector_log.log_seq applied   i64
//   32 payload size          u64 (bytes after the header)
//   40 payload FNV-1a 64     u64
// The checksum matters: hnswlib trusts its input and a torn or damaged file
// would make it allocate or read at random.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace vestige::sqlite {

struct SnapshotHeader {
  std::uint32_t dimension = 0;
  std::uint64_t vectors = 0;
  std::int64_t log_seq = 0;
};

struct Snapshot {
  SnapshotHeader header;
  std::string payload;
};

// Writes the snapshot through a temporary file (mode 0600) in the same
// directory and renames it into place, so readers see the old file or the
// new one, never a mix. Throws std::system_error.
void write_snapshot(const std::filesystem::path& path, const SnapshotHeader& header,
                    std::span<const char> payload);

// nullopt when there is no file; throws std::runtime_error when the file is
// not a complete, intact snapshot of this format.
std::optional<Snapshot> read_snapshot(const std::filesystem::path& path);

}  // namespace vestige::sqlite
