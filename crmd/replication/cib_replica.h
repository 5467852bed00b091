// CIB replication and DC election on one node, as a pure state machine (the shape of
// membership/membership_node.h). No threads, sockets, disks or clocks: the shell feeds it views,
// received messages, client writes and timer ticks, each with the current time, and carries out
// the returned CibOutput (persist first, then send and reply). Not thread-safe; one owner.
//
// DC election: the DC of a quorate view is its lowest node id; a view without quorum has no DC.
// Every member installs the same views in the same order, so all agree without a message.
//
// Phases of the DC of ring R (a member only answers):
//  1. collect: send SyncQuery(R) to every member; each answers with its whole persisted copy.
//  2. sync:    choose the newest copy by (sealed_in, version) (if another member holds other
//              content with the same or a larger version number, move the version above it
//              and seal it with R); persist it and send Replace(R) to every member; wait for
//              every ReplaceAck.
//  3. ready:   serve writes one at a time: check the base, bump the version (configuration:
//              epoch+1, num_updates=0; status: num_updates+1), seal with R, persist, Replace to
//              every member, and reply ok once every member has acked. A configuration write
//              whose base is behind only by status writes (same seal and epoch) is rebased: it
//              keeps its configuration and takes the current status.
// Queries and Replaces not yet answered are resent every `resend` (messages may be lost). There
// is no per-write timeout: a member that never answers is removed by the membership, and the
// view change ends the phase. A new view restarts at 1 (or makes this node a plain member).
//
// Why a DC seals its writes with its ring id (a flaw in "the newest version wins" alone): a DC can
// persist a write on a few members and then lose them in a view change (the write is reported
// "uncertain"). A later DC that did not see those members bumps its own version from an older
// one and can reach the same version number with other content. When the partition heals, the
// version numbers tie (or the orphan's is larger) and an acknowledged write could be replaced
// by the orphan. Ordering copies by the ring of the DC that sealed them first makes the
// acknowledged lineage win, as terms do in Raft. (Only copies created in ring R are sealed with
// R and only those are ever acknowledged, so Raft's "never commit an old term's entry by
// counting replicas" holds by construction.) For the same reason a write's base is a stamp:
// an edit of an orphan must be refused even when its version number equals the current one.
//
// Guarantees (checked by tests/cib/simulation_test.cc):
//  * a write replied ok is durable on every member of the quorate view at that moment, and every
//    later ready DC's copy contains it and has a stamp >= its stamp;
//  * the stamp, and the version number, a node persists never go down (the sync moves the
//    version above any clash it sees); one stamp names one content;
//  * a write refused with anything but kUncertain is never applied;
//  * in a non-quorate partition nothing is written.
// Why it holds: a write is acked only once every member of its quorate view V persisted it
// while in V; any later quorate view shares a member with V, which replies to the next DC's
// query only after leaving V, so the newest stamp that DC sees is that write or a descendant.
// Not guaranteed: an uncertain write may survive or vanish. While a node holds an orphan (the
// persisted part of a lost write) outside the quorate partition, the DC, which cannot see it,
// may reuse its version number for other content; the two copies differ in stamp, and the
// orphan is replaced (under a larger number) when its node rejoins. The policy engine and tools
// that key on the bare version should therefore read the CIB from the DC.
//
// Invariants (checkInvariants()): a DC is a member of a quorate view and the lowest id in it;
// only a ready DC has a write in flight; the in-flight write is the persisted copy; acked and
// replied sets only hold members of the view.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "crmd/cib/cib_types.h"

namespace pulse::crmd {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::milliseconds;

struct CibReplicaOptions {
  Duration resend{100};         // retransmission of unanswered queries and Replaces
  std::size_t max_queued = 64;  // writes waiting behind the one in flight
};

class CibReplica {
 public:
  enum class Phase {
    kNoView,      // no view installed yet
    kNoQuorum,    // the view has no quorum: no DC, no writes
    kMember,      // a member of a quorate view, not its DC
    kCollecting,  // DC, phase 1
    kSyncing,     // DC, phase 2
    kReady,       // DC, phase 3
  };

  // Starts (or restarts) node `self` from its persisted copy (empty StoredCib on first start).
  CibReplica(NodeId self, StoredCib persisted, CibReplicaOptions options = {});

  // A view installed by the membership. Views whose ring id does not grow are ignored. Ends the
  // current phase: a write in flight fails kUncertain, queued writes fail kNotApplied.
  CibOutput onViewChanged(const View& view, bool quorate, TimePoint now);

