// Unit tests of the CIB replication core over a hand-driven network: every message is delivered
// (or dropped) explicitly, so each test states exactly which messages arrived.
#include "crmd/replication/cib_replica.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <set>

namespace pulse::crmd {
namespace {

using Kind = CibChange::Kind;

struct Wire {
  NodeId from;
  CibOutgoing out;
};

// N replicas, their disks, the messages in transit and the replies given to clients.
class Cluster {
 public:
  explicit Cluster(int n) {
    for (NodeId id = 1; id <= static_cast<NodeId>(n); ++id) start(id);
  }
  void start(NodeId id) {
    nodes.erase(id);
    nodes.emplace(id, CibReplica(id, disk[id]));
  }
  void crash(NodeId id) {
    nodes.erase(id);
    std::erase_if(wire, [id](const Wire& w) { return w.out.to == id || w.from == id; });
  }
  // What CibService does (cib_service.cc): persist first; when the disk refuses, carry out
  // nothing that vouches for the copy (no message, an ok reply for it becomes a failure) and
  // tell the replica, which goes back to the copy on disk.
  void apply(NodeId n, CibOutput out) {
    if (out.persist && broken_disk.contains(n)) {
      for (auto& r : out.replies) {
        if (r.result && disk[n].version < *r.result) {
          r = WriteReply{r.id, Error{"not stored"}, WriteFailure::kNotStored, n};
        }
        replies.push_back(std::move(r));
      }
      ++failed_persists;
      apply(n, nodes.at(n).onPersistFailed(disk[n],
                                           "cannot fsync cib.xml.tmp: No space left "
                                           "on device",
                                           now));
      return;
    }
    if (out.persist) disk[n] = *out.persist;
    for (auto& m : out.messages) wire.push_back(Wire{n, std::move(m)});
    for (auto& r : out.replies) replies.push_back(std::move(r));
    const Status s = nodes.at(n).checkInvariants();
    EXPECT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(nodes.at(n).cib(), disk[n]);
  }
  // Installs ring `seq` with `members` at each of them; quorate iff a majority of `total`.
  void view(std::uint64_t seq, std::vector<NodeId> members, int total = 3) {
    const View v{RingId{seq, members.front()}, members};
    const bool quorate = 2 * members.size() > static_cast<std::size_t>(total);
    for (NodeId m : members) apply(m, nodes.at(m).onViewChanged(v, quorate, now));
  }
  // Delivers messages (in order) until none is left; `drop` decides which are lost.
  void run(const std::function<bool(const Wire&)>& drop = nullptr) {
    while (!wire.empty()) {
      Wire w = std::move(wire.front());
      wire.pop_front();
      if ((drop && drop(w)) || !nodes.contains(w.out.to)) continue;
      apply(w.out.to, nodes.at(w.out.to).onMessage(w.from, w.out.message, now));
    }
  }
  void tick(Duration by = Duration{100}) {
    now += by;
    for (auto& [id, node] : nodes) apply(id, node.onTick(now));
  }
  void submit(NodeId at, WriteId id, Kind kind, std::string xml) {
    CibChange c{kind, stampOf(nodes.at(at).cib()), std::move(xml)};
    apply(at, nodes.at(at).submit(id, std::move(c), now));
  }
  CibReplica& at(NodeId n) { return nodes.at(n); }

  std::map<NodeId, CibReplica> nodes;
  std::map<NodeId, StoredCib> disk;
  std::deque<Wire> wire;
  std::vector<WriteReply> replies;
  TimePoint now{};
  std::set<NodeId> broken_disk;  // every persist there fails (ENOSPC)
  int failed_persists = 0;
};

bool isAck(const Wire& w) { return std::holds_alternative<ReplaceAck>(w.out.message); }

TEST(CibReplica, DcIsLowestIdOfQuorateViewAndSyncsBeforeServing) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  EXPECT_EQ(c.at(1).phase(), CibReplica::Phase::kCollecting);
  EXPECT_EQ(c.at(2).dc(), 1u);
  EXPECT_FALSE(c.at(2).isDc());
  c.run();
  EXPECT_TRUE(c.at(1).ready());
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n], c.disk[1]);
}

