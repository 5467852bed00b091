#include "crmd/admin/event_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/wall_clock.h"

namespace pulse::crmd {
namespace {

// A field made safe for one tab-separated line: the log's escaping turns tabs and line breaks
// into two-character escapes (so none remain), and bounds the length.
std::string field(const std::string& text) { return escapeForLog(text, kMaxLogFieldBytes * 4); }

}  // namespace

std::int64_t wallClockMs() { return pulse::wallClockMs(); }

std::string formatJournalLine(const ClusterEvent& event) {
  return std::to_string(event.at_ms) + "\t" + field(event.kind) + "\t" + field(event.who) + "\t" +
         field(event.text);
}

std::optional<ClusterEvent> parseJournalLine(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const auto tab = line.find('\t', start);
    if (tab == std::string_view::npos) return std::nullopt;
    parts.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  parts.push_back(line.substr(start));
  ClusterEvent event;
  const auto [ptr, ec] =
      std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), event.at_ms);
  if (ec != std::errc() || ptr != parts[0].data() + parts[0].size() || event.at_ms <= 0) {
    return std::nullopt;
  }
  if (parts[1].empty()) return std::nullopt;
  event.kind = std::string(parts[1]);
  event.who = std::string(parts[2]);
  event.text = std::string(parts[3]);
  return event;
}

EventJournal::EventJournal(EventJournalOptions options) : options_(std::move(options)) {
  if (options_.path.empty()) return;
  load(options_.path + ".1");
  load(options_.path);
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    logEvent("events: cannot open " + options_.path + ": " + std::strerror(errno) +
             "; the event journal is kept in memory only");
    return;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0) file_size_ = static_cast<std::size_t>(st.st_size);
}

EventJournal::~EventJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void EventJournal::load(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto event = parseJournalLine(line);
    if (!event) continue;
    events_.push_back(std::move(*event));
    if (events_.size() > options_.memory_events) events_.pop_front();
  }
}

void EventJournal::record(std::string kind, std::string text, std::string who) {
  record(ClusterEvent{0, std::move(kind), std::move(text), std::move(who)});
}

void EventJournal::record(ClusterEvent event) {
  if (event.at_ms == 0) event.at_ms = wallClockMs();
  // The line is what a reload would read: the same escaped fields in memory and on disk.
  const std::string line = formatJournalLine(event);
  auto parsed = parseJournalLine(line);
  if (!parsed) return;
  std::lock_guard lock(mutex_);
  append(line + "\n");
  events_.push_back(std::move(*parsed));
  if (events_.size() > options_.memory_events) events_.pop_front();
}

void EventJournal::append(const std::string& line) {
  if (fd_ < 0) return;
  if (file_size_ + line.size() > options_.file_bytes && file_size_ > 0) {
    // Rotation: the full file becomes .1 (replacing the older one), a new file starts.
    const std::string rotated = options_.path + ".1";
    if (::rename(options_.path.c_str(), rotated.c_str()) == 0) {
      ::close(fd_);
      fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      file_size_ = 0;
      if (fd_ < 0) {
        ++write_errors_;
        return;
      }
    }
  }
  const ssize_t n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    ++write_errors_;
    return;
  }
  file_size_ += line.size();
}

std::vector<ClusterEvent> EventJournal::since(std::int64_t since_ms, std::size_t limit,
                                              bool* truncated) const {
  std::lock_guard lock(mutex_);
  // Recorded in order but stamped by a wall clock that may step back: filter, not search.
  std::vector<ClusterEvent> out;
  for (const ClusterEvent& e : events_) {
    if (e.at_ms >= since_ms) out.push_back(e);
  }
  if (truncated != nullptr) *truncated = out.size() > limit;
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<long>(limit));
  return out;
}

std::uint64_t EventJournal::writeErrors() const {
  std::lock_guard lock(mutex_);
  return write_errors_;
}

}  // namespace pulse::crmd