  // A message from `from`. Dropped unless it is for the installed ring, from a member of it,
  // and expected in this phase.
  CibOutput onMessage(NodeId from, const CibMessage& message, TimePoint now);

  // Resends unanswered queries and Replaces when due. Call every few tens of ms while
  // resendPending(); otherwise it has nothing to do (the shell then ticks rarely).
  CibOutput onTick(TimePoint now);
  // True while this node is the DC and some member has not answered a query or a Replace.
  bool resendPending() const;

  // A client write. Refused at once unless this node is the DC (kNotDc, kNoQuorum, kNoDc) or
  // when the queue is full (kBusy); otherwise queued and answered by a later output: ok with the
  // new version once durable on every member, or kStaleBase, kNotApplied, kUncertain.
  CibOutput submit(WriteId id, CibChange change, TimePoint now);

  // The shell could not persist the copy of the output it was carrying out (CibOutput::persist:
  // a write, an fsync or a full disk failed), so it carried out nothing that vouches for that
  // copy: no message sent, no ok reply or confirmation for it given. `durable` is the copy still
  // on disk, which is in force again here. A ready DC fails its write in flight (kNotStored,
  // with `reason`: nothing left the node) and goes on with the queue; a syncing DC collects
  // again at the next tick; a member answers nothing and persists the DC's resent Replace.
  CibOutput onPersistFailed(StoredCib durable, const std::string& reason, TimePoint now);

  NodeId id() const { return self_; }
  Phase phase() const { return phase_; }
  bool isDc() const;
  bool ready() const { return phase_ == Phase::kReady; }
  // The DC of the installed view, if it is quorate.
  std::optional<NodeId> dc() const;
  const std::optional<View>& view() const { return view_; }
  // The persisted copy (at the DC this includes a write still being replicated).
  const StoredCib& cib() const { return cib_; }
  // The persisted copy is the cluster's copy of the installed view: this node is the ready DC,
  // or a member that took the DC's Replace of this ring. False without quorum, and from a
  // view change until that Replace: a node that rejoins holds its old copy until then, and
  // that copy may show resources running here that have moved meanwhile.
  bool current() const { return isDc() ? ready() : phase_ == Phase::kMember && replaced_; }
  std::uint64_t droppedMessages() const { return dropped_; }

  Status checkInvariants() const;

 private:
  struct Pending {
    WriteId id;
    CibChange change;
  };

  void onSyncQuery(NodeId from, const SyncQuery& m, CibOutput& out);
  void onSyncReply(NodeId from, const SyncReply& m, CibOutput& out);
  void onReplace(NodeId from, const Replace& m, CibOutput& out);
  void onReplaceAck(NodeId from, const ReplaceAck& m, CibOutput& out);

  bool forThisRing(NodeId from, const RingId& ring) const;
  void startCollecting(CibOutput& out);
  void finishCollecting(CibOutput& out);
  void replicate(StoredCib cib, CibOutput& out);  // persist + Replace to every other member
  void onAllAcked(CibOutput& out);
  void startNextWrite(CibOutput& out);
  // A configuration write whose base differs from the current copy only by status writes.
  bool rebasable(const CibChange& change) const;
  void failAll(CibOutput& out);
  std::vector<NodeId> others() const;
  void send(NodeId to, CibMessage m, CibOutput& out) const;

  const NodeId self_;
  const CibReplicaOptions options_;
  // The persisted copy; changed only together with CibOutput::persist. Its stamp never goes down.
  StoredCib cib_;
  // The installed view (ring ids only grow) and its quorum; set by onViewChanged().
  std::optional<View> view_;
  bool quorate_ = false;
  Phase phase_ = Phase::kNoView;
  // Member: cib_ is the DC's copy of this ring (a Replace was taken since the view changed and
  // since the last failed persist).
  bool replaced_ = false;
  // DC, collecting: the copies received so far (own copy included).
  std::map<NodeId, StoredCib> replies_;
  // DC, syncing or a write in flight: members (self included) known to hold cib_ durably.
  std::set<NodeId> acked_;
  // DC, ready: the write being replicated (its copy is cib_), and those waiting behind it.
  std::optional<WriteId> in_flight_;
  std::deque<Pending> queue_;
  // The time of the call being handled (every entry point sets it), and when the DC next resends
  // what is unanswered: `resend` after the last query or Replace went out.
  TimePoint now_{};
  TimePoint next_resend_{};
  std::uint64_t dropped_ = 0;
};

std::string toString(CibReplica::Phase phase);

}  // namespace pulse::crmd