TEST(CibReplica, WriteRepliesOnlyOnceDurableOnEveryMember) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 7, Kind::kConfiguration, "<cib a/>");
  c.run([](const Wire& w) { return isAck(w) && w.from == 3; });  // node 3's ack is lost
  EXPECT_TRUE(c.replies.empty());
  EXPECT_EQ(c.disk[3].xml, "<cib a/>");  // persisted, but the DC does not know yet
  c.now += Duration{100};
  c.apply(1, c.at(1).onTick(c.now));  // resend to node 3 only
  ASSERT_EQ(c.wire.size(), 1u);
  c.run();
  ASSERT_EQ(c.replies.size(), 1u);
  ASSERT_TRUE(c.replies[0].result.ok());
  EXPECT_EQ(*c.replies[0].result, (CibVersion{0, 1, 0}));
}

// Writes submitted while the DC is still syncing wait for it, in order.
TEST(CibReplica, WritesSubmittedDuringTheSyncWaitForIt) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  ASSERT_EQ(c.at(1).phase(), CibReplica::Phase::kCollecting);
  const CibStamp read = stampOf(c.at(1).cib());
  c.apply(1, c.at(1).submit(1, CibChange{Kind::kConfiguration, read, "a"}, c.now));
  c.apply(1, c.at(1).submit(2, CibChange{Kind::kConfiguration, read, "b"}, c.now));
  EXPECT_TRUE(c.replies.empty());
  c.run();
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_TRUE(c.replies[0].result.ok());
  EXPECT_EQ(c.replies[1].failure, WriteFailure::kStaleBase);  // "b" was based on the old copy
  EXPECT_EQ(c.disk[3].xml, "a");
}

TEST(CibReplica, ConfigurationBumpsEpochAndStatusBumpsNumUpdates) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kStatus, "s");
  c.run();
  c.submit(1, 2, Kind::kStatus, "ss");
  c.run();
  EXPECT_EQ(c.disk[2].version, (CibVersion{0, 0, 2}));
  c.submit(1, 3, Kind::kConfiguration, "c");
  c.run();
  EXPECT_EQ(c.disk[3].version, (CibVersion{0, 1, 0}));
}

TEST(CibReplica, StaleBaseIsRefusedWithBothVersions) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  const CibStamp read = stampOf(c.at(1).cib());
  c.submit(1, 1, Kind::kConfiguration, "first");
  c.run();
  c.apply(1, c.at(1).submit(2, CibChange{Kind::kConfiguration, read, "second"}, c.now));
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_EQ(c.replies[1].failure, WriteFailure::kStaleBase);
  EXPECT_EQ(c.replies[1].result.error().message,
            "the CIB changed since it was read (version 0.0.0, now 0.1.0); read it again and "
            "retry");
  EXPECT_EQ(c.disk[2].xml, "first");
}

// pcs reads the CIB, edits its configuration and writes it back; meanwhile the DC records monitor
// results (status writes). The edit is applied on today's status, not refused; a status write or
// an edit after another configuration write is still refused.
TEST(CibReplica, ConfigurationEditBehindOnlyByStatusWritesIsRebasedOnTheCurrentStatus) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration,
           R"(<cib><configuration><resources/></configuration><status/></cib>)");
  c.run();
  const CibStamp read = stampOf(c.at(1).cib());
  const std::string recorded =
      R"(<cib><configuration><resources/></configuration><status><node_state id="1"/></status></cib>)";
  c.submit(1, 2, Kind::kStatus, recorded);
  c.run();
  c.apply(1, c.at(1).submit(3,
                            CibChange{Kind::kConfiguration, read,
                                      R"(<cib><configuration><resources><primitive id="d1"/>)"
                                      R"(</resources></configuration><status/></cib>)"},
                            c.now));
  c.run();
  ASSERT_EQ(c.replies.size(), 3u);
  ASSERT_TRUE(c.replies[2].result.ok()) << c.replies[2].result.error().message;
  EXPECT_EQ(c.disk[2].version, (CibVersion{0, 2, 0}));
  EXPECT_NE(c.disk[2].xml.find(R"(<primitive id="d1")"), std::string::npos) << c.disk[2].xml;
  EXPECT_NE(c.disk[2].xml.find(R"(<node_state id="1")"), std::string::npos)
      << "the status recorded meanwhile is kept: " << c.disk[2].xml;

  // A status write on the old base, and an edit behind a configuration write, are refused.
  c.apply(1, c.at(1).submit(4, CibChange{Kind::kStatus, read, recorded}, c.now));
  c.apply(1, c.at(1).submit(5, CibChange{Kind::kConfiguration, read, recorded}, c.now));
  ASSERT_EQ(c.replies.size(), 5u);
  EXPECT_EQ(c.replies[3].failure, WriteFailure::kStaleBase);
  EXPECT_EQ(c.replies[4].failure, WriteFailure::kStaleBase);
}

