// The DC's decision loop (pacemaker-controld's DC role) as a pure state machine: it keeps the
// CIB status in step with the membership, runs the policy engine on the newest confirmed CIB,
// walks the transition (TransitionRunner), hands actions to the nodes and records their results
// as status writes, and schedules again until the engine has nothing more to do.
//
// No I/O and no clock: every input carries the wall-clock time (seconds since the epoch, the
// engine's "now" and the recorded last-rc-change), every output is a value the shell carries
// out in order — submit `writes` (to the CIB replica, kind status), send `actions` (to the
// named node's executor), print `log`.
//
// Invariants:
//  * Nothing happens unless this node is DC (between onBecameDc and onLostDc); when it is not,
//    every input returns an empty output (requestFence: one log line saying so).
//  * At most one status write is in flight. A write is built on the newest confirmed CIB and
//    carries every queued status change (node states, operation results); when it fails it is
//    rebuilt on the newest confirmed CIB and sent again, so no change is lost.
//  * The next write waits until the previous one is both acknowledged (onWriteReply) and seen
//    as confirmed CIB (onCibChanged): only then is its base the current stamp.
//  * An action completes in the runner only once its result is durable in the CIB (Pacemaker's
//    TE completes actions from CIB updates too), so the next schedule always sees it.
//  * The engine runs only with no transition in progress, no status change pending, and a
//    confirmed CIB whose stamp differs from the one last scheduled on. The loop therefore stops
//    when a transition with no actions leaves the CIB unchanged.
//  * Probes (Pacemaker's monitor_0, which the engine does not schedule): every member node is
//    asked once about every primitive it has no lrm_resource for, before the engine may run;
//    the engine waits until every probe result is durable, so it never starts a resource that
//    is already running somewhere. A probe is never outstanding twice; a joining node and a
//    history deleted by `pcs resource cleanup` are probed again, and so is what a member names in
//    its join answer (below). Probes carry action ids from
//    kFirstProbeId up and are not part of any transition.
//  * Joins (Pacemaker's DC rebuilding each node's lrm history at every join): a result can be
//    lost with a DC's term (the DC left or lost the role before it was durable), so the CIB
//    may say stopped where a resource runs, and a start elsewhere would make it active twice.
//    At the start of a term, and when a member joins one, each member is asked
//    (join_queries) which resources it acted on that may not be recorded; the engine does not
//    run until every member answered (onJoinAnswer) and those resources were probed again. A
//    member that does not answer within kJoinWaitSeconds has every resource probed again.
//  * Pending actions (Pacemaker's record-pending, default true): an action handed to a node is
//    recorded at once as pending (op-status -1, rc 193, call-id -1, under the id its result
//    replaces), so `pcs status` shows it Starting/Stopping/Promoting while it runs. A new term
//    probes again every resource it finds pending on a member (reprobePending): the earlier DC
//    never recorded how it ended, and the probe, queued behind the action on that node, tells.
//    Probes, notifications and cancels are never recorded pending.
//  * Fencing (stonith-enabled, default true): a node that leaves the membership while expected
//    up is recorded unclean (in_ccm=false crmd=offline join=down expected=member, which the
//    engine reads as unclean) and one FenceRequest is made for it at a time. While any node is
//    unclean and not yet recorded fenced, the engine does not run at all, so none of the
//    resources it may still be running start elsewhere. (Pacemaker instead schedules around
//    it: the fencing action comes first in the graph and only the recovery of that node's
//    resources waits for it; here everything waits.) A successful fence records the node
//    cleanly down without lrm history or transient attributes; a failed one is retried at an
//    onTick at least kFenceRetrySeconds later. With stonith-enabled=false a lost node is
//    simply recorded down and its resources are recovered at once. A member fenced on request
//    (still in the view until the membership notices) ran its last actions in the run that was
//    powered off: they count as lost, and what it still reports is ignored until it leaves or
//    is back as another run (Pacemaker discards a fenced node's earlier results likewise).
//  * A member the engine finds unclean (a failure whose on-fail is fence: by default a failed
//    stop with stonith on) is fenced the same way, with a device (its watchdog has no reason to
//    fire), and that transition is not run: the stops there are implied by the fencing, and
//    running them would only fail again. So a failed action leads to fencing, a block or a
//    move, never to the same action retried at once: the loop settles (no transition storm).
//  * A CIB change not made by this controller, or a membership change, aborts the running
//    transition; actions in flight are still awaited and recorded, except those on nodes that
//    left, which count as failed at once (their results can no longer arrive).
//
// Thread-safety: none; the crmd io_context owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/cib/cib_status.h"
#include "crmd/cib/cib_types.h"
#include "crmd/cib/fence_history.h"
#include "crmd/cib/parsed_cib.h"
#include "crmd/controller/transition_runner.h"

