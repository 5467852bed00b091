// NodeDaemon: the composition root of a node's crmd and its lifecycle. It owns the cluster
// files in the state directory and builds, starts and stops the parts: while the cluster is
// started, the membership and quorum (corosync's role) on their own thread
// (packets and timers only), and on a cluster worker thread everything that may block on a
// disk or run long: the replicated CIB (CibService, cib_service.h: CIB saves) and the resource
// side (ResourceManager, resource_manager.h: the executor on every node, the controller, engine
// runs, saved engine inputs and fencing on the DC), with the peer links that carry their
// messages (node_daemon.cc Running).
//
// State-directory files, written by setup() and removed by destroy():
//   corosync.conf     the cluster config (corosync.conf syntax; cluster_config.h), mode 0644
//   authkey           the membership HMAC key, 0600
//   cluster-hosts     every cluster node's address, pinned certificate and the token it issued
//                     for this node (known-hosts format, 0600): what crmd's peer links and
//                     the node's pcs and tools use to reach the others
//   peer-secret, peer-hashes   this node's peer credential and the others' hashes (peer_auth.h)
//   cluster.enabled   present: the membership starts when crmd starts (pcs cluster enable)
// Kept across setups and destroys: events.log (and events.log.1), the journal of cluster events
// (event_journal.h) that pcs cluster events reads.
// destroy() also removes what the running cluster wrote: cib.xml (and set-aside corrupt
// copies) and pengine/, as pcs cluster destroy removes the CIB and pacemaker's state. Kept:
// the node's identity (crmd.crt/.key, hacluster.passwd, membership.state, whose ring seqs
// must only grow) and pcs's own known-hosts (pcs keeps pcsd's authorization too).
//
// Invariants:
//  * The membership runs only from files that parsed and validated; setup() validates the new
//    files completely before writing any, and writes the config last, so a node is "in a
//    cluster" only once its key is on disk.
//  * Lifecycle calls (setup/start/stop/enable/destroy) are serialised by one mutex, so a start
//    racing a destroy sees either the old files or none.
//  * The snapshot (view, quorum, join counts) is written only by the membership thread's
//    callbacks and read under its own mutex; it is reset at every start.
//
// Thread-safety: every public method may be called from any thread (gRPC handlers), but not
// from a membership callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/admin/cluster_control.h"
#include "crmd/executor/ocf.h"
#include "crmd/replication/cib_service.h"
#include "crmd/watchdog/watchdog_process.h"
#include "membership/cluster_config.h"
#include "membership/membership_service.h"

namespace pulse::crmd {

struct NodeDaemonOptions {
  std::string state_dir;
  std::string node_name;
  std::string ocf_root{kDefaultOcfRoot};
  std::vector<std::string> fence_agent_dirs{"/usr/sbin"};
  bool watchdog_armed = false;  // crmd runs pulse-watchdog (--watchdog-timeout > 0)
};

class NodeDaemon final : public ClusterControl {
 public:
  // Checks the installed cluster files, if any: a config that does not parse, a key file that
  // is unreadable or too open, or a config without this node is an Error naming the file.
  static Result<std::unique_ptr<NodeDaemon>> open(NodeDaemonOptions options);
  ~NodeDaemon();  // stops the membership
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;

  bool configured() const;
  bool enabled() const;
  const std::string& nodeName() const { return options_.node_name; }

  // Installs the files of a new cluster. Refused when the node is already in a cluster unless
  // `force` (then a running membership is stopped first).
  Status setup(const ClusterFiles& files, bool force) override;
  // Starts the membership; true when it was already running.
  Result<bool> start() override;
  // Moves this node's resources away (leaveGracefully), then stops the membership (the node
  // falls silent; peers see it gone after `token`); true when it was running.
  bool stop() override;
  // Sets or clears cluster.enabled; the value is a warning for the operator (may be empty).
  Result<std::string> setEnabled(bool enable) override;
  // Stops the membership and removes the cluster files and state (see above); the value names
  // what was removed.
  Result<std::vector<std::string>> destroy() override;

  ClusterSnapshot snapshot() const override;

  // The membership's quorum contact (membership_service.h lastQuorumContact), for the watchdog
  // feeder (watchdog_process.h), callable from any thread. nullopt while the membership does
  // not run, and while start/stop/setup/destroy hold the lifecycle (try_lock: the feeder must
  // never wait behind a slow stop).
  std::optional<QuorumContactReading> quorumContact() const;

  // The CIB (cib_service.h), while the cluster runs on this node; otherwise an Error saying so.
  Result<CibSnapshot> readCib() const override;
  Result<std::future<WriteReply>> submitCib(CibChange change) override;
  // pcs stonith fence NODE, served by the DC (resource_manager.h).
  Result<std::future<Result<std::string>>> fence(const std::string& node, bool off) override;
  // A message from a peer; `token` is the peer credential it presented, checked here
  // (peer_auth.h): it must be a cluster node's, and the message must speak only for that node.
  Status deliverFromPeer(const std::string& token, const peer::PeerEnvelope& envelope) override;
  // The journal of cluster events (<state dir>/events.log, event_journal.h).
  EventJournal& events() override { return *journal_; }

 private:
  struct Running;
  explicit NodeDaemon(NodeDaemonOptions options);
  Result<bool> startLocked();
  bool stopLocked();
  // Before leaving: this node's resources are moved away by the DC (or stopped here), so that
  // the node is not fenced for leaving (bounded wait).
  void leaveGracefully();

  const NodeDaemonOptions options_;
  std::unique_ptr<EventJournal> journal_;  // set at open, before any thread may use it
  mutable std::mutex lifecycle_mutex_;
  // Shared so that leaveGracefully() can wait on it without holding the lock.
  std::shared_ptr<Running> running_;  // guarded by lifecycle_mutex_
};

// Which node of `config` this is: the node named `node_name`, else the node whose ring0_addr
// is an address of a local interface. An Error says neither matched.
Result<membership::NodeId> findLocalNode(const membership::ClusterConfig& config,
                                         const std::string& node_name);

}  // namespace pulse::crmd
