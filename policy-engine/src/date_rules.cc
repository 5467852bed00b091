#include "date_rules.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

#include "policy-engine/xml_dates.h"

namespace pulse::pe {
namespace {

struct Civil {
  std::int64_t year;
  int month, day;
};

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : (a - b + 1) / b; }

Civil civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floorDiv(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = floorDiv(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(std::int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
int isoWeekday(std::int64_t days) {
  std::int64_t w = (days + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w) + 1;
}

int isoWeeksInYear(std::int64_t y) {
  int jan1 = isoWeekday(daysFromCivil(y, 1, 1));
  return (jan1 == 4 || (leap(y) && jan1 == 3)) ? 53 : 52;
}

// Values beyond an int are not numbers here, as in Pacemaker (so no
// arithmetic on them can overflow).
std::optional<std::int64_t> number(const std::string& text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return v;
}

// A date_spec field against its value: "7", "1-5", "9-" or "-3"; anything
// else (and an absent field) constrains nothing (pcmk__parse_ll_range).
bool fieldHolds(const Attributes& spec, const char* name, std::int64_t value) {
  auto it = spec.find(name);
  if (it == spec.end()) return true;
  const std::string& text = it->second;
  std::size_t dash = text.find('-', 1);
  std::optional<std::int64_t> low, high;
  if (text.size() > 1 && text.front() == '-') {
    high = number(text.substr(1));
    if (!high) return true;
  } else if (dash == std::string::npos) {
    low = high = number(text);
    if (!low) return true;
  } else {
    low = number(text.substr(0, dash));
    if (dash + 1 < text.size()) high = number(text.substr(dash + 1));
    if (!low || (dash + 1 < text.size() && !high)) return true;
  }
  return (!low || value >= *low) && (!high || value <= *high);
}

// Pacemaker's phase_of_the_moon(): 0 (new) to 7.
std::int64_t moonPhase(std::int64_t year, std::int64_t yday) {
  std::int64_t golden = (year % 19) + 1;
  std::int64_t epact = (11 * golden + 18) % 30;
  if ((epact == 25 && golden > 11) || epact == 24) ++epact;
  return ((((yday + epact) * 6) + 11) % 177) / 22 & 7;
}

bool dateSpecHolds(const Attributes& spec, std::int64_t now) {
  std::int64_t days = floorDiv(now, 86400);
  std::int64_t secs = now - days * 86400;
  Civil c = civilFromDays(days);
  std::int64_t yday = days - daysFromCivil(c.year, 1, 1) + 1;
  int weekday = isoWeekday(days);
  std::int64_t week_year = c.year;
  std::int64_t week = (yday - weekday + 10) / 7;
  if (week < 1) {
    --week_year;
    week = isoWeeksInYear(week_year);
  } else if (week > isoWeeksInYear(c.year)) {
    ++week_year;
    week = 1;
  }
  return fieldHolds(spec, "years", c.year) && fieldHolds(spec, "months", c.month) &&
         fieldHolds(spec, "monthdays", c.day) && fieldHolds(spec, "hours", secs / 3600) &&
         fieldHolds(spec, "minutes", (secs % 3600) / 60) &&
         fieldHolds(spec, "seconds", secs % 60) && fieldHolds(spec, "yeardays", yday) &&
         fieldHolds(spec, "weekyears", week_year) && fieldHolds(spec, "weeks", week) &&
         fieldHolds(spec, "weekdays", weekday) && fieldHolds(spec, "moon", moonPhase(c.year, yday));
}

// Pacemaker's pe_parse_xml_duration(): start plus each given field.
std::int64_t addDuration(std::int64_t start, const Attributes& duration) {
  auto field = [&](const char* name) {
    auto it = duration.find(name);
    return it == duration.end() ? 0 : number(it->second).value_or(0);
  };
  std::int64_t days = floorDiv(start, 86400);
  std::int64_t secs = start - days * 86400;
  Civil c = civilFromDays(days);
  std::int64_t months = c.month - 1 + field("months") + 12 * (c.year + field("years"));
  std::int64_t year = floorDiv(months, 12);
  int month = static_cast<int>(months - year * 12) + 1;
  int day = std::min(c.day, daysInMonth(year, month));
  days = daysFromCivil(year, month, day) + 7 * field("weeks") + field("days");
  return days * 86400 + secs + 3600 * field("hours") + 60 * field("minutes") + field("seconds");
}

}  // namespace

std::optional<std::int64_t> addIsoDuration(std::int64_t start, std::string_view duration) {
  if (duration.size() < 2 || duration.front() != 'P') return std::nullopt;
  std::string_view s = duration.substr(1);
  bool in_time = false;
  std::int64_t years = 0, months = 0, days = 0, seconds = 0;
  while (!s.empty()) {
    if (s.front() == 'T') {
      in_time = true;
      s.remove_prefix(1);
      continue;
    }
    std::size_t digits = 0;
    while (digits < s.size() && digits < 10 && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits == s.size()) return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(s.data(), s.data() + digits, n);
    const char unit = s[digits];
    s.remove_prefix(digits + 1);
    switch (unit) {
      case 'Y':
        years += n;
        break;
      case 'M':  // minutes after the 'T', months before it
        if (in_time) {
          seconds += n * 60;
        } else {
          months += n;
        }
        break;
      case 'W':
        days += n * 7;
        break;
      case 'D':
        days += n;
        break;
      case 'H':
        seconds += n * 3600;
        break;
      case 'S':
        seconds += n;
        break;
      default:
        return std::nullopt;
    }
  }
  std::int64_t day = floorDiv(start, 86400);
  const std::int64_t secs = start - day * 86400;
  Civil c = civilFromDays(day);
  if (years != 0) {
    const std::int64_t ordinal = day - daysFromCivil(c.year, 1, 1);
    const std::int64_t year = c.year + years;
    day = daysFromCivil(year, 1, 1) + std::min<std::int64_t>(ordinal, leap(year) ? 365 : 364);
    c = civilFromDays(day);
  }
  const std::int64_t month_index = c.month - 1 + months + 12 * c.year;
  const std::int64_t year = floorDiv(month_index, 12);
  const int month = static_cast<int>(month_index - year * 12) + 1;
  day = daysFromCivil(year, month, std::min(c.day, daysInMonth(year, month))) + days;
  return day * 86400 + secs + seconds;
}

bool dateExpressionHolds(const DateExpression& ex, std::int64_t now) {
  if (ex.operation == "gt") return ex.start && now > *ex.start;
  if (ex.operation == "lt") return ex.end && now < *ex.end;
  if (ex.operation == "date_spec") return dateSpecHolds(ex.date_spec, now);
  // in_range
  std::optional<std::int64_t> end = ex.end;
  if (ex.start && !end && !ex.duration.empty()) end = addDuration(*ex.start, ex.duration);
  if (!ex.start && !end) return false;
  if (ex.start && now < *ex.start) return false;
  if (end && now > *end) return false;
  return true;
}

}  // namespace pulse::pe
