#include "crmd/log.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace pulse::crmd {

void logEvent(const std::string& text) {
  static std::mutex mutex;
  char stamp[32] = "";
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (gmtime_r(&now, &tm) != nullptr) std::strftime(stamp, sizeof stamp, "%FT%TZ", &tm);
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s crmd: %s\n", stamp, text.c_str());
  std::fflush(stderr);
}

}  // namespace pulse::crmd
