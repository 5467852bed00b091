#include "common/log.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace pulse::crmd {
namespace {

// The length of the valid UTF-8 sequence of a printable character starting at text[i], or 0
// when the bytes there are not one (invalid, overlong, a surrogate, beyond U+10FFFF, or a
// character that must be escaped: the C1 controls and the line and paragraph separators).
std::size_t printableUtf8Length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xc0u) != 0x80u) return 0;
    code = (code << 6) | (byte(k) & 0x3fu);
  }
  const std::uint32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  if (code < smallest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  if (code <= 0x9f || code == 0x2028 || code == 0x2029) return 0;
  return length;
}

void appendHexEscape(std::string& out, unsigned char c) {
  constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

}  // namespace

std::string escapeForLog(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 16);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = printableUtf8Length(text, i);
      if (length > 0) {
        if (i + length > max_bytes) break;
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    if (i + 1 > max_bytes) break;
    ++i;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      appendHexEscape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < text.size()) out += "…(" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string logField(std::string_view text) {
  std::string field = "'";
  // escapeForLog leaves quotes alone; here one would end the field early.
  for (const char c : escapeForLog(text, kMaxLogFieldBytes)) {
    if (c == '\'') {
      appendHexEscape(field, static_cast<unsigned char>(c));
    } else {
      field += c;
    }
  }
  return field + "'";
}

std::optional<std::string> LogThrottle::admit(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (now - window_start_ >= window_) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= burst_) {
    ++left_out_;
    return std::nullopt;
  }
  ++in_window_;
  std::string suffix;
  if (left_out_ > 0) suffix = " (" + std::to_string(left_out_) + " similar lines left out)";
  left_out_ = 0;
  return suffix;
}

void LogThrottle::log(const std::string& text) {
  if (auto suffix = admit(std::chrono::steady_clock::now())) logEvent(text + *suffix);
}

void logEvent(const std::string& text) {
  static std::mutex mutex;
  const std::string line = escapeForLog(text);
  // Milliseconds: tests and benchmarks measure failure detection from these lines.
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  std::tm tm{};
  char date[32] = "";
  if (gmtime_r(&now.tv_sec, &tm) != nullptr) std::strftime(date, sizeof date, "%FT%T", &tm);
  char stamp[48] = "";
  std::snprintf(stamp, sizeof stamp, "%s.%03ldZ", date, now.tv_nsec / 1000000);
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s crmd: %s\n", stamp, line.c_str());
  std::fflush(stderr);
}

}  // namespace pulse::crmd