namespace pulse::crmd {

using WallSeconds = std::int64_t;  // seconds since the epoch

// The time of one input to the controller, read from two clocks. The wall clock is for what is
// recorded or judged in calendar time (the shutdown attribute, the engine's "now": expired
// failure-timeouts, date rules). The monotonic clock is for the controller's own timers (action
// deadlines, fencing retries, cluster-recheck-interval): a wall clock stepped forwards (NTP, an
// operator's date) must not time out the actions in flight, nor one stepped backwards hold
// them back.
struct ControllerTime {
  WallSeconds wall = 0;
  std::int64_t monotonic = 0;  // seconds of a clock that never jumps (steady_clock)

  constexpr ControllerTime() = default;
  constexpr ControllerTime(WallSeconds wall_s, std::int64_t monotonic_s)
      : wall(wall_s), monotonic(monotonic_s) {}
  // One reading for both (the unit tests' scripted time, which never jumps unless a test
  // builds the two apart). NOLINTNEXTLINE(google-explicit-constructor): meant to convert.
  constexpr ControllerTime(WallSeconds both) : wall(both), monotonic(both) {}
};

struct Member {
  NodeId id = membership::kNoNode;  // also the node's id in <nodes> and its node_state id
  std::string name;                 // uname
  // The membership incarnation of the node's crmd (grows at every start; 0 if unknown). A
  // member whose incarnation differs from the one its node_state records has restarted since
  // its history was written: that history describes a process that no longer exists.
  std::uint64_t incarnation = 0;
  friend bool operator==(const Member&, const Member&) = default;
};

// What the executor reported for one action.
struct OcfResult {
  int rc = cib::kOcfOk;
  int exec_status = cib::kExecDone;  // 0 done, else Pacemaker's PCMK_EXEC_* (timeout, error...)
  std::string exit_reason;
  std::int64_t exec_ms = 0;
};

// One action for a node's executor, with everything taken from the CIB primitive.
struct ActionRequest {
  int action_id = 0;  // echo back in onActionResult
  std::string node;   // uname of the node that runs it
  std::string resource;
  std::string rsc_class, provider, type;
  std::string operation;  // start stop monitor promote demote ...
  std::int64_t interval_ms = 0;
  std::int64_t timeout_ms = 20000;            // the op definition's, else Pacemaker's 20 s
  std::map<std::string, std::string> params;  // the primitive's instance_attributes
  std::map<std::string, std::string> meta;    // the primitive's meta_attributes
  int expected_rc = cib::kOcfOk;              // 7 for a probe
  friend bool operator==(const ActionRequest&, const ActionRequest&) = default;
};

// A status write to submit; its reply goes back through onWriteReply(token, ...).
struct StatusWrite {
  std::uint64_t token = 0;
  CibChange change;  // kind kStatus, base = the confirmed stamp the xml was built on
};

// A node to fence before its resources may be recovered elsewhere (Pacemaker's "Fence
// (reboot) NODE"). The shell runs `device`'s fence agent (class stonith, the fence-agents stdin
// protocol, action=device.operation plug=NODE, timeout device.timeout_ms = Pacemaker's 60 s
// stonith-timeout) on a surviving node of its choice (device.node is empty, action_id 0); with no
// device (device.type empty) it is watchdog fencing: the shell waits `watchdog_wait_ms` from the
// moment the node was lost (the node's self-fencing bound) and then reports success. Either way the
// result comes back through onFenceResult.
// One level of the target's fencing topology (<fencing-level>, Pacemaker 2.1.5's fencer): its
// devices in order, every one of which must succeed for the level to fence the node. `unusable`
// (non-empty: `devices` is empty) says why the level cannot be tried at all (a device that is not
// configured, is disabled, or whose pcmk_host_list leaves the target out): it fails with that
// reason without running anything, as the fencer moves past a level no device can carry out.
struct FenceLevel {
  int index = 0;
  std::vector<ActionRequest> devices;
  std::string unusable;
  friend bool operator==(const FenceLevel&, const FenceLevel&) = default;
};

// With `levels` (the target has a fencing topology) the shell tries them by increasing index
// instead of `device` (then empty): a level's first failing device ends it, the first level
// whose devices all succeed fences the node, and when every level failed the node is NOT fenced,
// the reason naming each level's failure.
struct FenceRequest {
  std::string node;  // uname of the target
  NodeId node_id = membership::kNoNode;
  ActionRequest device;  // resource/type/params of the stonith primitive; empty: watchdog
  std::int64_t watchdog_wait_ms = 0;
  std::vector<FenceLevel> levels;  // non-empty: the topology; `device` carries only the operation
  friend bool operator==(const FenceRequest&, const FenceRequest&) = default;
};

struct ControllerOutput {
  std::vector<StatusWrite> writes;
  std::vector<ActionRequest> actions;
  std::vector<FenceRequest> fencing;
  // Members to ask which resources to probe again (JoinQuery); each answer comes back through
  // onJoinAnswer.
  std::vector<std::string> join_queries;
  // The CIB each new transition was computed from (Pacemaker's pe-input-N), to be saved so
  // that the decision can be replayed with pe-simulate. Set when the engine ran.
  std::optional<std::string> engine_input;
  std::vector<std::string> log;
  bool empty() const {
    return writes.empty() && actions.empty() && fencing.empty() && join_queries.empty() &&
           !engine_input && log.empty();
  }
};

class Controller {
 public:
  // This node won the election and its CIB (synchronised, stamped cib->stamp()) is the
  // cluster's. The controller keeps the shared parsed copy (parsed_cib.h) and reads it in
  // place: it never parses the CIB itself.
  ControllerOutput onBecameDc(CibRef cib, std::vector<Member> members, ControllerTime now);
  // Another node is DC, or this one lost quorum: forget the transition and the queued writes
  // (the next DC rebuilds everything from the CIB status). Actions in flight are not cancelled.
  ControllerOutput onLostDc(ControllerTime now);
  // A write was confirmed by replication (this controller's or anyone's).
  ControllerOutput onCibChanged(CibRef cib, ControllerTime now);
  ControllerOutput onMembersChanged(std::vector<Member> members, ControllerTime now);
  ControllerOutput onActionResult(int action_id, const std::string& node, const OcfResult& result,
                                  ControllerTime now);
  ControllerOutput onWriteReply(std::uint64_t token, const WriteReply& reply, ControllerTime now);
  // A member's answer to this term's join query: `resources` (primitive ids) are probed on it
  // again, history or not. Ignored from a node not asked (or already answered).
  ControllerOutput onJoinAnswer(const std::string& node, const std::vector<std::string>& resources,
                                ControllerTime now);
  // The result of a FenceRequest for `node`. Success: the node is recorded as cleanly down
  // (its lrm history and transient attributes forgotten, as Pacemaker does after fencing) and
  // scheduling resumes. Failure: logged; the request is made again at a later onTick.
  ControllerOutput onFenceResult(const std::string& node, bool ok, const std::string& reason,
                                 ControllerTime now);
  // A recurring monitor changed result on `node` (the executor reports the first result and
  // every change): recorded under RSC_monitor_INTERVAL, a failure counted; the new CIB makes
  // the engine run again.
  ControllerOutput onMonitorResult(const ActionRequest& monitor, const OcfResult& result,
                                   ControllerTime now);
  // `pcs stonith fence NODE [--off]`: a FenceRequest (device operation "reboot" or "off") whose
  // result comes back through onFenceResult like any other; on success the node is recorded
  // cleanly down, so its leaving the membership afterwards does not make it unclean. When not
  // DC, when NODE is not a configured node or member, when it is already being fenced, or when
  // no fence device may fence it: no request, and one log line saying why.
  ControllerOutput requestFence(const std::string& node, bool off, ControllerTime now);
  // A fencing operation started or ended (the shell runs them): recorded in the CIB status's
  // fencing history (fence_history.h) with the next status write, so that every node shows it
  // and a later DC keeps it. Ignored when not DC.
  ControllerOutput recordFenceEvent(const cib::FenceEvent& event, ControllerTime now);
  // The watchdog self-fencing bound the shell computed (Pacemaker: 2 x SBD_WATCHDOG_TIMEOUT);
  // used when stonith-watchdog-timeout is negative. Survives becoming and losing DC.
  void setWatchdogMinimumMs(std::int64_t ms) { watchdog_minimum_ms_ = ms; }
  // This node's id (its <node id>): the engine reads it as dc-uuid (#is_dc rules).
  void setSelfId(std::string id) { self_id_ = std::move(id); }
  // A member is leaving on purpose (pcs cluster stop): its transient attribute `shutdown` is set,
  // so the engine moves its resources away (a shutting-down node cannot run any), and when it
  // leaves it is recorded cleanly down, not lost: no fencing (Pacemaker's controlled shutdown).
  ControllerOutput requestShutdown(const std::string& node, ControllerTime now);
  // Periodic (every few seconds): retries a failed write whose base has not moved (kBusy,
  // kNoQuorum...), fails actions whose result is overdue (timeout + 60 s cluster-delay), and
  // runs the engine again on an unchanged CIB once cluster-recheck-interval (Pacemaker's
  // default 15 min; 0 never) has passed since it last ran, so that what depends on time alone
  // (an expired failure-timeout) takes effect.
  ControllerOutput onTick(ControllerTime now);

