#include "policy-engine/xml_dates.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <string>

namespace pulse::pe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 4;
  return a > kMax - b ? kMax : a + b;
}

// Leap years among years 1..n of the Gregorian calendar.
std::int64_t leapYearsThrough(std::int64_t n) { return n / 4 - n / 100 + n / 400; }

// An ISO 8601 duration as Pacemaker 2.1.5 reads one (crm_time_parse_duration, then
// crm_time_get_seconds): a 'P', then amounts with units in any order; 'T' only tells minutes
// ('M' after it) from months ('M' before it), so "P10S" is ten seconds. Reading stops at '/' or
// white space. The seconds are Pacemaker's, quirks included, because the operation keys and
// fail-count expiry the scheduler prints follow from them: a month is 30 days, a week 7 days,
// but the days count from one (P1D is 0 s, P2D one day, P1W six days) and years count from
// year 1 (P1Y is 0 s, P2Y 365 days).
std::optional<std::int64_t> parseIso8601Duration(std::string_view s) {
  s.remove_prefix(1);
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  bool in_time = false;
  std::int64_t years = 0, months = 0, days = 0, seconds = 0;
  while (!s.empty() && s.front() != '/' && !std::isspace(static_cast<unsigned char>(s.front()))) {
    if (s.front() == 'T') {
      in_time = true;
      s.remove_prefix(1);
      continue;
    }
    // Pacemaker reads at most ten digits per amount.
    std::size_t digits = 0;
    while (digits < s.size() && digits < 10 && std::isdigit(static_cast<unsigned char>(s[digits])))
      ++digits;
    if (digits == 0 || digits == s.size()) return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(s.data(), s.data() + digits, n);
    char unit = s[digits];
    s.remove_prefix(digits + 1);
    switch (unit) {
      case 'Y':
        years = n;
        break;
      case 'M':
        if (in_time) {
          seconds = saturatingAdd(seconds, n * 60);
        } else {
          months = n;
        }
        break;
      case 'W':
        days = saturatingAdd(days, n * 7);
        break;
      case 'D':
        days = saturatingAdd(days, n);
        break;
      case 'H':
        seconds = saturatingAdd(seconds, n * 3600);
        break;
      case 'S':
        seconds = saturatingAdd(seconds, n);
        break;
      default:
        return std::nullopt;
    }
  }
  // Pacemaker calls a duration of nothing but zeros invalid and then uses 0 in its place.
  if (years == 0 && months == 0 && days == 0 && seconds == 0) return 0;
  // Amounts have at most ten digits each, but units may repeat: the sums saturate at about
  // 290 million years, far past any interval Pacemaker keeps (it caps them at 2^32-1 ms).
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000 / 2;
  constexpr std::int64_t kMaxDays = kMaxSeconds / 86400 / 2;
  years = std::min(years, kMaxDays / 366);
  months = std::min(months, kMaxDays / 30);
  days = std::min(days, kMaxDays);
  std::int64_t total = std::min(seconds, kMaxSeconds / 2);
  std::int64_t whole_days = 0;
  if (years > 1) whole_days += 365 * (years - 1) + leapYearsThrough(years - 1);
  if (months > 0) whole_days += months * 30;
  if (days > 0) whole_days += days - 1;
  return (total + std::min(whole_days, kMaxDays) * 86400) * 1000;
}

}  // namespace

std::optional<std::int64_t> parseDurationMs(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  if (s.front() == 'P') return parseIso8601Duration(s);
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  std::string_view unit = trim(s.substr(static_cast<std::size_t>(ptr - s.data())));
  if (unit.empty() || unit == "s" || unit == "sec") return n * 1000;
  if (unit == "ms" || unit == "msec") return n;
  if (unit == "us" || unit == "usec") return n / 1000;
  if (unit == "m" || unit == "min") return n * 60000;
  if (unit == "h" || unit == "hr") return n * 3600000;
  return std::nullopt;
}

std::optional<std::int64_t> parseEpochSeconds(std::string_view text) {
  std::string_view s = trim(text);
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

}  // namespace pulse::pe

namespace pulse::pe {
namespace {

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool readNumber(std::string_view& s, std::size_t digits, std::int64_t& out) {
  if (s.size() < digits) return false;
  std::int64_t v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  out = v;
  return true;
}

}  // namespace

std::optional<std::int64_t> parseIsoDateTime(std::string_view text) {
  std::string_view s = trim(text);
  std::int64_t year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!readNumber(s, 4, year)) return std::nullopt;
  if (s.empty() || s.front() != '-') return std::nullopt;
  s.remove_prefix(1);
  std::int64_t days = 0;
  std::size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 3) {
    std::int64_t ordinal = 0;
    readNumber(s, 3, ordinal);
    days = daysFromCivil(year, 1, 1) + ordinal - 1;
  } else {
    if (!readNumber(s, 2, month) || s.empty() || s.front() != '-') return std::nullopt;
    s.remove_prefix(1);
    if (!readNumber(s, 2, day)) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  }
  if (!s.empty() && (s.front() == 'T' || s.front() == ' ')) {
    s.remove_prefix(1);
    if (!readNumber(s, 2, hour)) return std::nullopt;
    if (!s.empty() && s.front() == ':') {
      s.remove_prefix(1);
      if (!readNumber(s, 2, minute)) return std::nullopt;
      if (!s.empty() && s.front() == ':') {
        s.remove_prefix(1);
        if (!readNumber(s, 2, second)) return std::nullopt;
      }
    }
  }
  s = trim(s);
  std::int64_t offset = 0;  // seconds east of UTC: "+02:00", "-0500", "+01"
  if (!s.empty() && (s.front() == 'Z' || s.front() == 'z')) {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    std::int64_t sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    std::int64_t oh = 0, om = 0;
    if (!readNumber(s, 2, oh)) return std::nullopt;
    if (!s.empty() && s.front() == ':') s.remove_prefix(1);
    if (!s.empty() && !readNumber(s, 2, om)) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  }
  if (!trim(s).empty()) return std::nullopt;
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

std::string formatIsoDateTime(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rem = t - days * 86400;
  // civil_from_days
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>((rem % 3600) / 60), static_cast<long long>(rem % 60));
  return buf;
}

}  // namespace pulse::pe
