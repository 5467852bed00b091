// Durations and times as the CIB writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulse::pe {

// "10", "10s", "500ms", "2min", "1h", "PT1M30S", "P10S" -> milliseconds. A bare
// number is seconds (Pacemaker's rule for intervals and timeouts); a leading 'P' is an
// ISO 8601 duration read as Pacemaker 2.1.5 reads one (crm_parse_interval_spec), its
// quirks included: units in any order, "P1D" is 0 s and "P1W" six days.
std::optional<std::int64_t> parseDurationMs(std::string_view text);

// execution-date: seconds since the epoch.
std::optional<std::int64_t> parseEpochSeconds(std::string_view text);

}  // namespace pulse::pe

namespace pulse::pe {

// ISO 8601 date and time as crm_simulate -t takes it: "2014-05-07 00:28:00",
// "2005-020T12:30" (ordinal), "2019-09-15T12:00:00Z", "2019-09-20 15:10:52 +02:00"
// (an offset from UTC; none means UTC) -> seconds since the epoch.
std::optional<std::int64_t> parseIsoDateTime(std::string_view text);

// "2022-04-01 17:57:38Z"
std::string formatIsoDateTime(std::int64_t epoch_seconds);

// The end of a period that starts at `start` (seconds since the epoch) and lasts `duration`, an
// ISO 8601 duration as crm_resource --lifetime reads and adds one: calendar years (the day of
// the year kept), calendar months (the day of the month cut to the month's length), then days
// (a week is seven) and seconds. Unlike an interval, "P1D" is one day. nullopt when `duration`
// is not one ("1h", "P1.5D", "p1d", "P").
std::optional<std::int64_t> addIsoDuration(std::int64_t start, std::string_view duration);

}  // namespace pulse::pe