  bool isDc() const { return dc_; }
  // True when nothing is running, pending or left to schedule.
  bool idle() const;
  std::uint64_t transitionsRun() const { return transition_count_; }
  // The invariants above that can be read off the state between two inputs; an Error names the
  // broken one (controller_invariants.cc).
  Status checkInvariants() const;

  static constexpr int kFirstProbeId = 1'000'000;  // probe action ids count up from here
  static constexpr WallSeconds kFenceRetrySeconds = 5;
  static constexpr WallSeconds kDefaultRecheckSeconds = 15 * 60;
  // How long a member has to answer a join query (a crmd of an earlier release never does).
  static constexpr std::int64_t kJoinWaitSeconds = 5;

 private:
  // A recurring monitor cancelled on a node (its history entry is to be forgotten).
  struct CancelledMonitor {
    std::string node_id;
    std::string rsc;
    std::int64_t interval_ms = 0;
  };
  // A status change waiting to be written: a node_state refresh or an operation result.
  struct Change {
    std::optional<std::vector<Member>> members{};  // refresh node_states from this membership
    std::optional<cib::OperationResult> result{};  // with call_id assigned when applied
    std::optional<CancelledMonitor> cancelled{};
    int action_id = -1;  // >= 0: complete in the runner once durable
    bool expected = true;
    std::string reason{};
    std::string fenced_node_id{};         // non-empty: record this node fenced (cleanly down)
    std::set<std::string> fenced_left{};  // fenced by request and now gone: down, not unclean
    std::string shutdown_node_id{};       // non-empty: set this node's shutdown attribute
    std::optional<cib::FenceEvent> fence_event{};  // record in the fencing history
  };
  struct InFlightWrite {
    std::uint64_t token = 0;
    std::vector<Change> changes{};
    std::string fingerprint{};  // the xml without version attributes, to recognise it confirmed
    CibStamp base{};
    bool acknowledged = false;
    CibVersion acknowledged_version{};
    bool seen = false;
  };

