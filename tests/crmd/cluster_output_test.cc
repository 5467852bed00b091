// What pcs prints for status corosync, quorum status and cluster cmap, from a status reply:
// corosync-quorumtool's and corosync-cmapctl's layouts, and JSON that parses back.
#include "pcs-cli/cluster_output.h"

#include <gtest/gtest.h>

#include "pcs-cli/cmapctl.h"
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
  EXPECT_EQ(quorum,
            R"({"node_id":1,"ring_id":"1.1a","quorate":true,"expected_votes":3,)"
            R"("highest_expected":3,"total_votes":2,"quorum":2,"flags":["Quorate"],"members":[)"
            R"({"nodeid":1,"votes":1,"name":"n1","local":true},)"
            R"({"nodeid":2,"votes":1,"name":"n2","local":false}]})"
            "\n");
  // Every key, sorted as corosync-cmapctl sorts them; numbers as numbers.
  EXPECT_EQ(cmapJson(threeNodesOneGone(), ""),
            R"({"nodelist.node.0.name":"n1","nodelist.node.0.nodeid":1,)"
            R"("nodelist.node.0.quorum_votes":1,"nodelist.node.0.ring0_addr":"192.0.2.11",)"
            R"("nodelist.node.1.name":"n2","nodelist.node.1.nodeid":2,)"
            R"("nodelist.node.1.quorum_votes":1,"nodelist.node.1.ring0_addr":"192.0.2.12",)"
            R"("nodelist.node.2.name":"n3","nodelist.node.2.nodeid":3,)"
            R"("nodelist.node.2.quorum_votes":1,"nodelist.node.2.ring0_addr":"192.0.2.13",)"
            R"("runtime.members.1.config_version":0,"runtime.members.1.ip":"r(0) ip(192.0.2.11) ",)"
            R"("runtime.members.1.join_count":1,"runtime.members.1.status":"joined",)"
            R"("runtime.members.2.config_version":0,"runtime.members.2.ip":"r(0) ip(192.0.2.12) ",)"
            R"("runtime.members.2.join_count":1,"runtime.members.2.status":"joined",)"
            R"("runtime.members.3.config_version":0,"runtime.members.3.ip":"r(0) ip(192.0.2.13) ",)"
            R"("runtime.members.3.join_count":2,"runtime.members.3.status":"left",)"
            R"("runtime.totem.ring_id":"1.1a","runtime.votequorum.expected_votes":3,)"
            R"("runtime.votequorum.quorate":1,"runtime.votequorum.quorum":2,)"
            R"("runtime.votequorum.this_node_id":1,"runtime.votequorum.total_votes":2,)"
            R"("runtime.votequorum.two_node":0,"runtime.votequorum.wait_for_all_status":0,)"
            R"("stats.pulse.rx.dropped.bad_tag":7,"totem.cluster_name":"web",)"
            R"("totem.consensus":1200,"totem.token":1000})"
            "\n");
}

// Quotes, backslashes and control characters are escaped; UTF-8 passes as it is; bytes that
// are not UTF-8 (a CIB may hold them) become U+FFFD instead of invalid JSON or an exception.
TEST(JsonText, EscapesControlCharactersAndReplacesInvalidUtf8) {
  const Json document = Json::array({"a\"b\\c\n\x01\x1f\x7f", true, Json::object(), "v\xc3\xa9m",
                                     "bad\xff\xc3", nullptr, 4294967296u});
  EXPECT_EQ(jsonText(document),
            "[\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f\",true,{},\"v\xc3\xa9m\","
            "\"bad\xef\xbf\xbd\xef\xbf\xbd\",null,4294967296]");
  // \b and \f take their short forms (the writer before nlohmann's wrote \u0008 and \u000c;
  // both are the same JSON string). XML 1.0 allows neither character in a CIB.
  EXPECT_EQ(jsonText(Json("\b\f")), "\"\\b\\f\"");
}

CmapctlArgs cmapctl(const std::vector<std::string>& words) {
  auto parsed = parseCmapctl(words);
  EXPECT_TRUE(std::holds_alternative<CmapctlArgs>(parsed)) << std::get<ToolError>(parsed).message;
  return std::get<CmapctlArgs>(parsed);
}

TEST(Cmapctl, GrepMembersAsTheGuidesDo) {
  admin::ClusterStatusReply status = threeNodesOneGone();
  // ring0_addr given as a host name: corosync shows the address it resolved to.
  status.mutable_members(0)->set_address("n1.example");
  status.mutable_members(0)->set_ip("192.0.2.11");
  const ToolOutput all = runCmapctl(cmapctl({}), status);
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_NE(all.out.find("runtime.members.1.ip (str) = r(0) ip(192.0.2.11) \n"), std::string::npos)
      << all.out;
  EXPECT_NE(all.out.find("runtime.members.3.status (str) = left\n"), std::string::npos);
  // The default map is icmap: counters belong to the stats map.
  EXPECT_EQ(all.out.find("stats."), std::string::npos);
  EXPECT_NE(runCmapctl(cmapctl({"-m", "stats"}), status).out.find("stats.pulse.rx.dropped.bad_tag"),
            std::string::npos);
  const ToolOutput members = runCmapctl(cmapctl({"runtime.members.2"}), status);
  EXPECT_EQ(members.out,
            "runtime.members.2.config_version (u64) = 0\n"
            "runtime.members.2.ip (str) = r(0) ip(192.0.2.12) \n"
            "runtime.members.2.join_count (u32) = 1\n"
            "runtime.members.2.status (str) = joined\n");
}

TEST(Cmapctl, GetPrintsOneKeyOrSaysItDoesNotExist) {
  const admin::ClusterStatusReply status = threeNodesOneGone();
  EXPECT_EQ(runCmapctl(cmapctl({"-g", "totem.token"}), status).out, "totem.token (u32) = 1000\n");
  EXPECT_EQ(runCmapctl(cmapctl({"-qg", "runtime.votequorum.quorate"}), status).out, "1\n");
  const ToolOutput missing = runCmapctl(cmapctl({"-g", "totem.nope"}), status);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Can't get key totem.nope. Error CS_ERR_NOT_EXIST\n");
}

TEST(Cmapctl, StoppedNodeAndWritesAreRefusedClearly) {
  admin::ClusterStatusReply stopped = threeNodesOneGone();
  stopped.set_running(false);
  const ToolOutput down = runCmapctl(cmapctl({}), stopped);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("CS_ERR_LIBRARY"), std::string::npos);
  for (const char* write : {"-s", "-d", "-D", "-p"}) {
    auto parsed = parseCmapctl({write, "totem.token", "u32", "300"});
    ASSERT_TRUE(std::holds_alternative<ToolError>(parsed)) << write;
    EXPECT_NE(std::get<ToolError>(parsed).message.find("pcs"), std::string::npos);
  }
  EXPECT_TRUE(std::holds_alternative<ToolError>(parseCmapctl({"-m", "bogus"})));
  EXPECT_TRUE(std::holds_alternative<ToolError>(parseCmapctl({"-x"})));
  EXPECT_TRUE(std::holds_alternative<ToolError>(parseCmapctl({"-g"})));
}

}  // namespace
}  // namespace pulse::pcs
