// NodeDaemon's running cluster (node_daemon.h): starting and stopping the membership, the CIB
// service and the resource shell on their two threads, the views and quorum they report, the
// snapshot pcs status reads, and the calls routed to the running parts (CIB, fencing, peers).
// The cluster files and the calls that change them are node_cluster_files.cc's.
// Invariant: running_ is set only once every part started, and reset only after both threads
// have stopped; every call that reaches a part holds lifecycle_mutex_ while it does, except
// leaveGracefully(), which keeps the Running alive through its shared_ptr instead.
#include "crmd/daemon/node_daemon.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <map>
#include <thread>

#include "common/log.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/secure_file.h"
#include "crmd/daemon/node_cluster_files.h"
#include "crmd/daemon/resource_manager.h"
#include "crmd/metrics/runtime_stats.h"
#include "crmd/replication/peer_auth.h"
#include "crmd/replication/peer_links.h"
#include "crmd/watchdog/self_fence.h"
#include "membership/packet_auth.h"

namespace pulse::crmd {
namespace {

// How long `pcs cluster stop` waits for this node's resources to stop before it leaves.
constexpr std::chrono::milliseconds kStopResourcesWait{20000};

using membership::ClusterConfig;
using membership::NodeId;

std::string viewText(const ClusterConfig& config, const membership::View& view) {
  std::string names;
  for (NodeId id : view.members) {
    const membership::ClusterNode* node = config.findNode(id);
    names += " " + (node != nullptr && !node->name.empty() ? node->name : std::to_string(id));
  }
  return "ring " + membership::toString(view.ring_id) + ", members" + names;
}

std::string quorumText(const membership::QuorumStatus& q) {
  return std::string(q.quorate ? "quorate" : "NOT quorate") + " (expected votes " +
         std::to_string(q.expected_votes) + ", total votes " + std::to_string(q.total_votes) +
         ", quorum " + std::to_string(q.quorum) + ")";
}

}  // namespace

// The cluster while it runs, on two threads:
//  * the membership thread (`io`) runs only the membership: packets, heartbeats and its timers,
//    so that failure detection never waits behind a disk;
//  * the cluster worker (`work`) runs the CIB service and the resource manager: CIB saves
//    (fsync), saved engine inputs (gzip + fsync), engine runs and the executor.
// The membership thread hands each installed view to the worker by posting it; a strand of one
// thread runs handlers in the order they were posted, so the CIB and the controller see views
// in the order the membership installed them. Everything the CIB service does stays on the
// worker, so its ordering (a copy is durable before any message or reply vouching for it
// leaves, cib_service.h) is the same as when it shared the membership's thread.
struct NodeDaemon::Running {
  boost::asio::io_context io;                              // the membership thread's
  boost::asio::io_context work;                            // the cluster worker's
  std::unique_ptr<membership::MembershipService> service;  // lives on `io`
  std::unique_ptr<CibService> cib;             // lives on `work`; stopped there before it stops
  std::unique_ptr<PeerLinks> resource_links;   // actions and results, apart from the CIB's
  std::unique_ptr<ResourceManager> resources;  // lives on `work`, listens to `cib`
  std::optional<PeerAuthenticator> peer_auth;  // set before the threads start
  std::string peer_token;                      // this node's own peer secret
  std::thread thread;                          // runs `io`
  std::thread worker;                          // runs `work`
  InstalledCluster installed;
  mutable std::mutex mutex;  // guards the fields below
  std::optional<membership::View> view;
  membership::QuorumStatus quorum;
  std::map<NodeId, MemberRuntime> members;
  EventJournal* journal = nullptr;  // the daemon's; outlives this

  // Journals an event of the membership thread, stamped now, written on the worker: the
  // membership thread never waits behind a disk (the journal appends to a file).
  void journalLater(std::string kind, std::string text) {
    ClusterEvent event{wallClockMs(), std::move(kind), std::move(text), ""};
    boost::asio::post(work,
                      [journal = journal, event = std::move(event)] { journal->record(event); });
  }

