#include "crmd/replication/cib_replica.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "crmd/cib/cib_xml.h"

namespace pulse::crmd {

namespace {

WriteReply failure(WriteId id, WriteFailure why, std::string message,
                   NodeId dc = membership::kNoNode) {
  return WriteReply{id, Error{std::move(message)}, why, dc};
}

CibVersion bumped(const CibVersion& v, CibChange::Kind kind) {
  if (kind == CibChange::Kind::kStatus) return {v.admin_epoch, v.epoch, v.num_updates + 1};
  return {v.admin_epoch, v.epoch + 1, 0};
}

}  // namespace

// Only status writes came since the configuration edit's base: same ring seal, same
// admin_epoch and epoch (every configuration write bumps the epoch, so the configuration is
// exactly the one the client edited), a smaller num_updates.
bool CibReplica::rebasable(const CibChange& change) const {
  const CibStamp now = stampOf(cib_);
  return change.kind == CibChange::Kind::kConfiguration && change.base.sealed_in == now.sealed_in &&
         change.base.version.admin_epoch == now.version.admin_epoch &&
         change.base.version.epoch == now.version.epoch &&
         change.base.version.num_updates < now.version.num_updates;
}

std::string toString(CibReplica::Phase phase) {
  switch (phase) {
    case CibReplica::Phase::kNoView:
      return "no-view";
    case CibReplica::Phase::kNoQuorum:
      return "no-quorum";
    case CibReplica::Phase::kMember:
      return "member";
    case CibReplica::Phase::kCollecting:
      return "dc-collecting";
    case CibReplica::Phase::kSyncing:
      return "dc-syncing";
    case CibReplica::Phase::kReady:
      return "dc-ready";
  }
  return "?";
}

CibReplica::CibReplica(NodeId self, StoredCib persisted, CibReplicaOptions options)
    : self_(self), options_(options), cib_(std::move(persisted)) {}

bool CibReplica::isDc() const {
  return phase_ == Phase::kCollecting || phase_ == Phase::kSyncing || phase_ == Phase::kReady;
}

std::optional<NodeId> CibReplica::dc() const {
  if (!view_ || !quorate_ || view_->members.empty()) return std::nullopt;
  return view_->members.front();  // members are sorted: the lowest id
}

std::vector<NodeId> CibReplica::others() const {
  std::vector<NodeId> out;
  for (NodeId m : view_->members) {
    if (m != self_) out.push_back(m);
  }
  return out;
}

void CibReplica::send(NodeId to, CibMessage m, CibOutput& out) const {
  out.messages.push_back(CibOutgoing{to, std::move(m)});
}

CibOutput CibReplica::onViewChanged(const View& view, bool quorate, TimePoint now) {
  now_ = now;
  CibOutput out;
  if (view_ && view.ring_id <= view_->ring_id) return out;  // stale or repeated: ignore
  failAll(out);
  view_ = view;
  quorate_ = quorate && view.contains(self_);
  replaced_ = false;
  replies_.clear();
  acked_.clear();
  if (!quorate_) {
    phase_ = Phase::kNoQuorum;
  } else if (*dc() != self_) {
    phase_ = Phase::kMember;
  } else {
    startCollecting(out);
  }
  return out;
}

void CibReplica::failAll(CibOutput& out) {
  if (in_flight_) {
    out.replies.push_back(failure(
        *in_flight_, WriteFailure::kUncertain,
        "membership changed before the write was confirmed on every member; it may or may not "
        "have been applied (read the CIB to find out)"));
    in_flight_.reset();
  }
  for (const Pending& p : queue_) {
    out.replies.push_back(failure(p.id, WriteFailure::kNotApplied,
                                  "membership changed before the write was started; it was not "
                                  "applied (retry it)"));
  }
  queue_.clear();
}

void CibReplica::startCollecting(CibOutput& out) {
  phase_ = Phase::kCollecting;
  replies_[self_] = cib_;
  next_resend_ = now_ + options_.resend;
  for (NodeId m : others()) send(m, SyncQuery{view_->ring_id}, out);
  if (replies_.size() == view_->members.size()) finishCollecting(out);
}

// Chooses the newest copy by stamp. It keeps its stamp (sealing it again would make every
// client's base stale at every view change) unless another member holds a different copy with
// the same or a larger version number (an orphan of a lost write): then the chosen content gets
// a version above all of them, sealed with this ring, so that one version number names one
// content wherever this DC can see, and no member's version number goes down.
void CibReplica::finishCollecting(CibOutput& out) {
  const StoredCib* newest = nullptr;
  for (const auto& [node, copy] : replies_) {
    if (!newest || stampOf(copy) > stampOf(*newest)) newest = &copy;
  }
  StoredCib chosen = *newest;
  CibVersion largest = chosen.version;
  bool clash = false;
  for (const auto& [node, copy] : replies_) {
    if (stampOf(copy) != stampOf(chosen) && copy.version >= chosen.version) {
      clash = true;
      largest = std::max(largest, copy.version);
    }
  }
  if (clash) {
    chosen.version = {largest.admin_epoch, largest.epoch + 1, 0};
    chosen.sealed_in = view_->ring_id;
  }
  replies_.clear();
  phase_ = Phase::kSyncing;
  replicate(std::move(chosen), out);
}

// Persists `cib` (unless the DC already holds exactly it) and sends it to every other member.
void CibReplica::replicate(StoredCib cib, CibOutput& out) {
  if (cib != cib_) {
    cib_ = std::move(cib);
    out.persist = cib_;
  }
  next_resend_ = now_ + options_.resend;
  acked_ = {self_};
  for (NodeId m : others()) send(m, Replace{view_->ring_id, cib_}, out);
  if (acked_.size() == view_->members.size()) onAllAcked(out);
}

void CibReplica::onAllAcked(CibOutput& out) {
  out.confirmed = cib_;
  if (phase_ == Phase::kSyncing) {
    phase_ = Phase::kReady;
  } else if (in_flight_) {
    out.replies.push_back(WriteReply{*in_flight_, cib_.version, WriteFailure::kNone, self_});
    in_flight_.reset();
  }
  startNextWrite(out);
}

void CibReplica::startNextWrite(CibOutput& out) {
  while (phase_ == Phase::kReady && !in_flight_ && !queue_.empty()) {
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    if (rebasable(p.change)) {
      // A configuration edit read before status writes that came since: it keeps its
      // configuration and takes today's status (Pacemaker's replace of the configuration
      // section), instead of failing pcs for every monitor result recorded meanwhile.
      auto rebased = cib::withStatusOf(p.change.xml, cib_.xml);
      if (rebased) {
        p.change.xml = std::move(*rebased);
        p.change.base = stampOf(cib_);
      }
    }
    if (p.change.base != stampOf(cib_)) {
      // Print the ring only when the version numbers alone do not show the change.
      const bool same_number = p.change.base.version == cib_.version;
      const std::string read =
          same_number ? toString(p.change.base) : toString(p.change.base.version);
      const std::string now = same_number ? toString(stampOf(cib_)) : toString(cib_.version);
      out.replies.push_back(failure(p.id, WriteFailure::kStaleBase,
                                    "the CIB changed since it was read (version " + read +
                                        ", now " + now + "); read it again and retry"));
      continue;
    }
    in_flight_ = p.id;
    replicate(
        StoredCib{bumped(cib_.version, p.change.kind), view_->ring_id, std::move(p.change.xml)},
        out);
  }
}

CibOutput CibReplica::submit(WriteId id, CibChange change, TimePoint now) {
  now_ = now;
  CibOutput out;
  if (!view_) {
    out.replies.push_back(failure(id, WriteFailure::kNoDc,
                                  "no DC yet (election in progress): node " +
                                      std::to_string(self_) + " has not joined a view"));
  } else if (!quorate_) {
    out.replies.push_back(failure(id, WriteFailure::kNoQuorum,
                                  "partition has no quorum: node " + std::to_string(self_) +
                                      " in view " + membership::toString(*view_) +
                                      " refuses writes"));
  } else if (!isDc()) {
    out.replies.push_back(failure(id, WriteFailure::kNotDc,
                                  "node " + std::to_string(self_) +
                                      " is not the DC; send the write to the DC, node " +
                                      std::to_string(*dc()),
                                  *dc()));
  } else if (queue_.size() >= options_.max_queued) {
    out.replies.push_back(failure(
        id, WriteFailure::kBusy,
        "too many writes waiting at the DC (" + std::to_string(queue_.size()) + "); retry later"));
  } else {
    queue_.push_back(Pending{id, std::move(change)});
    startNextWrite(out);
  }
  return out;
}

CibOutput CibReplica::onMessage(NodeId from, const CibMessage& message, TimePoint now) {
  now_ = now;
  CibOutput out;
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if (!forThisRing(from, m.ring)) {
          ++dropped_;
        } else if constexpr (std::is_same_v<M, SyncQuery>) {
          onSyncQuery(from, m, out);
        } else if constexpr (std::is_same_v<M, SyncReply>) {
          onSyncReply(from, m, out);
        } else if constexpr (std::is_same_v<M, Replace>) {
          onReplace(from, m, out);
        } else {
          onReplaceAck(from, m, out);
        }
      },
      message);
  return out;
}

