// The node's resource side, the shell around the pure parts: on every node it runs the actions
// a DC sends (LocalExecutor) and reports their results to the DC; on the DC it also runs the
// Controller (controller.h) and carries out what it decides: status writes to the CIB service,
// actions to the nodes (proto/peer.proto ExecuteAction / ActionReport), fencing (fence agents
// run here on the DC, or the watchdog wait), saved engine inputs.
//
// Invariants:
//  * The Controller runs only while the CIB service says this node is the DC and has finished
//    its sync; it is reset (onLostDc) whenever that stops being true, and restarts from the
//    confirmed CIB with a new session number. Results carry the session of the DC that asked:
//    a result from an older session is still recorded (the node did run it), but never taken
//    for the answer to a new action with the same id.
//  * A node that loses quorum stops every resource it runs (Pacemaker's no-quorum-policy=stop;
//    "ignore" and "freeze" keep them), without waiting for a DC: a partition without quorum
//    has none. Results produced while no DC is known wait in a bounded outbox for the next one.
//  * At most one fencing operation per target runs at a time; its result goes to whichever
//    controller is running when it ends.
//
// Threading: everything runs on the cluster io_context given to the constructor; deliver(),
// fence() and transitionIdle() may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/executor/executor.h"
#include "crmd/replication/cib_service.h"
#include "membership/cluster_config.h"
#include "membership/types.h"
#include "peer.pb.h"

namespace pulse::crmd {

struct ResourceManagerOptions {
  NodeId self = membership::kNoNode;
  membership::ClusterConfig config;
  std::string state_dir;
  Executor::Options executor;
  std::vector<std::string> fence_agent_dirs;                // where fence_* agents are looked up
  std::function<void(NodeId to, peer::PeerEnvelope)> send;  // to another node's crmd
  // The self-fencing bound (self_fence.h minimumWatchdogWait): what survivors wait after a
  // node's loss when stonith-watchdog-timeout is negative.
  std::chrono::milliseconds watchdog_minimum{0};
  // This node runs pulse-watchdog: as DC it records have-watchdog=true in crm_config, which
  // the policy engine takes as a way to fence (Pacemaker's controller does the same for sbd).
  bool watchdog_armed = false;
  // The node's journal of cluster events (event_journal.h): DC changes, action results,
  // fencing and CIB resyncs are recorded there. Called on the io thread.
  std::function<void(const std::string& kind, const std::string& text)> record =
      [](const std::string&, const std::string&) {};
};

class ResourceManager {
 public:
  // Registers itself as `cib`'s listener; `cib` must outlive it.
  ResourceManager(boost::asio::io_context& io, CibService& cib, ResourceManagerOptions options);
  ~ResourceManager();
  ResourceManager(const ResourceManager&) = delete;
  ResourceManager& operator=(const ResourceManager&) = delete;

  // A view installed by the membership (io thread), before the CIB service hears of it.
  void onView(const membership::View& view, bool quorate,
              const std::map<NodeId, std::uint64_t>& incarnations);
  // An ExecuteAction or ActionReport from a peer (any thread).
  void deliver(const peer::PeerEnvelope& envelope);
  // pcs stonith fence NODE: fences the node with a configured device when this node is the DC,
  // else asks the DC and waits for the result every member hears (any thread). The value is
  // the line to show: which device fenced it, or why not.
  std::future<Result<std::string>> fence(const std::string& node, bool off);
  // This node is the DC and nothing is running, pending or left to schedule on the CIB with
  // this stamp (any thread).
  bool transitionIdleOn(const CibStamp& stamp) const;
  // Counts since this cluster start (any thread): engine runs as DC (one saved engine input
  // each) and fencing operations run here, by outcome.
  struct Counters {
    std::uint64_t transitions = 0, fencing_ok = 0, fencing_failed = 0;
  };
  Counters counters() const;
  // The version of this node's newest CIB copy ("none" before the first); the io thread.
  std::string localCibVersion() const;
  // Stops every resource this node runs and waits (any thread but the io thread) until they
  // are stopped or `wait` passed; false on timeout.
  bool stopResources(std::chrono::milliseconds wait);
  // Stops timers, fencing threads and the executor (killing agents still running); the io
  // thread, before the io_context stops.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::crmd