  struct Dispatched {
    ActionRequest request;
    pe::Action action;
    std::string node_id;
    std::int64_t deadline = 0;  // monotonic; after it, onTick records the action as timed out
    bool in_runner = true;      // false: a probe, not part of the transition
  };
  struct Fencing {
    enum class State { kNew, kOutstanding, kFailed, kFenced, kNoMeans };
    State state = State::kNew;
    std::string node_id{};
    std::int64_t retry_at = 0;  // monotonic
  };

  void step(ControllerOutput& out);
  // Queues the result's status write (history entry, fail count); the runner hears of it
  // once the write is durable.
  void recordResult(Dispatched d, const OcfResult& result, ControllerOutput& out);
  // Queues the pending history entry of an action just handed to a node (Pacemaker's
  // record-pending): op-status -1, rc 193, call-id -1 under the id its result will replace, so
  // that the status shows it Starting/Stopping/... and a DC that takes over while it runs
  // knows it may be active there. Not for probes, notifications and cancels, nor when the
  // op's record-pending (or op_defaults') is false.
  void recordPending(const Dispatched& d);
  // The history entry of `d`'s request (node, agent, operation, transition key, digest).
  cib::OperationResult historyEntry(const Dispatched& d) const;
  // Hands out the probes the confirmed CIB calls for (controller_fencing.cc).
  void probe(ControllerOutput& out);
  // A new term: every member's resource with a pending entry (an action an earlier DC handed
  // out, whose result that DC never recorded) is probed there again before the engine runs.
  // The node's executor runs the probe after the action (one operation per resource at a
  // time), so the probe tells how it ended; the engine waits for that answer.
  void reprobePending(ControllerOutput& out);
  // Asks `node` which resources to probe again (a join); its answer is awaited.
  void queryJoin(const std::string& node, ControllerOutput& out);
  // Requests fencing for every unclean node not being fenced; `tick` allows the retries.
  void fence(ControllerOutput& out, bool tick);
  // Whether the confirmed CIB has unclean nodes (with fencing on) still to be fenced.
  bool waitingForFencing() const;
  void flushWrites(ControllerOutput& out, bool retry_now);
  void commit(InFlightWrite& write, ControllerOutput& out);
  void maybeSchedule(ControllerOutput& out);
  void dispatch(ControllerOutput& out);
  void abortTransition(const std::string& reason, ControllerOutput& out);

