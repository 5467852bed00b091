// CIBs Pacemaker 2.1.5 accepts although they look odd, read the way it reads them (each
// checked against Debian's crm_simulate 2.1.5): a resource's actions ordered among
// themselves, a colocation without a score, a node_state without an id, and the node list
// kept in name order rather than the CIB's.
#include <string>
#include <vector>

#include "cib_text.h"
#include "engine_test_util.h"

namespace pulse::pe {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using V = std::vector<std::string>;

const V kNodes = {"n1", "n2"};

TEST(ConfigLeniency, AResourcesActionsMayBeOrderedAmongThemselves) {
  // Pacemaker orders them (demote before promote of one clone, in its suite); only an action
  // after itself would be a loop.
  auto t = scheduleOk(cib(kNodes, primitive("vip"),
                          "<rsc_order id=\"o\" first=\"vip\" first-action=\"stop\" then=\"vip\""
                          " then-action=\"start\" kind=\"Optional\"/>",
                          emptyStatus(kNodes)));
  EXPECT_EQ(summaryOf(t).size(), 1u);
  EXPECT_EQ(summaryOf(t).front().rfind("Start vip", 0), 0u);
}

TEST(ConfigLeniency, AnActionOrderedAfterItselfIsRefused) {
  auto result =
      schedule(cib(kNodes, primitive("vip"), "<rsc_order id=\"o\" first=\"vip\" then=\"vip\"/>",
                   emptyStatus(kNodes)));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("an action cannot be ordered after itself"),
            std::string::npos)
      << result.error().message;
}

// web prefers n2; db is kept on n1; `colocation` may tie web to db.
Transition webWithDb(const std::string& colocation) {
  return scheduleOk(cib(kNodes, primitive("db") + primitive("web"),
                        "<rsc_location id=\"l1\" rsc=\"db\" node=\"n1\" score=\"100\"/>"
                        "<rsc_location id=\"l2\" rsc=\"web\" node=\"n2\" score=\"50\"/>" +
                            colocation,
                        emptyStatus(kNodes)));
}

TEST(ConfigLeniency, AColocationWithoutAScoreIsIgnored) {
  EXPECT_EQ(placedOn(webWithDb("<rsc_colocation id=\"c\" rsc=\"web\" with-rsc=\"db\"/>"), "web"),
            "n2");
  // The same constraint with a score does tie them.
  EXPECT_EQ(placedOn(webWithDb("<rsc_colocation id=\"c\" rsc=\"web\" with-rsc=\"db\""
                               " score=\"INFINITY\"/>"),
                     "web"),
            "n1");
}

TEST(ConfigLeniency, ANodeStateWithoutIdIsIgnored) {
  // n1's only status entry has no id: Pacemaker skips it, so n1 counts as never seen
  // (offline, fencing being off) and vip starts on n2.
  std::string status =
      "<node_state uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
      " expected=\"member\"/>" +
      nodeState("2", "n2");
  auto t =
      scheduleOk(cib(kNodes, primitive("vip"),
                     "<rsc_location id=\"l\" rsc=\"vip\" node=\"n1\" score=\"100\"/>", status));
  EXPECT_EQ(summaryOf(t), (V{"Start vip (n2)"}));
  ASSERT_EQ(t.current.nodes.size(), 2u);
  EXPECT_FALSE(t.current.nodes[0].online);
}

TEST(ConfigLeniency, NodesAreListedInNameOrderWithNumbersComparedAsNumbers) {
  const V configured = {"node10", "node9", "alpha"};
  auto t = scheduleOk(cib(configured, primitive("vip"), "", emptyStatus(configured)));
  V listed;
  for (const NodeView& n : t.current.nodes) listed.push_back(n.name);
  EXPECT_EQ(listed, (V{"alpha", "node9", "node10"}));
}

}  // namespace
}  // namespace pulse::pe
