#include "store/sqlite/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "vestige/error.h"

namespace vestige::sqlite {

namespace {

constexpr std::size_t kHeaderSize = 48;

std::uint64_t fnv1a(std::span<const char> bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

template <typename T>
void put(std::array<char, kHeaderSize>& out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof value);
}

template <typename T>
T get(std::span<const char> in, std::size_t offset) {
  T value;
  std::memcpy(&value, in.data() + offset, sizeof value);
  return value;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred close would swallow.
  void close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "close");
  }

 private:
  int fd_;
};

void write_all(int fd, std::span<const char> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "write");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

// Throws std::system_error.
void write_file(const std::filesystem::path& path, std::span<const char> head,
                std::span<const char> payload) {
  // mkstemp creates the file with mode 0600: stored vectors can be inverted
  // into text well enough to leak memories, and the text index holds the
  // memories' words, so they get the database's mode.
  std::string temp = path.string() + ".XXXXXX";
  FileDescriptor fd(::mkstemp(temp.data()));
  if (fd.get() < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "creating a file beside " + path.string());
  }
  try {
    write_all(fd.get(), head);
    write_all(fd.get(), payload);
    // Without the fsync a crash shortly after the rename can leave an empty
    // file under the final name; the checksum would catch it, but at the
    // price of a rebuild.
    if (::fsync(fd.get()) != 0) throw std::system_error(errno, std::generic_category(), "fsync");
    fd.close();
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      throw std::system_error(errno, std::generic_category(), "rename");
    }
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

}  // namespace

std::optional<std::filesystem::path> snapshot_path(Database& db, const SnapshotKind& kind) {
  const char* file = sqlite3_db_filename(db.handle(), "main");
  if (file == nullptr || *file == '\0') return std::nullopt;
  return std::string(file) + std::string(kind.suffix);
}

void write_snapshot(const std::filesystem::path& path, const SnapshotKind& kind,
                    const SnapshotHeader& header, std::span<const char> payload) {
  std::array<char, kHeaderSize> head{};
  std::memcpy(head.data(), kind.magic.data(), kind.magic.size());
  put(head, 8, kind.version);
  put(head, 12, header.parameter);
  put(head, 16, header.entries);
  put(head, 24, header.log_seq);
  put(head, 32, static_cast<std::uint64_t>(payload.size()));
  put(head, 40, fnv1a(payload));
  try {
    write_file(path, head, payload);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kBackend,
                fmt::format("cannot write the {} snapshot {}: {}. Search is not affected; the "
                            "next process to start rebuilds the index from the database instead "
                            "of loading it",
                            kind.name, path.string(), e.what()));
  }
}

std::optional<Snapshot> read_snapshot(const std::filesystem::path& path, const SnapshotKind& kind) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::system_error(errno, std::generic_category(), "open " + path.string());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done != bytes.size() || bytes.size() < kHeaderSize ||
      std::memcmp(bytes.data(), kind.magic.data(), kind.magic.size()) != 0) {
    throw std::runtime_error(fmt::format("not a {} snapshot", kind.name));
  }
  const std::span<const char> head(bytes.data(), kHeaderSize);
  if (get<std::uint32_t>(head, 8) != kind.version) {
    throw std::runtime_error(fmt::format("unsupported {} snapshot version", kind.name));
  }
  const std::span<const char> payload(bytes.data() + kHeaderSize, bytes.size() - kHeaderSize);
  if (get<std::uint64_t>(head, 32) != payload.size() ||
      get<std::uint64_t>(head, 40) != fnv1a(payload)) {
    throw std::runtime_error(fmt::format("the {} snapshot is truncated or damaged", kind.name));
  }
  Snapshot snapshot;
  snapshot.header.parameter = get<std::uint32_t>(head, 12);
  snapshot.header.entries = get<std::uint64_t>(head, 16);
  snapshot.header.log_seq = get<std::int64_t>(head, 24);
  snapshot.payload = bytes.substr(kHeaderSize);
  return snapshot;
}

}  // namespace vestige::sqlite