TEST(CibReplica, MinorityAndNonDcRefuseWrites) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(2, 1, Kind::kConfiguration, "x");
  ASSERT_EQ(c.replies.size(), 1u);
  EXPECT_EQ(c.replies[0].failure, WriteFailure::kNotDc);
  EXPECT_EQ(c.replies[0].dc, 1u);
  c.view(2, {1});  // node 1 alone: no quorum (views of {2,3} come separately)
  c.submit(1, 2, Kind::kConfiguration, "y");
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_EQ(c.replies[1].failure, WriteFailure::kNoQuorum);
  EXPECT_NE(c.replies[1].result.error().message.find("partition has no quorum"), std::string::npos);
  EXPECT_FALSE(c.at(1).isDc());
  EXPECT_EQ(c.disk[1].xml, "");
}

TEST(CibReplica, RejoiningNodeIsBroughtUpToDate) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.crash(3);
  c.view(2, {1, 2});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "while 3 was down");
  c.run();
  ASSERT_TRUE(c.replies.at(0).result.ok());
  c.start(3);
  EXPECT_FALSE(c.at(3).current());
  c.view(3, {1, 2, 3});
  // Quorate again, but until the DC's Replace its copy is the old one (the route checks must
  // not trust it): not current.
  EXPECT_FALSE(c.at(3).current());
  EXPECT_NE(c.at(3).cib().xml, "while 3 was down");
  c.run();
  EXPECT_TRUE(c.at(1).ready());
  EXPECT_EQ(c.disk[3].xml, "while 3 was down");
  EXPECT_EQ(c.disk[3], c.disk[1]);
  EXPECT_TRUE(c.at(1).current() && c.at(2).current() && c.at(3).current());
  c.view(4, {3});  // alone: no quorum, no current copy
  EXPECT_FALSE(c.at(3).current());
}

TEST(CibReplica, ViewChangeMidWriteFailsItUncertainAndQueuedOnesNotApplied) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "a");
  c.apply(1,
          c.at(1).submit(2, CibChange{Kind::kConfiguration, stampOf(c.at(1).cib()), "ab"}, c.now));
  c.wire.clear();  // nothing arrives
  c.view(2, {1, 2});
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_EQ(c.replies[0].failure, WriteFailure::kUncertain);
  EXPECT_NE(c.replies[0].result.error().message.find("may or may not have been applied"),
            std::string::npos);
  EXPECT_EQ(c.replies[1].failure, WriteFailure::kNotApplied);
}

// The DC persisted a write only on itself, then crashed: the write was never acked and the new
// DC does not have it. The new DC's acked writes reach the same version number with other
// content; when the old DC returns, its orphan must lose even though the numbers tie.
TEST(CibReplica, AckedWriteBeatsAnOrphanWithTheSameVersionNumber) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "orphan");
  c.wire.clear();  // the Replaces are lost: only node 1 persisted "orphan" at 0.1.0
  c.crash(1);
  c.view(2, {2, 3});
  c.run();
  c.submit(2, 2, Kind::kConfiguration, "acked");
  c.run();
  ASSERT_TRUE(c.replies.back().result.ok());
  EXPECT_EQ(*c.replies.back().result, (CibVersion{0, 1, 0}));
  EXPECT_EQ(c.disk[1].version, (CibVersion{0, 1, 0}));  // the same number, other content
  const CibStamp orphan = stampOf(c.disk[1]);
  c.start(1);
  c.view(3, {1, 2, 3});  // node 1 is the DC again, holding the orphan
  c.run();
  EXPECT_TRUE(c.at(1).ready());
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n].xml, "acked");
  // Both copies said 0.1.0: the DC moved the survivor above, so the number names one content.
  EXPECT_EQ(c.disk[1].version, (CibVersion{0, 2, 0}));
  // An edit of the orphan (read from node 1 before it rejoined) is stale.
  c.apply(1, c.at(1).submit(3, CibChange{Kind::kConfiguration, orphan, "orphan+"}, c.now));
  EXPECT_EQ(c.replies.back().failure, WriteFailure::kStaleBase);
}

