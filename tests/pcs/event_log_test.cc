// pcs cluster events: the nodes' journals merged into one time-ordered log, tagged by node.
#include "pcs-cli/event_log.h"

#include <gtest/gtest.h>

namespace pulse::pcs {
namespace {

TEST(EventLog, MergesByTimeKeepsEachNodesOrderAndDropsRepeats) {
  const std::vector<NodeEvent> n1 = {{"n1", 100, "membership", "a", ""},
                                     {"n1", 300, "quorum", "b", ""},
                                     {"n1", 300, "dc", "c", ""}};
  const std::vector<NodeEvent> n2 = {{"n2", 200, "membership", "x", ""},
                                     {"n2", 300, "config", "y", "hacluster"}};
  const auto merged = mergeEvents({n2, n1, n1});
  std::vector<std::string> order;
  for (const NodeEvent& e : merged) order.push_back(e.node + ":" + e.text);
  EXPECT_EQ(order, (std::vector<std::string>{"n1:a", "n2:x", "n1:b", "n1:c", "n2:y"}));
}

TEST(EventLog, FormatsOneLinePerEventTaggedWithItsNode) {
  const NodeEvent e{"n2", 1796622063123, "config", "configuration changed", "hacluster from x"};
  EXPECT_EQ(formatEvent(e, 4),
            "2026-12-07 05:41:03.123 n2    config      configuration changed  [by hacluster from "
            "x]");
  const std::string json = eventsJson({e}, {"n3"});
  EXPECT_NE(json.find("\"unreachable\": [\n    \"n3\"\n  ]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"node\": \"n2\""), std::string::npos);
  EXPECT_NE(json.find("\"time\": \"2026-12-07 05:41:03.123\""), std::string::npos);
}

TEST(EventLog, SinceTakesDurationsAndUtcTimes) {
  const std::int64_t now = 1796622063123;
  EXPECT_EQ(*parseSince("90s", now), now - 90'000);
  EXPECT_EQ(*parseSince("10m", now), now - 600'000);
  EXPECT_EQ(*parseSince("2h", now), now - 7'200'000);
  EXPECT_EQ(*parseSince("1d", now), now - 86'400'000);
  EXPECT_EQ(*parseSince("2026-12-07 05:41", now), 1796622060000);
  EXPECT_EQ(*parseSince("2026-12-07T05:41:03.123Z", now), 1796622063123);
  for (const char* bad :
       {"", "10", "10w", "yesterday", "2026-13-07 05:41", "2026-12-07 05", "2026-12-07 05:41:3x"}) {
    auto parsed = parseSince(bad, now);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("is not a valid --since value"), std::string::npos);
  }
}

}  // namespace
}  // namespace pulse::pcs
