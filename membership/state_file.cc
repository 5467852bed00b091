#include "membership/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"

namespace pulse::membership {
namespace {

constexpr std::string_view kHeader = "pulse-membership-state 1";

Error sysError(const std::string& what, const std::string& path) {
  return Error{what + " " + path + ": " + std::strerror(errno)};
}

// Reads "key N\n" at the front of `text`, advancing it.
bool takeField(std::string_view& text, std::string_view key, std::uint64_t& value) {
  if (text.substr(0, key.size()) != key || text.size() <= key.size() || text[key.size()] != ' ') {
    return false;
  }
  text.remove_prefix(key.size() + 1);
  auto end = text.find('\n');
  if (end == std::string_view::npos || end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  text.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::string formatPersistentState(const PersistentState& state) {
  std::ostringstream out;
  out << kHeader << "\nmax_seq " << state.max_seq << "\nincarnation " << state.incarnation << "\n";
  return out.str();
}

Result<PersistentState> parsePersistentState(std::string_view text) {
  if (text.substr(0, kHeader.size()) != kHeader || text.size() <= kHeader.size() ||
      text[kHeader.size()] != '\n') {
    return Error{"membership state: missing header '" + std::string(kHeader) + "'"};
  }
  text.remove_prefix(kHeader.size() + 1);
  PersistentState state;
  if (!takeField(text, "max_seq", state.max_seq)) {
    return Error{"membership state: bad or missing max_seq"};
  }
  if (!takeField(text, "incarnation", state.incarnation)) {
    return Error{"membership state: bad or missing incarnation"};
  }
  if (!text.empty()) return Error{"membership state: trailing data"};
  return state;
}

Result<PersistentState> loadPersistentState(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return PersistentState{};
    return sysError("cannot stat", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return sysError("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{"cannot read " + path};
  auto state = parsePersistentState(text.str());
  if (!state) return Error{path + ": " + state.error().message};
  return state;
}

PersistentState startingState(PersistentState persisted,
                              std::chrono::system_clock::time_point wall_now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(wall_now.time_since_epoch()).count();
  if (ms > 0) {
    persisted.incarnation = std::max(persisted.incarnation, static_cast<std::uint64_t>(ms));
  }
  return persisted;
}

Status storePersistentState(const std::string& path, const PersistentState& state) {
  return writeFileAtomically(path, formatPersistentState(state), 0644);
}

}  // namespace pulse::membership
