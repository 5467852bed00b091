// The node's journal of cluster events: bounded in memory and on disk, survives a restart,
// one event per line whatever its text holds.
#include "crmd/admin/event_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/crmd/temp_dir.h"

namespace pulse::crmd {
namespace {

TEST(EventJournal, KeepsTheNewestInMemoryAndAnswersSinceATime) {
  EventJournal journal(EventJournalOptions{.path = "", .memory_events = 3});
  for (int i = 1; i <= 5; ++i)
    journal.record(ClusterEvent{i * 1000, "node", "e" + std::to_string(i), ""});
  const auto all = journal.since(0, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().text, "e3");
  EXPECT_EQ(all.back().text, "e5");
  const auto recent = journal.since(4000, 100);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent.front().text, "e4");
  bool truncated = false;
  const auto last = journal.since(0, 1, &truncated);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last.front().text, "e5");
  EXPECT_TRUE(truncated);
}

TEST(EventJournal, SurvivesARestartAndRotatesAtItsSizeLimit) {
  TempDir dir;
  const std::string path = dir.path() + "/events.log";
  {
    EventJournal journal(
        EventJournalOptions{.path = path, .memory_events = 100, .file_bytes = 200});
    for (int i = 0; i < 20; ++i) {
      journal.record(ClusterEvent{1000 + i, "membership", "view " + std::to_string(i), ""});
    }
    EXPECT_EQ(journal.writeErrors(), 0u);
  }
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_LE(std::filesystem::file_size(path), 200u);
  EXPECT_LE(std::filesystem::file_size(path + ".1"), 200u);
  EXPECT_EQ(fileMode(path), 0600u);
  EventJournal reopened(EventJournalOptions{.path = path, .memory_events = 100, .file_bytes = 200});
  const auto events = reopened.since(0, 100);
  ASSERT_FALSE(events.empty());
  // What is left after rotation is the newest, in order.
  EXPECT_EQ(events.back().text, "view 19");
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_LT(events[i - 1].at_ms, events[i].at_ms);
}

TEST(EventJournal, ATextCannotForgeASecondEvent) {
  TempDir dir;
  const std::string path = dir.path() + "/events.log";
  {
    EventJournal journal(EventJournalOptions{.path = path});
    journal.record("config", "changed\n99\tfencing\t\tforged", "hacluster\tfrom x");
  }
  std::ifstream in(path);
  std::string line, extra;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_FALSE(std::getline(in, extra));
  EventJournal reopened(EventJournalOptions{.path = path});
  const auto events = reopened.since(0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "config");
  EXPECT_EQ(events[0].text, "changed\\n99\\tfencing\\t\\tforged");
  EXPECT_EQ(events[0].who, "hacluster\\tfrom x");
}

TEST(EventJournal, LinesThatAreNotEventsAreSkipped) {
  EXPECT_FALSE(parseJournalLine("garbage"));
  EXPECT_FALSE(parseJournalLine("12x\tnode\t\ttext"));
  EXPECT_FALSE(parseJournalLine("-5\tnode\t\ttext"));
  EXPECT_FALSE(parseJournalLine("5\t\t\ttext"));
  auto ok = parseJournalLine("5\tquorum\t\tlost");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at_ms, 5);
  EXPECT_EQ(ok->text, "lost");
}

}  // namespace
}  // namespace pulse::crmd