  bool dc_ = false;
  CibRef cib_;  // newest confirmed CIB (null only before onBecameDc)
  CibStamp stamp_{};
  std::optional<CibStamp> scheduled_on_;  // stamp of the CIB the last transition came from
  std::int64_t last_engine_run_ = 0;      // when the engine last ran (monotonic)
  WallSeconds recheck_seconds_ = 0;       // cluster-recheck-interval of that CIB; 0: never
  std::vector<Member> members_;
  ControllerTime now_{};

  std::deque<Change> queued_;               // not yet in a write
  std::optional<InFlightWrite> in_flight_;  // at most one write outstanding
  std::optional<CibStamp> failed_base_;     // last write failed on this base: wait for news
  std::string last_committed_fingerprint_;  // to tell a re-delivery of our own write
  std::uint64_t next_token_ = 1;
  std::optional<TransitionRunner> runner_;
  std::uint64_t transition_count_ = 0;
  std::map<int, Dispatched> dispatched_;  // handed to a node, result not yet received
  int next_probe_id_ = kFirstProbeId;
  std::map<std::string, std::int64_t> joining_;  // by uname: join answer awaited until (monotonic)
  // By uname: primitives to probe again although the node has history for them (a join).
  std::map<std::string, std::set<std::string>> reprobe_;
  std::map<std::string, Fencing> fencing_;  // by uname: nodes being (or waiting to be) fenced
  // Nodes fenced on request while still members, by id, with the incarnation that was fenced:
  // until the node leaves (or is back as another run), nothing it reports is recorded.
  std::map<std::string, std::uint64_t> fenced_members_;
  // Members the last engine run found unclean (a failed stop with stonith on), by uname, with
  // the reason; fenced like lost nodes. Recomputed at every engine run, so a node drops out
  // once its fencing is recorded (its history is erased) or a cleanup removed the failure.
  std::map<std::string, std::string> failure_fencing_;
  // Fence actions of the running transition for nodes that are not members (startup fencing
  // of a node never seen, an unclean node the engine schedules around): uname -> action id.
  // They go through the same fencing as lost nodes; the action completes with the result.
  std::map<std::string, int> graph_fencing_;
  std::int64_t watchdog_minimum_ms_ = 0;
  std::string self_id_;  // kept across terms, as watchdog_minimum_ms_
};

}  // namespace pulse::crmd
