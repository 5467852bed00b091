// What the admin API asks of the node's cluster side: the calls behind pcs cluster
// setup/start/stop/enable/destroy/status, the CIB, fencing and peer delivery. The daemon's
// composition root implements it (crmd/daemon/node_daemon.h documents each call); the admin
// server depends on this interface only, so that the admin part does not link the daemon.
//
// Thread-safety: every method may be called from any thread (gRPC handlers).
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/admin/event_journal.h"
#include "crmd/replication/cib_service.h"
#include "membership/cluster_config.h"
#include "membership/membership_service.h"

namespace pulse::crmd {

// What `pcs cluster setup` hands every node.
struct ClusterFiles {
  std::string config_text;
  membership::ClusterKey key;
  std::string known_hosts;  // the node's cluster-hosts file (replaces the old one)
  std::string peer_secret;  // this node's peer credential (peer_auth.h)
  std::string peer_hashes;  // every cluster node's peer credential hash
};

// One configured node as this node sees it (runtime.members.N.* in corosync's cmap).
struct MemberRuntime {
  membership::ClusterNode node;
  bool in_view = false;
  bool ever_seen = false;
  std::uint32_t join_count = 0;
  std::string ip;  // node.address resolved, as the membership sends to it ("" before start)
  // When it left this node's view (wall clock, ms) and the CIB version this node held then,
  // which is the newest the lost node can have: 0 and "" while it is in the view.
  std::int64_t lost_at_ms = 0;
  std::string cib_version_at_loss{};
};

struct ClusterSnapshot {
  bool configured = false;
  bool running = false;
  bool enabled = false;
  std::string cluster_name;
  std::string config_text;
  membership::NodeId local_id = membership::kNoNode;
  std::optional<membership::View> view;
  membership::QuorumStatus quorum;
  std::vector<MemberRuntime> members;  // every configured node, in node id order
  membership::ServiceStats stats;
  // The resource side's counts since the cluster started here (resource_manager.h).
  std::uint64_t transitions = 0;  // engine runs as DC
  std::uint64_t fencing_ok = 0, fencing_failed = 0;
  std::chrono::milliseconds token{0};
  std::chrono::milliseconds consensus{0};
};

class ClusterControl {
 public:
  virtual ~ClusterControl() = default;

  virtual Status setup(const ClusterFiles& files, bool force) = 0;
  virtual Result<bool> start() = 0;
  virtual bool stop() = 0;
  virtual Result<std::string> setEnabled(bool enable) = 0;
  virtual Result<std::vector<std::string>> destroy() = 0;
  virtual ClusterSnapshot snapshot() const = 0;
  virtual Result<CibSnapshot> readCib() const = 0;
  virtual Result<std::future<WriteReply>> submitCib(CibChange change) = 0;
  virtual Result<std::future<Result<std::string>>> fence(const std::string& node, bool off) = 0;
  virtual Status deliverFromPeer(const std::string& token, const peer::PeerEnvelope& envelope) = 0;
  // The node's journal of cluster events (event_journal.h); lives as long as the control.
  virtual EventJournal& events() = 0;
};

}  // namespace pulse::crmd