// Without a version clash the sync keeps the chosen copy's stamp, so a client that read before
// the view change can still write.
TEST(CibReplica, ViewChangeWithoutClashKeepsClientsBase) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "a");
  c.run();
  const CibStamp read = stampOf(c.at(2).cib());
  c.view(2, {1, 2, 3});
  c.run();
  c.apply(1, c.at(1).submit(2, CibChange{Kind::kStatus, read, "a+s"}, c.now));
  c.run();
  ASSERT_TRUE(c.replies.back().result.ok()) << c.replies.back().result.error().message;
  EXPECT_EQ(*c.replies.back().result, (CibVersion{0, 1, 1}));
}

// Same version number, other content (an orphan edited at a node the DC never saw): the message
// names the rings.
TEST(CibReplica, StaleBaseWithTheSameVersionNumberNamesTheRings) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "a");
  c.run();
  const CibStamp orphan{RingId{1, 3}, c.at(1).cib().version};
  c.apply(1, c.at(1).submit(2, CibChange{Kind::kConfiguration, orphan, "x"}, c.now));
  EXPECT_EQ(c.replies.back().result.error().message,
            "the CIB changed since it was read (version 0.1.0 (ring 1.3), now 0.1.0 (ring 1.1)); "
            "read it again and retry");
}

// An acked write survives the DC's crash right after the reply, and its node's return.
TEST(CibReplica, AckedWriteSurvivesTheDcCrash) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "acked");
  c.run();
  ASSERT_TRUE(c.replies.back().result.ok());
  c.crash(1);
  c.view(2, {2, 3});
  c.run();
  EXPECT_TRUE(c.at(2).ready());
  EXPECT_EQ(c.at(2).cib().xml, "acked");
  c.start(1);
  c.view(3, {1, 2, 3});
  c.run();
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n].xml, "acked");
}

// The same kind of crash, but node 2 persisted the write before the DC died (its ack was lost): the
// new DC adopts it. An unacked write may survive; an acked one must.
TEST(CibReplica, UnackedWriteSurvivesWhenAMemberOfTheNewViewHoldsIt) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "maybe");
  c.run([](const Wire& w) { return w.out.to == 3 || isAck(w); });
  c.crash(1);
  c.view(2, {2, 3});
  c.run();
  EXPECT_TRUE(c.at(2).ready());
  EXPECT_EQ(c.disk[3].xml, "maybe");
}

// An orphan with a larger version number than the chosen copy: the sync moves the version above
// it, so that no member's version number goes down.
TEST(CibReplica, SyncMovesVersionAboveAVisibleOrphan) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "orphan");
  c.wire.clear();
  c.view(2, {1});  // node 1 loses quorum with its orphan 0.1.0 sealed in ring 1
  c.view(3, {2, 3});
  c.run();
  c.submit(2, 2, Kind::kStatus, "status");
  c.run();  // 0.0.1 sealed in ring 3: newer than the orphan, smaller number
  c.view(4, {1, 2, 3});
  c.run();
  EXPECT_EQ(c.disk[1].xml, "status");
  EXPECT_EQ(c.disk[1].version, (CibVersion{0, 2, 0}));
  EXPECT_EQ(c.disk[1], c.disk[3]);
}

TEST(CibReplica, MessagesOfAnotherRingAreIgnored) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  CibOutput out =
      c.at(2).onMessage(1, Replace{RingId{9, 1}, StoredCib{{0, 5, 0}, {9, 1}, "x"}}, c.now);
  EXPECT_FALSE(out.persist);
  EXPECT_TRUE(out.messages.empty());
  EXPECT_EQ(c.at(2).droppedMessages(), 1u);
  for (NodeId n : {1u, 2u, 3u}) EXPECT_TRUE(c.at(n).checkInvariants().ok());
}

