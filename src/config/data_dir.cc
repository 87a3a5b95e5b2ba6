#include "vestige/config.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include "vestige/error.h"

namespace vestige {

namespace {

namespace fs = std::filesystem;

// Memories are private: the directory holding the database is owner-only.
constexpr mode_t kDataDirMode = 0700;

[[noreturn]] void fail(std::string_view what, const fs::path& path, int error) {
  throw Error(ErrorCode::kInit,
              fmt::format("cannot {} data directory {}: {}", what, path.string(),
                          std::error_code(error, std::generic_category()).message()));
}

// mkdir -p, but every directory it creates gets kDataDirMode from the start:
// creating with the default mode and tightening afterwards would leave a
// window in which another user could open it.
void make_owner_only_directories(const fs::path& path) {
  fs::path prefix;
  for (const fs::path& part : path) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), kDataDirMode) == 0 || errno == EEXIST) continue;
    fail("create", path, errno);
  }
}

}  // namespace

void ensure_data_dir(const Config& config) {
  const fs::path& path = config.data_dir;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    // ENOTDIR: a file where a parent should be; mkdir names the culprit better.
    if (errno != ENOENT && errno != ENOTDIR) fail("inspect", path, errno);
    make_owner_only_directories(path);
    if (::stat(path.c_str(), &st) != 0) fail("inspect", path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    throw Error(ErrorCode::kInit,
                fmt::format("cannot use {} as the data directory: it exists and is not a "
                            "directory; remove it or choose another --data-dir",
                            path.string()));
  }
  // The umask may have cleared owner bits at creation, and an existing
  // directory may be group- or world-readable: set the mode exactly.
  if ((st.st_mode & 07777) != kDataDirMode && ::chmod(path.c_str(), kDataDirMode) != 0) {
    fail("set mode 0700 on", path, errno);
  }
}

}  // namespace vestige