bool CibReplica::forThisRing(NodeId from, const RingId& ring) const {
  return view_ && quorate_ && ring == view_->ring_id && from != self_ && view_->contains(from);
}

// Queries and Replaces are only obeyed from the DC of this ring; answers only reach the DC.
void CibReplica::onSyncQuery(NodeId from, const SyncQuery& m, CibOutput& out) {
  if (phase_ != Phase::kMember || from != *dc()) return void(++dropped_);
  send(from, SyncReply{m.ring, cib_}, out);
}

void CibReplica::onSyncReply(NodeId from, const SyncReply& m, CibOutput& out) {
  if (phase_ != Phase::kCollecting) return void(++dropped_);
  replies_[from] = m.cib;
  if (replies_.size() == view_->members.size()) finishCollecting(out);
}

// A member persists any copy newer than its own. A Replace older than the persisted copy can
// only be a delayed duplicate within this ring (the DC's copies of one ring only grow): not
// acked, since the DC waits for the newer one.
void CibReplica::onReplace(NodeId from, const Replace& m, CibOutput& out) {
  if (phase_ != Phase::kMember || from != *dc()) return void(++dropped_);
  if (stampOf(m.cib) < stampOf(cib_)) return void(++dropped_);
  if (m.cib != cib_) {
    cib_ = m.cib;
    out.persist = cib_;
  }
  replaced_ = true;
  send(from, ReplaceAck{m.ring, stampOf(cib_)}, out);
}

