#include "vestige/uuid.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "vestige/clock.h"

namespace vestige {

Uuid Uuid::generate_v7() {
  std::array<std::uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    throw std::runtime_error("the system random number generator failed");
  }
  const std::int64_t micros = to_unix_micros(now_utc());
  const std::uint64_t millis = static_cast<std::uint64_t>(micros / 1000);
  // RFC 9562 method 3: rand_a carries the sub-millisecond fraction in 12 bits.
  const std::uint16_t sub_ms = static_cast<std::uint16_t>((micros % 1000) * 4096 / 1000);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | (sub_ms >> 8));
  b[7] = static_cast<std::uint8_t>(sub_ms & 0xff);
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // RFC 4122 variant
  return Uuid(b);
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<std::uint8_t, 16> b{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(text[i]);
    const int lo = i + 1 < text.size() ? nibble(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    b[out++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return Uuid(b);
}

std::string Uuid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes_[i] >> 4]);
    s.push_back(kHex[bytes_[i] & 0xf]);
  }
  return s;
}

bool Uuid::is_nil() const {
  for (auto byte : bytes_) {
    if (byte != 0) return false;
  }
  return true;
}

}  // namespace vestige

std::size_t std::hash<vestige::Uuid>::operator()(const vestige::Uuid& id) const noexcept {
  // The last 8 bytes are random in a v7 id, which makes them a good hash.
  std::size_t h = 0;
  for (int i = 8; i < 16; ++i) h = (h << 8) | id.bytes()[i];
  for (int i = 0; i < 8; ++i) h ^= static_cast<std::size_t>(id.bytes()[i]) << (8 * i);
  return h;
}
