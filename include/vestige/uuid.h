#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vestige {

// A 128-bit UUID. Memory ids are version 7 (RFC 9562): the first 48 bits are
// the Unix time in milliseconds, so ids created later sort later and inserts
// append to B-tree indexes instead of scattering across them.
class Uuid {
 public:
  // The nil UUID (all zero).
  constexpr Uuid() = default;
  explicit constexpr Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // A new version 7 id. The 12 bits after the timestamp hold the sub-millisecond
  // fraction of the current time, so ids made by one process are ordered to the
  // microsecond; the remaining 62 bits are random (OpenSSL RAND_bytes).
  // Thread-safe.
  static Uuid generate_v7();

  // Parses the canonical 8-4-4-4-12 hex form (either case, optional braces are
  // not accepted). Returns nullopt for anything else.
  static std::optional<Uuid> parse(std::string_view text);

  // Canonical lowercase 8-4-4-4-12 form.
  std::string to_string() const;

  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  bool is_nil() const;
  int version() const { return bytes_[6] >> 4; }

  friend auto operator<=>(const Uuid&, const Uuid&) = default;
  friend bool operator==(const Uuid&, const Uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// The single-user default owner of every memory (product.md).
inline constexpr Uuid kBootstrapUserId{
    std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};

}  // namespace vestige

template <>
struct std::hash<vestige::Uuid> {
  std::size_t operator()(const vestige::Uuid& id) const noexcept;
};