// The DC's disk is full: the write is refused with the disk's error, nothing reaches the
// members (their copies stay), and once space is freed the next write goes through.
TEST(CibReplica, WriteTheDcCannotStoreIsRefusedAndSentNowhere) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.submit(1, 1, Kind::kConfiguration, "<cib one/>");
  c.run();
  const StoredCib before = c.disk[1];
  c.broken_disk = {1};
  c.submit(1, 2, Kind::kConfiguration, "<cib two/>");
  EXPECT_TRUE(c.wire.empty()) << "a copy that is not on the DC's disk must not be sent";
  c.run();
  c.tick();
  c.run();
  EXPECT_EQ(c.failed_persists, 1);
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_EQ(c.replies[1].id, 2u);
  ASSERT_FALSE(c.replies[1].result.ok());
  EXPECT_EQ(c.replies[1].failure, WriteFailure::kNotStored);
  EXPECT_NE(c.replies[1].result.error().message.find("No space left on device"), std::string::npos)
      << c.replies[1].result.error().message;
  for (NodeId n : {1u, 2u, 3u}) {
    EXPECT_EQ(c.disk[n], before) << "node " << n;
    EXPECT_EQ(c.at(n).cib(), before) << "node " << n;
  }
  c.broken_disk.clear();
  c.submit(1, 3, Kind::kConfiguration, "<cib three/>");
  c.run();
  ASSERT_EQ(c.replies.size(), 3u);
  ASSERT_TRUE(c.replies[2].result.ok()) << c.replies[2].result.error().message;
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n].xml, "<cib three/>");
}

// A one-node cluster acknowledges a write in the same output that persists it: a failed
// persist must turn that ok into a refusal.
TEST(CibReplica, OneNodeClusterDoesNotAcknowledgeAWriteItCannotStore) {
  Cluster c(1);
  c.view(1, {1}, 1);
  ASSERT_TRUE(c.at(1).ready());
  const StoredCib before = c.disk[1];
  c.broken_disk = {1};
  c.submit(1, 1, Kind::kConfiguration, "<cib lost/>");
  ASSERT_EQ(c.replies.size(), 1u);
  EXPECT_FALSE(c.replies[0].result.ok());
  EXPECT_EQ(c.at(1).cib(), before);
  c.broken_disk.clear();
  c.submit(1, 2, Kind::kConfiguration, "<cib kept/>");
  ASSERT_EQ(c.replies.size(), 2u);
  EXPECT_TRUE(c.replies[1].result.ok());
  EXPECT_EQ(c.disk[1].xml, "<cib kept/>");
}

// A member whose disk fails does not ack, so the DC does not acknowledge the write; once the
// disk works again the DC's resend is stored and acked, and only then is the writer answered.
TEST(CibReplica, WriteIsAcknowledgedOnlyOnceTheFailingMemberStoredIt) {
  Cluster c(3);
  c.view(1, {1, 2, 3});
  c.run();
  c.broken_disk = {3};
  c.submit(1, 1, Kind::kConfiguration, "<cib w/>");
  c.run();
  c.tick();
  c.run();
  EXPECT_GE(c.failed_persists, 2);  // the first Replace and its resend
  EXPECT_TRUE(c.replies.empty()) << "acknowledged while node 3 had not stored it";
  EXPECT_NE(c.disk[3].xml, "<cib w/>");
  c.broken_disk.clear();
  c.tick();
  c.run();
  ASSERT_EQ(c.replies.size(), 1u);
  EXPECT_TRUE(c.replies[0].result.ok());
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n].xml, "<cib w/>");
}

// The DC cannot store the copy its sync chose: it does not serve, and collects again once the
// disk works.
TEST(CibReplica, SyncTheDcCannotStoreIsRetried) {
  Cluster c(3);
  c.view(1, {2, 3});  // node 2 is DC and writes without node 1
  c.run();
  c.submit(2, 1, Kind::kConfiguration, "<cib newer/>");
  c.run();
  c.broken_disk = {1};
  c.view(2, {1, 2, 3});  // node 1 is DC again and must take node 2's newer copy
  c.run();
  c.tick();
  c.run();
  EXPECT_FALSE(c.at(1).ready());
  EXPECT_GE(c.failed_persists, 1);
  c.broken_disk.clear();
  c.tick();
  c.run();
  EXPECT_TRUE(c.at(1).ready());
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(c.disk[n].xml, "<cib newer/>");
}

}  // namespace
}  // namespace pulse::crmd