void CibReplica::onReplaceAck(NodeId from, const ReplaceAck& m, CibOutput& out) {
  const bool waiting = phase_ == Phase::kSyncing || (phase_ == Phase::kReady && in_flight_);
  if (!waiting || m.stamp != stampOf(cib_)) return void(++dropped_);
  acked_.insert(from);
  if (acked_.size() == view_->members.size()) onAllAcked(out);
}

CibOutput CibReplica::onPersistFailed(StoredCib durable, const std::string& reason, TimePoint now) {
  now_ = now;
  CibOutput out;
  cib_ = std::move(durable);
  replaced_ = false;  // a member's copy is the old one again, until the DC resends
  if (phase_ == Phase::kSyncing) {
    // The chosen copy is not on this disk: start over (onTick collects again), since the
    // members' copies may have moved meanwhile.
    phase_ = Phase::kCollecting;
    replies_.clear();
    acked_.clear();
    next_resend_ = now;
  } else if (phase_ == Phase::kReady) {
    acked_.clear();
    if (in_flight_) {
      out.replies.push_back(failure(*in_flight_, WriteFailure::kNotStored,
                                    "the DC (node " + std::to_string(self_) +
                                        ") could not store the new CIB: " + reason +
                                        "; the write was not applied"));
      in_flight_.reset();
    }
    startNextWrite(out);
  }
  return out;
}

CibOutput CibReplica::onTick(TimePoint now) {
  now_ = now;
  CibOutput out;
  if (!isDc() || now < next_resend_) return out;
  next_resend_ = now + options_.resend;
  if (phase_ == Phase::kCollecting && replies_.empty()) {
    startCollecting(out);  // after a failed persist of the synced copy
    return out;
  }
  for (NodeId m : others()) {
    if (phase_ == Phase::kCollecting && !replies_.contains(m)) {
      send(m, SyncQuery{view_->ring_id}, out);
    } else if ((phase_ == Phase::kSyncing || in_flight_) && !acked_.contains(m)) {
      send(m, Replace{view_->ring_id, cib_}, out);
    }
  }
  return out;
}

bool CibReplica::resendPending() const {
  if (!isDc()) return false;
  for (NodeId m : others()) {
    if (phase_ == Phase::kCollecting && !replies_.contains(m)) return true;
    if ((phase_ == Phase::kSyncing || in_flight_) && !acked_.contains(m)) return true;
  }
  return false;
}

Status CibReplica::checkInvariants() const {
  const auto fail = [&](const std::string& what) {
    return Status(Error{"node " + std::to_string(self_) + " (" + toString(phase_) + "): " + what});
  };
  if (isDc() && (!quorate_ || dc() != self_)) return fail("DC without quorum or not lowest id");
  if (in_flight_ && phase_ != Phase::kReady) return fail("write in flight outside ready");
  if (in_flight_ && cib_.sealed_in != view_->ring_id) return fail("in-flight copy not sealed");
  if (phase_ == Phase::kReady && !in_flight_ && !queue_.empty()) return fail("idle with queue");
  for (NodeId n : acked_) {
    if (!view_->contains(n)) return fail("ack from non-member " + std::to_string(n));
  }
  for (const auto& [n, copy] : replies_) {
    if (!view_->contains(n)) return fail("reply from non-member " + std::to_string(n));
  }
  if (view_ && cib_.sealed_in > view_->ring_id) return fail("copy sealed in a future ring");
  return {};
}

}  // namespace pulse::crmd