  void onView(const membership::ViewChanged& change) {
    metrics::RuntimeStats& stats = metrics::runtimeStats();
    stats.view_changes.fetch_add(1, std::memory_order_relaxed);
    for (const auto& [member, silence] : change.lost_silence) stats.detection.observe(silence);
    std::string joined, left;
    std::vector<NodeId> lost;
    bool was_quorate = false;
    {
      std::lock_guard lock(mutex);
      const std::int64_t now = wallClockMs();
      for (auto& [id, member] : members) {
        const bool now_in = change.view.contains(id);
        if (now_in && !member.in_view) {
          ++member.join_count;
          if (id != installed.local_id) joined += " " + member.node.name;
          member.lost_at_ms = 0;
        }
        if (!now_in && member.in_view) {
          left += " " + member.node.name;
          member.lost_at_ms = now;
          lost.push_back(id);
        }
        member.in_view = now_in;
        member.ever_seen = member.ever_seen || now_in;
      }
      view = change.view;
      was_quorate = quorum.quorate;
      quorum = change.quorum;
    }
    logEvent("membership: view installed: " + viewText(installed.config, change.view) + "; " +
             quorumText(change.quorum));
    journalLater("membership", viewText(installed.config, change.view) +
                                   (joined.empty() ? "" : "; joined:" + joined) +
                                   (left.empty() ? "" : "; lost:" + left));
    if (was_quorate != change.quorum.quorate) {
      journalLater("quorum",
                   (change.quorum.quorate ? "gained: " : "lost: ") + quorumText(change.quorum));
    }
    // The view's listeners, in this order, on the worker: first the resource manager (it
    // records who left and whether this node still has quorum, and stops resources when it
    // lost it), then the CIB service (its events about the same view, posted, reach the
    // resource manager after that).
    boost::asio::post(work, [this, view = change.view, quorate = change.quorum.quorate,
                             incarnations = change.incarnations, lost] {
      // The lost nodes hold at most this node's copy: every write is durable on every member
      // before it is acknowledged (cib_service.h).
      if (!lost.empty()) {
        const std::string version = resources->localCibVersion();
        std::lock_guard lock(mutex);
        for (NodeId id : lost) {
          if (members[id].lost_at_ms != 0) members[id].cib_version_at_loss = version;
        }
      }
      resources->onView(view, quorate, incarnations);
      cib->onViewChanged(view, quorate);
    });
  }

