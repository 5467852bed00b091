#include "crmd/log.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace pulse::crmd {

void logEvent(const std::string& text) {
  static std::mutex mutex;
  // Milliseconds: tests and benchmarks measure failure detection from these lines.
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  std::tm tm{};
  char date[32] = "";
  if (gmtime_r(&now.tv_sec, &tm) != nullptr) std::strftime(date, sizeof date, "%FT%T", &tm);
  char stamp[48] = "";
  std::snprintf(stamp, sizeof stamp, "%s.%03ldZ", date, now.tv_nsec / 1000000);
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s crmd: %s\n", stamp, text.c_str());
  std::fflush(stderr);
}

}  // namespace pulse::crmd
