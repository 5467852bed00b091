#include "common/test_faults.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace pulse {
namespace {

constexpr std::int64_t kMaxDelayMs = 60'000;
constexpr std::int64_t kRereadMs = 1000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A whole number in [0, max], or -1.
std::int64_t number(std::string_view text, std::int64_t max) {
  std::int64_t value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) return -1;
  return value;
}

std::string readFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return {};
  char text[512] = {};
  const std::size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  return std::string(text, n);
}

}  // namespace

TestFaults parseTestFaults(std::string_view text) {
  TestFaults faults;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    if (name == "packet_delay_ms") {
      if (auto v = number(value, kMaxDelayMs); v >= 0) faults.packet_delay_ms = v;
    } else if (name == "packet_jitter_ms") {
      if (auto v = number(value, kMaxDelayMs); v >= 0) faults.packet_jitter_ms = v;
    } else if (name == "packet_duplicate_percent") {
      if (auto v = number(value, 100); v >= 0)
        faults.packet_duplicate_percent = static_cast<int>(v);
    } else if (name == "fsync_delay_ms") {
      if (auto v = number(value, kMaxDelayMs); v >= 0) faults.fsync_delay_ms = v;
    }
  }
  return faults;
}

TestFaults currentTestFaults() {
  static const std::string path = [] {
    const char* p = std::getenv("PULSE_TEST_FAULTS_FILE");
    return std::string(p ? p : "");
  }();
  if (path.empty()) return {};
  static std::mutex mutex;
  static TestFaults faults;
  static std::int64_t read_at = INT64_MIN;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::lock_guard lock(mutex);
  if (read_at == INT64_MIN || now - read_at >= kRereadMs) {
    faults = parseTestFaults(readFile(path));
    read_at = now;
  }
  return faults;
}

}  // namespace pulse
