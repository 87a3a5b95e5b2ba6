#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vestige {

// All times in Vestige are UTC with microsecond precision: the precision of a
// PostgreSQL timestamptz, so a time survives a round trip through either backend.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The current UTC time, truncated to microseconds.
Timestamp now_utc();

// RFC 3339 in UTC with six fractional digits, e.g. "2026-11-24T09:30:00.000000Z".
// The width is fixed, so formatted timestamps sort like the times they denote.
std::string format_timestamp(Timestamp t);

// Parses RFC 3339 / ISO 8601 date-times: "2026-11-24T09:30:00Z",
// "2026-11-24 09:30:00.5+02:00", "2026-11-24T09:30:00" (taken as UTC).
// Returns nullopt for anything else.
std::optional<Timestamp> parse_timestamp(std::string_view text);

std::int64_t to_unix_micros(Timestamp t);
Timestamp from_unix_micros(std::int64_t micros);

// Elapsed time in (fractional) days; negative when `to` is before `from`.
double days_between(Timestamp from, Timestamp to);

}  // namespace vestige
