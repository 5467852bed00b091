// What pcs prints for status corosync, quorum status and cluster cmap, from a status reply:
// corosync-quorumtool's and corosync-cmapctl's layouts, and JSON that parses back.
#include "pcs-cli/cluster_output.h"

#include <gtest/gtest.h>

#include "pcs-cli/json.h"

namespace pulse::pcs {
namespace {

admin::ClusterStatusReply threeNodesOneGone() {
  admin::ClusterStatusReply s;
  s.set_node_name("n1");
  s.set_in_cluster(true);
  s.set_cluster_name("web");
  s.set_running(true);
  s.set_local_nodeid(1);
  s.set_has_view(true);
  s.set_ring_seq(26);
  s.set_ring_rep(1);
  s.set_token_ms(1000);
  s.set_consensus_ms(1200);
  for (std::uint32_t id : {1u, 2u, 3u}) {
    admin::MemberInfo* m = s.add_members();
    m->set_nodeid(id);
    m->set_name("n" + std::to_string(id));
    m->set_address("192.0.2.1" + std::to_string(id));
    m->set_votes(1);
    m->set_in_view(id != 3);
    m->set_ever_seen(true);
    m->set_join_count(id == 3 ? 2 : 1);
  }
  admin::QuorumInfo* q = s.mutable_quorum();
  q->set_quorate(true);
  q->set_expected_votes(3);
  q->set_total_votes(2);
  q->set_quorum(2);
  q->set_flags_text("Quorate");
  admin::Counter* c = s.add_counters();
  c->set_name("rx.dropped.bad_tag");
  c->set_value(7);
  return s;
}

TEST(ClusterOutput, StatusCorosyncListsTheViewsMembers) {
  EXPECT_EQ(formatStatusCorosync(threeNodesOneGone()),
            "Membership information\n"
            "----------------------\n"
            "    Nodeid      Votes Name\n"
            "         1          1 n1 (local)\n"
            "         2          1 n2\n");
}

TEST(ClusterOutput, QuorumStatusInCorosyncQuorumtoolLayout) {
  const std::string text = formatQuorumStatus(threeNodesOneGone(), 0);
  EXPECT_NE(text.find("Nodes:            2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Ring ID:          1.1a\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Quorate:          Yes\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Expected votes:   3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Total votes:      2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Quorum:           2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("         2          1         NR n2\n"), std::string::npos) << text;
  auto lost = threeNodesOneGone();
  lost.mutable_quorum()->set_quorate(false);
  EXPECT_NE(formatQuorumStatus(lost, 0).find("Quorum:           2 Activity blocked\n"),
            std::string::npos);
}

TEST(ClusterOutput, CmapShowsRuntimeMembersSortedAndFiltered) {
  EXPECT_EQ(formatCmap(threeNodesOneGone(), "runtime.members.3."),
            "runtime.members.3.config_version (u64) = 0\n"
            "runtime.members.3.ip (str) = r(0) ip(192.0.2.13) \n"
            "runtime.members.3.join_count (u32) = 2\n"
            "runtime.members.3.status (str) = left\n");
  EXPECT_EQ(formatCmap(threeNodesOneGone(), "stats.pulse.rx.dropped.bad_tag"),
            "stats.pulse.rx.dropped.bad_tag (u64) = 7\n");
  EXPECT_EQ(cmapJson(threeNodesOneGone(), "runtime.members.3.j"),
            "{\"runtime.members.3.join_count\":2}\n");
}

TEST(ClusterOutput, JsonOfStatusAndQuorum) {
  EXPECT_EQ(statusCorosyncJson(threeNodesOneGone()),
            "{\"cluster_name\":\"web\",\"local_nodeid\":1,\"ring_id\":\"1.1a\",\"members\":["
            "{\"nodeid\":1,\"votes\":1,\"name\":\"n1\",\"local\":true},"
            "{\"nodeid\":2,\"votes\":1,\"name\":\"n2\",\"local\":false}]}\n");
  const std::string quorum = quorumStatusJson(threeNodesOneGone());
  EXPECT_NE(quorum.find("\"quorate\":true,\"expected_votes\":3"), std::string::npos) << quorum;
  EXPECT_NE(quorum.find("\"flags\":[\"Quorate\"]"), std::string::npos) << quorum;
}

TEST(JsonWriter, EscapesControlCharactersAndQuotes) {
  JsonWriter json;
  json.beginArray().value("a\"b\\c\n\x01").value(true).beginObject().endObject().endArray();
  EXPECT_EQ(json.text(), "[\"a\\\"b\\\\c\\n\\u0001\",true,{}]");
}

}  // namespace
}  // namespace pulse::pcs
