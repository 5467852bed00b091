#include "common/wall_clock.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace pulse {
namespace {

constexpr std::int64_t kMaxOffsetSeconds = 100LL * 366 * 24 * 3600;
constexpr std::int64_t kRereadMs = 1000;

std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t readOffsetSeconds(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return 0;  // no file: no offset
  char text[64] = {};
  const std::size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  text[n] = '\0';
  return parseClockOffsetSeconds(text);
}

// The offset in force: re-read when the last reading is older than kRereadMs. Two threads may
// both re-read; each stores what the file said, so either result is right.
std::int64_t offsetMs() {
  static const std::string path = [] {
    const char* p = std::getenv("PULSE_TEST_WALL_CLOCK_OFFSET_FILE");
    return std::string(p ? p : "");
  }();
  if (path.empty()) return 0;
  static std::atomic<std::int64_t> offset{0};
  static std::atomic<std::int64_t> read_at{INT64_MIN};
  const std::int64_t now = steadyMs();
  const std::int64_t last = read_at.load(std::memory_order_relaxed);
  if (last == INT64_MIN || now - last >= kRereadMs) {
    offset.store(readOffsetSeconds(path) * 1000, std::memory_order_relaxed);
    read_at.store(now, std::memory_order_relaxed);
  }
  return offset.load(std::memory_order_relaxed);
}

}  // namespace

std::int64_t parseClockOffsetSeconds(const char* text) {
  const char* p = text;
  while (std::isspace(static_cast<unsigned char>(*p))) ++p;
  bool negative = false;
  if (*p == '+' || *p == '-') negative = *p++ == '-';
  if (!std::isdigit(static_cast<unsigned char>(*p))) return 0;
  std::int64_t value = 0;
  for (; std::isdigit(static_cast<unsigned char>(*p)); ++p) {
    value = value * 10 + (*p - '0');
    if (value > kMaxOffsetSeconds) return 0;
  }
  while (std::isspace(static_cast<unsigned char>(*p))) ++p;
  if (*p != '\0') return 0;
  return negative ? -value : value;
}

std::int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         offsetMs();
}

}  // namespace pulse
