// ResourceManager's state (resource_manager.h), private to pulse_crmd. The shell has three
// parts, one file each, that share this state on the cluster io thread:
//   resource_manager_node.cc     every node: the view and quorum (no-quorum-policy), the CIB
//                                events, the actions a DC sends to this node's executor and
//                                the outbox of their results to the DC
//   resource_manager_dc.cc       the DC: the Controller's outputs carried out (status writes,
//                                actions to the nodes, saved engine inputs, have-watchdog), its
//                                results and its tick
//   resource_manager_fencing.cc  the DC's fencing: fence agents on their own threads, or the
//                                wait for a lost node's watchdog
//   resource_manager_delegation.cc  fencing across nodes: the DC as target handing its fencing
//                                to a peer, results shared with every member, `pcs stonith
//                                fence` relayed from a member to the DC
//   resource_manager_alerts.cc   the alert agents each node runs for its events
// and resource_manager.cc holds the public calls, which post onto the io thread.
//
// Invariants (resource_manager.h gives the cluster-level ones):
//  * Every member below is touched only on the io thread, except those marked atomic or
//    guarded by idle_mutex, which the public calls read from any thread.
//  * `controller` hears of events only while dc_active; carryOut() is the only way its outputs
//    reach the world, and it ends by publishing idle_on.
//  * Callbacks that outlive a call (timers, CIB replies, fencing threads) hold a weak_ptr and
//    do nothing once the Impl is gone or `stopped`.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crmd/controller/controller.h"
#include "crmd/controller/fence_delegation.h"
#include "crmd/daemon/local_executor.h"
#include "crmd/daemon/pe_input_store.h"
#include "crmd/daemon/resource_manager.h"
#include "crmd/executor/alert_runner.h"
#include "crmd/executor/fence_runner.h"

