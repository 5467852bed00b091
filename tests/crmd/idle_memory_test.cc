// Giving memory back at idle (common/idle_memory.h): the resident code of the program falls,
// and nothing the process wrote is lost, so the daemon runs on as before.
#include "common/idle_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pulse {
namespace {

// Written at run time: in the writable segment, which must keep its values.
std::vector<int> written;
int counter = 0;
// Relocated pointers (the RELRO part of the writable segment in a PIE program).
const char* const kNames[] = {"node", "resource", "constraint"};

// kB of the mappings of the running program's file with these permissions (from smaps).
std::uint64_t residentKb(const std::string& perms) {
  std::ifstream maps("/proc/self/smaps");
  char exe[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return 0;
  const std::string program(exe, static_cast<std::size_t>(n));
  std::string line;
  bool counting = false;
  std::uint64_t total = 0;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, mode, offset, device, inode, path;
    fields >> range >> mode;
    if (range.find('-') != std::string::npos && mode.size() == 4) {
      fields >> offset >> device >> inode >> path;
      counting = mode == perms && path == program;
    } else if (counting && range == "Rss:") {
      total += std::stoull(mode);  // "Rss:   1234 kB"
    }
  }
  return total;
}

int touchSomeCode(int x) { return x * 7 + static_cast<int>(written.size()); }

TEST(IdleMemory, ResidentCodeFallsAndWrittenDataStays) {
  for (int i = 0; i < 1000; ++i) written.push_back(i * i);
  counter = 42;
  const std::uint64_t before = residentKb("r-xp");
  ASSERT_GT(before, 0u) << "the program's code is not mapped from its file";

  const IdleRelease release = releaseIdleMemory();
  const std::uint64_t after = residentKb("r-xp");

  EXPECT_GE(release.segments, 2u);  // at least the program's code and its read-only data
  EXPECT_GT(release.bytes, 0u);
  EXPECT_LT(after, before) << "resident code " << before << " kB before, " << after << " kB after";
  // The process goes on: code runs again (faulted back), and data it wrote is intact.
  EXPECT_EQ(touchSomeCode(6), 42 + 1000);
  ASSERT_EQ(written.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(written[i], i * i);
  EXPECT_EQ(counter, 42);
  EXPECT_STREQ(kNames[1], "resource");
  std::ostringstream text;
  text << "still " << counter;  // libstdc++ after the release
  EXPECT_EQ(text.str(), "still 42");
}

TEST(IdleMemory, ReleasingTwiceIsHarmless) {
  releaseIdleMemory();
  const IdleRelease again = releaseIdleMemory();
  EXPECT_GE(again.segments, 2u);
  EXPECT_EQ(touchSomeCode(1), 7 + static_cast<int>(written.size()));
}

}  // namespace
}  // namespace pulse