  void onQuorum(const membership::QuorumStatus& status) {
    bool flipped = false;
    {
      std::lock_guard lock(mutex);
      flipped = status.quorate != quorum.quorate;
      quorum = status;
    }
    if (flipped) {
      logEvent("quorum: " + quorumText(status));
      journalLater("quorum", (status.quorate ? "gained: " : "lost: ") + quorumText(status));
    }
  }
};

NodeDaemon::NodeDaemon(NodeDaemonOptions options) : options_(std::move(options)) {}

NodeDaemon::~NodeDaemon() {
  std::lock_guard lock(lifecycle_mutex_);
  stopLocked();
}

Result<std::unique_ptr<NodeDaemon>> NodeDaemon::open(NodeDaemonOptions options) {
  auto installed = loadInstalled(ClusterPaths(options.state_dir), options.node_name);
  if (!installed) return installed.error();
  auto daemon = std::unique_ptr<NodeDaemon>(new NodeDaemon(std::move(options)));
  daemon->journal_ = std::make_unique<EventJournal>(
      EventJournalOptions{.path = daemon->options_.state_dir + "/events.log"});
  return daemon;
}

Result<bool> NodeDaemon::start() {
  std::lock_guard lock(lifecycle_mutex_);
  return startLocked();
}

Result<bool> NodeDaemon::startLocked() {
  if (running_) return true;
  const ClusterPaths paths(options_.state_dir);
  auto installed = loadInstalled(paths, options_.node_name);
  if (!installed) return installed.error();
  if (!*installed) return Error{"this node is not in a cluster; run pcs cluster setup first"};
  auto key = membership::readClusterKeyFile(paths.key);
  if (!key) return key.error();

  auto peer_auth = PeerAuthenticator::load(options_.state_dir, (*installed)->config);
  if (!peer_auth) return peer_auth.error();

  auto running = std::make_unique<Running>();
  running->peer_auth.emplace(std::move(*peer_auth));
  running->peer_token = running->peer_auth->ownSecret();
  running->installed = std::move(**installed);
  running->journal = journal_.get();
  const InstalledCluster& cluster = running->installed;
  for (const membership::ClusterNode& node : cluster.config.nodes) {
    running->members[node.id].node = node;
  }
  membership::ServiceOptions service_options;
  service_options.self = cluster.local_id;
  service_options.config = cluster.config;
  service_options.key = std::move(*key);
  service_options.state_path = paths.membership_state;
  // The timer only needs to resolve the protocol's deadlines (heartbeat = token/4, loss =
  // token): token/20 keeps detection within 5% of the token while an idle daemon wakes up 20
  // times a second instead of 50 (measured: idle CPU is the benchmark's tightest figure).
  service_options.tick = std::clamp(cluster.config.token / 20, std::chrono::milliseconds(10),
                                    std::chrono::milliseconds(50));
  // Settled, the timer wakes when the protocol has work (a heartbeat every token/4, a ring
  // neighbour's token running out), so this bound is rarely reached.
  service_options.settled_tick = cluster.config.token / 4;
  service_options.log = [](const std::string& line) { logEvent(line); };
  // The watchdog's quorum contact needs a heartbeat from every member; without a watchdog the
  // settled view heartbeats along its ring (a fraction of the packets at 32 nodes).
  service_options.quorum_contact = options_.watchdog_armed;
  auto service = membership::MembershipService::create(running->io, std::move(service_options));
  if (!service) return Error{"cannot start the membership: " + service.error().message};
  running->service = std::move(*service);
  for (const auto& [id, ip] : running->service->addresses()) running->members[id].ip = ip;
  auto cib = CibService::create(
      running->work,
      CibServiceOptions{options_.state_dir, cluster.local_id, cluster.config, running->peer_token});
  if (!cib) return Error{"cannot start the CIB service: " + cib.error().message};
  running->cib = std::move(*cib);
  std::map<NodeId, std::string> peers;
  for (const membership::ClusterNode& node : cluster.config.nodes) {
    if (node.id != cluster.local_id) peers[node.id] = node.name;
  }
  // Actions must not be dropped behind a burst (the CIB links keep only the newest 32).
  running->resource_links = std::make_unique<PeerLinks>(
      clusterHostsPath(options_.state_dir), running->peer_token, std::move(peers),
      std::chrono::milliseconds(1000), /*max_queued=*/1024);
  PeerLinks* links = running->resource_links.get();
  running->resources = std::make_unique<ResourceManager>(
      running->work, *running->cib,
      ResourceManagerOptions{
          .self = cluster.local_id,
          .config = cluster.config,
          .state_dir = options_.state_dir,
          .executor = Executor::Options{.ocf_root = options_.ocf_root},
          .fence_agent_dirs = options_.fence_agent_dirs,
          .send = [links](NodeId to, peer::PeerEnvelope m) { links->send(to, std::move(m)); },
          // Every node is assumed to run its watchdog with the default timing (self_fence.h);
          // a cluster whose nodes use a longer --watchdog-timeout sets stonith-watchdog-timeout.
          .watchdog_minimum = minimumWatchdogWait(
              membership::Timing::fromToken(cluster.config.token), SelfFenceTiming{}),
          .watchdog_armed = options_.watchdog_armed,
          .record = [journal = journal_.get()](
                        const std::string& kind,
                        const std::string& text) { journal->record(kind, text); }});
  Running* r = running.get();
  running->service->onViewChanged([r](const membership::ViewChanged& c) { r->onView(c); });
  running->service->onQuorumChanged([r](const membership::QuorumStatus& q) { r->onQuorum(q); });
  running->quorum = running->service->quorum();
  running->service->start();
  running->worker = std::thread([r] { r->work.run(); });
  running->thread = std::thread([r] { r->io.run(); });
  const membership::ClusterNode* self = cluster.config.findNode(cluster.local_id);
  logEvent("membership started: cluster '" + cluster.config.cluster_name + "', node " +
           std::to_string(cluster.local_id) + " (" + self->name + ") on " + self->address + ":" +
           std::to_string(membership::kDefaultPort) + ", token " +
           std::to_string(cluster.config.token.count()) + " ms, consensus " +
           std::to_string(cluster.config.effectiveConsensus().count()) + " ms");
  journal_->record("node", "cluster started on this node (membership, CIB, resources)");
  running_ = std::move(running);
  return false;
}

bool NodeDaemon::stop() {
  leaveGracefully();
  std::lock_guard lock(lifecycle_mutex_);
  return stopLocked();
}

void NodeDaemon::leaveGracefully() {
  std::shared_ptr<Running> running;
  {
    std::lock_guard lock(lifecycle_mutex_);
    running = running_;
  }
  if (!running) return;
  // Without the lifecycle lock: the DC moves this node's resources away through the CIB, whose
  // replication reaches this node through deliverFromPeer(), which takes that lock. `running`
  // stays alive meanwhile even if another call stops the cluster (the wait then times out).
  if (!running->resources->stopResources(kStopResourcesWait)) {
    logEvent("resources: not every resource stopped within " +
             std::to_string(kStopResourcesWait.count()) + " ms; leaving the cluster anyway");
  }
}

bool NodeDaemon::stopLocked() {
  if (!running_) return false;
  // stop() closes the socket and cancels the timer on the io thread; run() then returns once
  // the cancelled handlers have completed.
  membership::MembershipService* service = running_->service.get();
  CibService* cib = running_->cib.get();
  ResourceManager* resources = running_->resources.get();
  // The membership first: once its thread has stopped no view is posted to the worker any
  // more, and the worker's pending handlers (views included) run before its stop.
  boost::asio::post(running_->io, [service] { service->stop(); });
  running_->thread.join();
  boost::asio::post(running_->work, [cib, resources] {
    resources->stop();
    cib->stop();
  });
  running_->worker.join();
  running_.reset();
  logEvent("membership stopped");
  journal_->record("node", "cluster stopped on this node");
  return true;
}

ClusterSnapshot NodeDaemon::snapshot() const {
  ClusterSnapshot out;
  std::lock_guard lock(lifecycle_mutex_);
  const ClusterPaths paths(options_.state_dir);
  out.enabled = fileExists(paths.enabled);
  auto installed = running_ ? Result<std::optional<InstalledCluster>>(running_->installed)
                            : loadInstalled(paths, options_.node_name);
  if (!installed || !*installed) return out;
  const InstalledCluster& cluster = **installed;
  out.configured = true;
  out.cluster_name = cluster.config.cluster_name;
  out.config_text = cluster.text;
  out.local_id = cluster.local_id;
  out.token = cluster.config.token;
  out.consensus = cluster.config.effectiveConsensus();
  if (!running_) {
    for (const membership::ClusterNode& node : cluster.config.nodes) {
      out.members.push_back(MemberRuntime{node, false, false, 0, "", 0, ""});
    }
    return out;
  }
  out.running = true;
  const ResourceManager::Counters counts = running_->resources->counters();
  out.transitions = counts.transitions;
  out.fencing_ok = counts.fencing_ok;
  out.fencing_failed = counts.fencing_failed;
  {
    std::lock_guard snapshot_lock(running_->mutex);
    out.view = running_->view;
    out.quorum = running_->quorum;
    for (const auto& [id, member] : running_->members) out.members.push_back(member);
  }
  // The service's counters belong to its thread: read them there. The task is shared with the
  // posted handler, which may run after a timed-out wait has returned.
  auto read_stats = std::make_shared<std::packaged_task<membership::ServiceStats()>>(
      [service = running_->service.get()] { return service->stats(); });
  auto stats = read_stats->get_future();
  boost::asio::post(running_->io, [read_stats] { (*read_stats)(); });
  if (stats.wait_for(std::chrono::seconds(1)) == std::future_status::ready) out.stats = stats.get();
  return out;
}

std::optional<QuorumContactReading> NodeDaemon::quorumContact() const {
  std::unique_lock lock(lifecycle_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || !running_) return std::nullopt;
  return QuorumContactReading{running_->service->lastQuorumContact(),
                              running_->service->quorumContactWindow()};
}

Result<CibSnapshot> NodeDaemon::readCib() const {
  std::lock_guard lock(lifecycle_mutex_);
  if (!running_) return Error{"the cluster is not running on this node"};
  CibSnapshot snapshot = running_->cib->read();
  snapshot.transition_idle = running_->resources->transitionIdleOn(stampOf(snapshot.cib));
  return snapshot;
}

Result<std::future<Result<std::string>>> NodeDaemon::fence(const std::string& node, bool off) {
  std::lock_guard lock(lifecycle_mutex_);
  if (!running_) return Error{"the cluster is not running on this node"};
  return running_->resources->fence(node, off);
}

Result<std::future<WriteReply>> NodeDaemon::submitCib(CibChange change) {
  std::lock_guard lock(lifecycle_mutex_);
  if (!running_) return Error{"the cluster is not running on this node"};
  return running_->cib->submit(std::move(change));
}

Status NodeDaemon::deliverFromPeer(const std::string& token, const peer::PeerEnvelope& envelope) {
  std::lock_guard lock(lifecycle_mutex_);
  if (!running_) return Error{"the cluster is not running on this node"};
  if (auto sender = running_->peer_auth->authenticate(token, envelope); !sender) {
    return sender.error();
  }
  if (envelope.has_execute() || envelope.has_report() || envelope.has_leave() ||
      envelope.has_join_query() || envelope.has_join_answer() || envelope.has_fence_delegate() ||
      envelope.has_fence_result() || envelope.has_fence_ask() || envelope.has_fence_refused()) {
    running_->resources->deliver(envelope);
  } else {
    running_->cib->deliver(envelope);
  }
  return {};
}

}  // namespace pulse::crmd