namespace pulse::crmd {
namespace rm {

using SteadyClock = std::chrono::steady_clock;

// The clocks the controller is given: the wall clock for what it records, the monotonic one
// for its timers.
ControllerTime controllerNow();
// A node's name in the cluster configuration, or its address when it has none.
std::string nameOf(const membership::ClusterNode& node);
// How long a fence device is given (its pcmk_reboot_timeout, else kDefaultFenceTimeout).
std::chrono::milliseconds fenceDeviceTimeout(const ActionRequest& device);
// An action on the wire (proto/peer.proto ActionSpec) and back.
peer::ActionSpec toSpec(const ActionRequest& r);
ActionRequest fromSpec(const peer::ActionSpec& s);

}  // namespace rm

struct ResourceManager::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_context, CibService& cib_service, ResourceManagerOptions opts);

  // ---- every node (resource_manager_node.cc) ------------------------------------------------
  // What this node stops by itself (leaving, quorum lost): the resources the newest CIB it
  // holds says the cluster manages; without a CIB, all of them.
  LocalExecutor::Managed managed() const;
  static bool everything(const std::string&) { return true; }
  void countActive();
  void onView(const membership::View& view, bool now_quorate,
              const std::map<NodeId, std::uint64_t>& incarnations);
  void onCib(const CibEvent& event);
  void onExecute(const peer::ExecuteAction& m);
  void onLocalResult(const LocalResult& r);
  // Reports go to the DC known now; without one they wait (a stop during a quorum loss is
  // reported to the DC of the partition this node rejoins).
  void flushOutbox();
  // A DC's JoinQuery: the reports still waiting go first, then the answer (the resources this
  // run acted on that the DC should probe again), to the node that asked.
  void onJoinQuery(NodeId from, const peer::JoinQuery& query);

  // ---- the DC (resource_manager_dc.cc) -------------------------------------------------------
  void onReport(const peer::ActionReport& report);
  // A member's JoinAnswer: for this term's controller only (an answer to an earlier term says
  // nothing about what this one has recorded since).
  void onJoinAnswer(NodeId from, const peer::JoinAnswer& answer);
  // This term's JoinQuery to `node` (this node answers itself, posted).
  void queryJoin(const std::string& node);
  void carryOut(ControllerOutput out);
  // Pacemaker's pe-input-N: every CIB the engine decided on, to replay with pe-simulate -x.
  void saveEngineInput(const std::string& cib_xml);
  void dispatch(const ActionRequest& action);
  // The DC says whether it runs a watchdog, once per term (a configuration write, like
  // Pacemaker's controller recording have-watchdog).
  void recordWatchdog(const ParsedCib& confirmed);
  void scheduleTick();

  // ---- the DC's fencing (resource_manager_fencing.cc) ----------------------------------------
  // At most one operation per target: a request for a target under way is dropped.
  void startFencing(const FenceRequest& request);
  void startTopologyFencing(const FenceRequest& request);
  // The fencing history (fence_history.h): the operation on `target` recorded pending with
  // the devices it tries, then completed by fenceDone. Recorded through the controller.
  // `delegate`: the node that runs it (empty: this one).
  void recordFenceStart(const FenceRequest& request, const std::string& devices,
                        const std::string& delegate = "");
  // A new DC term: the history's pending operations this process is not running were left
  // by a DC that is gone (their agents with it); recorded failed, as Pacemaker's fencer marks
  // the operations of a fencer that left.
  void failOrphanedFencing(const pugi::xml_node& copy);
  // Answers the waiting `pcs stonith fence` calls, then tells the controller (when DC). An
  // operation this node ran (for itself as DC, or delegated to it) is shared with the members
  // and counted; one `heard` from another node (now or earlier) is neither.
  void fenceDone(const std::string& node, const FenceOutcome& outcome, bool heard = false);

  // ---- fencing across nodes (resource_manager_delegation.cc) --------------------------------
  // `pcs stonith fence` on the DC, asked here or relayed by member `origin`: false with `why`
  // when the controller refuses it.
  bool requestFencing(const std::string& node, bool off, const std::string& origin,
                      std::string& why);
  // A device request this node must not run: it is the target, or a location constraint of
  // -INFINITY keeps the devices off it. Never the watchdog wait.
  bool mustDelegate(const FenceRequest& request) const;
  // A member other than this node and the target that may run the devices carries the request
  // out (the first by node id, Pacemaker's fencer never choosing the target while another peer
  // can fence it; FenceDelegation). With none the operation fails, saying so.
  void delegateFencing(const FenceRequest& request);
  // The next member not yet asked for `target`'s operation, or (none left) its failure, naming
  // what each member asked answered.
  void delegateNext(const std::string& target);
  // `executor`, asked last for `target`, could not carry it out (its failure, no result in
  // time, it left): the next member is asked. Ignored when another member is asked by now.
  void delegateFailed(const std::string& target, const std::string& executor,
                      const std::string& why);
  // The request can be answered by a success another node reported (fenced_elsewhere): the
  // target left the view around that fencing and has not been back. Records it and returns
  // true (the result is posted); false: the request must be carried out.
  bool adoptFencedElsewhere(const FenceRequest& request);
  // Sends a completed operation this node ran to every other member (`only`: to that one) and
  // keeps a success.
  void shareFenceResult(const cib::FenceEvent& event, const FenceOutcome& outcome,
                        NodeId only = membership::kNoNode);
  // View changes: a node back in the view voids what was heard of its fencing; a delegated
  // operation whose executor left fails.
  void fencingOnView(const std::vector<Member>& before, const std::vector<Member>& after);
  void onFenceDelegate(NodeId from, const peer::FenceDelegate& m);
  void onFenceResult(const peer::FenceResult& m);
  void onFenceAsk(NodeId from, const peer::FenceAsk& m);
  void onFenceRefused(const peer::FenceRefused& m);
  void answerFenceWaiters(const std::string& node, const Result<std::string>& answer);

  // ---- alerts (resource_manager_alerts.cc) --------------------------------------------------
  // A new local copy: the alert configuration re-read, and (on the DC) the node attributes
  // that changed since the previous copy alerted.
  void alertsOnCib(const CibRef& copy);
  void alertAttribute(const std::string& node, const std::string& name, const std::string& value);
  void alertMembers(const std::vector<Member>& before, const std::vector<Member>& after);
  void alertResult(const LocalResult& r);
  void alertFencing(const cib::FenceEvent& fenced);

  boost::asio::io_context& io;
  CibService& cib;
  ResourceManagerOptions options;
  std::string self_name;
  boost::asio::steady_timer tick_timer;
  std::unique_ptr<LocalExecutor> local;                                         // reset by stop()
  std::atomic<std::uint64_t> transitions{0}, fencing_ok{0}, fencing_failed{0};  // counters()
  std::atomic<std::size_t> active_count{0};   // active resources the cluster manages
  std::atomic<std::size_t> running_count{0};  // all active ones, unmanaged too
  Controller controller;
  bool dc_active = false;
  std::uint64_t session = 0;
  bool watchdog_write_pending = false;
  bool leaving = false;                           // this node asked the DC to let it leave
  std::atomic<bool> shutdown_recorded{false};     // ...and its shutdown attribute is in the CIB
  std::optional<EngineInputStore> engine_inputs;  // opened at the first schedule
  std::optional<NodeId> dc;
  std::vector<Member> members;
  std::vector<Member> dc_members;  // the members the controller last heard of, while DC
  bool quorate = false;
  CibRef local_cib;  // this node's newest copy (shared, parsed once by the CIB service)
  std::map<std::string, rm::SteadyClock::time_point> lost_at;  // node name -> when it left the view
  std::set<std::string> resync;  // members back in the view that the DC has not confirmed yet
  bool dc_announced = false;     // "this node is the DC now" recorded since `dc` last changed
  std::deque<peer::ActionReport> outbox;
  std::set<std::string> fencing;  // targets with a fencing operation under way
  std::map<std::string, std::vector<std::shared_ptr<std::promise<Result<std::string>>>>>
      fence_waiters;
  std::shared_ptr<std::atomic<bool>> abort_fencing = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> fence_threads;
  CibStamp confirmed_stamp{};  // the newest confirmed CIB the controller was given
  mutable std::mutex idle_mutex;
  std::optional<CibStamp> idle_on;      // guarded by idle_mutex
  std::unique_ptr<AlertRunner> alerts;  // reset by stop() (kills the agents still running)
  CibRef alerts_cib;                    // the copy the alert configuration was read from
  std::map<std::pair<std::string, std::string>, std::string> attribute_values;  // of alerts_cib
  std::set<std::string> fence_alerted;  // ids of the completed fencing events in alerts_cib
  std::map<std::string, cib::FenceEvent> fence_events;  // target -> its pending history entry
  // Targets of `pcs stonith fence` not yet started -> the node the request came from.
  std::map<std::string, std::string> requested_fencing;
  // This DC's operations carried out by a member: target -> the members asked so far, and the
  // timer that gives up on the one asked last when no result comes.
  struct Delegated {
    FenceDelegation delegation;
    std::shared_ptr<boost::asio::steady_timer> deadline;
  };
  std::map<std::string, Delegated> delegated;
  // Operations a DC delegated to this node: target -> the history entry (pending), while the
  // agent runs here.
  std::map<std::string, cib::FenceEvent> delegated_to_me;
  std::map<std::string, NodeId> delegated_by;  // ...and the DC that asked
  // Successful fencing heard of (or run here), by target, until the target is back in the view.
  struct FencedElsewhere {
    cib::FenceEvent event;
    std::string message;
    rm::SteadyClock::time_point heard;
  };
  std::map<std::string, FencedElsewhere> fenced_elsewhere;
  bool stopped = false;
};

}  // namespace pulse::crmd
