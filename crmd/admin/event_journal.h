// The node's journal of cluster events, for `pcs cluster events`: membership changes, quorum
// gained and lost, the DC, configuration changes with who made them, actions and their results,
// fencing. Each event is a structured record, stamped with the wall clock (the merge across
// nodes orders by it).
//
// Bounded twice: the newest `memory_events` are kept in memory (a ring: the admin API answers
// from it); every event is also appended to `path` (one line each), which is rotated to
// `path`.1 once it exceeds `file_bytes`, so the disk holds at most about 2 x file_bytes. At
// open the newest events of both files are loaded, so a node that restarts (or is powered off
// and booted) still shows what happened before. The file is a diagnostic record: it is not
// fsynced, and an event that cannot be written is kept in memory only (counted in
// writeErrors()).
//
// Invariants: since() returns events in the order they were recorded, oldest first; a field
// never contains a tab or a line break (escaped as the log escapes them, common/log.h), so one
// event is one line of the file and a line that does not parse is skipped, never misread.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::crmd {

struct ClusterEvent {
  std::int64_t at_ms = 0;  // wall clock, milliseconds since the epoch
  std::string kind;        // membership, quorum, dc, config, action, fencing, node
  std::string text;
  std::string who;  // config changes: the caller (token and address); else empty
};

// One line of the journal file (no newline) and back; nullopt for a line that is not one.
std::string formatJournalLine(const ClusterEvent& event);
std::optional<ClusterEvent> parseJournalLine(std::string_view line);

struct EventJournalOptions {
  std::string path;  // empty: memory only
  std::size_t memory_events = 4096;
  std::size_t file_bytes = 1 << 20;
};

class EventJournal {
 public:
  explicit EventJournal(EventJournalOptions options);
  ~EventJournal();
  EventJournal(const EventJournal&) = delete;
  EventJournal& operator=(const EventJournal&) = delete;

  // Stamps the event now (unless at_ms is set) and keeps it.
  void record(ClusterEvent event);
  void record(std::string kind, std::string text, std::string who = {});

  // The kept events with at_ms >= since_ms, oldest first; at most `limit` (the newest ones),
  // `truncated` set when more matched.
  std::vector<ClusterEvent> since(std::int64_t since_ms, std::size_t limit,
                                  bool* truncated = nullptr) const;
  std::uint64_t writeErrors() const;

 private:
  void append(const std::string& line);  // mutex_ held
  void load(const std::string& path);    // at construction

  const EventJournalOptions options_;
  mutable std::mutex mutex_;
  std::deque<ClusterEvent> events_;  // guarded by mutex_
  int fd_ = -1;                      // guarded by mutex_
  std::size_t file_size_ = 0;        // guarded by mutex_
  std::uint64_t write_errors_ = 0;   // guarded by mutex_
};

std::int64_t wallClockMs();

}  // namespace pulse::crmd
