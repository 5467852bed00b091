// QuorumContact: who still hears this node, from the heard lists in the peers' heartbeats.
#include "membership/quorum_contact.h"

#include <gtest/gtest.h>

namespace pulse::membership {
namespace {

TimePoint at(int ms) { return TimePoint(std::chrono::milliseconds(ms)); }
constexpr Duration kWindow{500};  // 2 heartbeat intervals at token 1000

// Five nodes, quorum 3: node 1 needs two peers that list it.
TEST(QuorumContact, FreshWhileAQuorumListsThisNode) {
  QuorumContact contact(1, kWindow);
  contact.recordHeartbeat(2, {1, 3}, at(100));
  EXPECT_FALSE(contact.fresh(3, at(100))) << "one peer and itself are 2 of 5 votes";
  contact.recordHeartbeat(3, {1, 2}, at(200));
  EXPECT_TRUE(contact.fresh(3, at(200)));
  // The evidence is as old as the older of the two needed heartbeats.
  EXPECT_EQ(contact.lastContact(3, at(200)), at(100));
  EXPECT_TRUE(contact.fresh(3, at(599)));
  EXPECT_FALSE(contact.fresh(3, at(600)));
}

// Symmetric cut at 300: nothing arrives any more; contact ends S after the last heartbeats.
TEST(QuorumContact, SymmetricCutEndsContactOneWindowAfterTheLastHeartbeat) {
  QuorumContact contact(1, kWindow);
  for (int t = 0; t < 300; t += 250) {
    contact.recordHeartbeat(2, {1, 3}, at(t));
    contact.recordHeartbeat(3, {1, 2}, at(t + 5));
  }
  EXPECT_EQ(contact.lastContact(3, at(300)), at(250));
  EXPECT_TRUE(contact.fresh(3, at(749)));
  EXPECT_FALSE(contact.fresh(3, at(750)));
}

// Asymmetric cut: node 1 still hears its peers, but they stopped hearing it; their heartbeats
// drop it from the heard list, which revokes the contact at once (not a window later).
TEST(QuorumContact, AsymmetricCutRevokesContactAtTheFirstHeartbeatNotListingThisNode) {
  QuorumContact contact(1, kWindow);
  contact.recordHeartbeat(2, {1, 3}, at(0));
  contact.recordHeartbeat(3, {1, 2}, at(0));
  EXPECT_TRUE(contact.fresh(3, at(250)));
  contact.recordHeartbeat(2, {3}, at(250));
  EXPECT_FALSE(contact.fresh(3, at(250))) << "only node 3 still lists node 1";
  EXPECT_FALSE(contact.lastContact(3, at(250)).has_value());
  contact.recordHeartbeat(2, {1, 3}, at(300));  // heard again
  EXPECT_TRUE(contact.fresh(3, at(300)));
}

TEST(QuorumContact, ARestartedPeerNoLongerSupports) {
  QuorumContact contact(1, kWindow);
  contact.recordHeartbeat(2, {1}, at(0));
  EXPECT_TRUE(contact.fresh(2, at(10)));
  contact.forget(2);
  EXPECT_FALSE(contact.fresh(2, at(10)));
}

TEST(QuorumContact, AReorderedOlderHeartbeatDoesNotRestoreSupport) {
  QuorumContact contact(1, kWindow);
  contact.recordHeartbeat(2, {}, at(100));
  contact.recordHeartbeat(2, {1}, at(90));
  EXPECT_FALSE(contact.fresh(2, at(100)));
}

// two_node: quorum 1, so a node alone is a quorum and never loses contact. This is why
// two-node clusters need a fence device (documented in quorum_contact.h and self_fence.h).
TEST(QuorumContact, TwoNodeQuorumOfOneNeverLapses) {
  QuorumContact contact(1, kWindow);
  EXPECT_EQ(contact.lastContact(1, at(5000)), at(5000));
  EXPECT_TRUE(contact.fresh(1, at(5000)));
  EXPECT_FALSE(contact.fresh(0, at(5000))) << "quorum 0: not known yet, no contact";
}

TEST(QuorumContact, HeardListKeepsRecentPeersOfTheView) {
  QuorumContact contact(1, kWindow);
  contact.recordHeartbeat(2, {}, at(0));
  contact.recordHeartbeat(3, {}, at(400));
  contact.recordHeartbeat(4, {}, at(450));
  EXPECT_EQ(contact.heardList(at(600), std::nullopt), (std::vector<NodeId>{3, 4}));
  View view{RingId{5, 1}, {1, 2, 3}};
  EXPECT_EQ(contact.heardList(at(600), view), (std::vector<NodeId>{3}))
      << "node 4 is heard but not a member: the view left it out";
}

}  // namespace
}  // namespace pulse::membership
