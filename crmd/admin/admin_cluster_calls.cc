// The admin API's cluster calls (admin_service.h): setup, start, stop, enable, destroy, status
// and fencing, each handed to the ClusterControl once authorized. Invariants: a change of the
// cluster's members (setup, destroy) refreshes the front acceptor's trusted sources; status is
// polled and so authorized without a log line; a fence request waits at most 90 s.

#include <chrono>
#include <future>
#include <string>

#include "crmd/admin/admin_service.h"
#include "crmd/cib/parsed_cib.h"

namespace pulse::crmd {

grpc::Status AdminService::ClusterSetup(grpc::ServerContext* context,
                                        const pulse::admin::ClusterSetupRequest* request,
                                        pulse::admin::ClusterSetupReply*) {
  if (grpc::Status s = authorize(*context, "cluster setup"); !s.ok()) return s;
  ClusterFiles files;
  files.config_text = request->cluster_config();
  files.key.assign(request->cluster_key().begin(), request->cluster_key().end());
  files.known_hosts = request->known_hosts();
  files.peer_secret = request->peer_secret();
  files.peer_hashes = request->peer_hashes();
  if (Status s = cluster_.setup(files, request->force()); !s) {
    return failure("cluster setup", grpc::StatusCode::FAILED_PRECONDITION, s.error());
  }
  refresher_.refreshSoon();
  return grpc::Status::OK;
}

grpc::Status AdminService::ClusterStart(grpc::ServerContext* context,
                                        const pulse::admin::ClusterStartRequest*,
                                        pulse::admin::ClusterStartReply* reply) {
  if (grpc::Status s = authorize(*context, "cluster start"); !s.ok()) return s;
  auto started = cluster_.start();
  if (!started) {
    return failure("cluster start", grpc::StatusCode::FAILED_PRECONDITION, started.error());
  }
  reply->set_already_running(*started);
  return grpc::Status::OK;
}

grpc::Status AdminService::ClusterStop(grpc::ServerContext* context,
                                       const pulse::admin::ClusterStopRequest*,
                                       pulse::admin::ClusterStopReply* reply) {
  if (grpc::Status s = authorize(*context, "cluster stop"); !s.ok()) return s;
  reply->set_was_running(cluster_.stop());
  return grpc::Status::OK;
}

grpc::Status AdminService::ClusterEnable(grpc::ServerContext* context,
                                         const pulse::admin::ClusterEnableRequest* request,
                                         pulse::admin::ClusterEnableReply* reply) {
  if (grpc::Status s = authorize(*context, "cluster enable"); !s.ok()) return s;
  auto warning = cluster_.setEnabled(request->enable());
  if (!warning) {
    return failure("cluster enable", grpc::StatusCode::FAILED_PRECONDITION, warning.error());
  }
  reply->set_warning(*warning);
  return grpc::Status::OK;
}

grpc::Status AdminService::ClusterDestroy(grpc::ServerContext* context,
                                          const pulse::admin::ClusterDestroyRequest*,
                                          pulse::admin::ClusterDestroyReply* reply) {
  if (grpc::Status s = authorize(*context, "cluster destroy"); !s.ok()) return s;
  auto removed = cluster_.destroy();
  if (!removed) return failure("cluster destroy", grpc::StatusCode::INTERNAL, removed.error());
  for (const std::string& name : *removed) reply->add_removed(name);
  // The tokens this node issued to the cluster's nodes go with the cluster.
  auto revoked = auth_.revokeNodeTokens();
  if (!revoked) return failure("cluster destroy", grpc::StatusCode::INTERNAL, revoked.error());
  if (*revoked > 0) reply->add_removed(std::to_string(*revoked) + " node tokens");
  refresher_.refreshSoon();
  return grpc::Status::OK;
}

grpc::Status AdminService::Fence(grpc::ServerContext* context,
                                 const pulse::admin::FenceRequest* request,
                                 pulse::admin::FenceReply* reply) {
  // The node is logged only once the caller is known, and then escaped and capped.
  if (grpc::Status s = authorize(*context, "stonith fence", /*log=*/false); !s.ok()) return s;
  logEvent("stonith fence " + logField(request->node()) + " from " + clientOf(*context));
  if (request->node().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "no node to fence"};
  auto future = cluster_.fence(request->node(), request->off());
  if (!future) return {grpc::StatusCode::FAILED_PRECONDITION, future.error().message};
  // Pacemaker's stonith-timeout (60 s) plus room for the agent to be found and started.
  if (future->wait_for(std::chrono::seconds(90)) != std::future_status::ready) {
    return {grpc::StatusCode::DEADLINE_EXCEEDED,
            "fencing " + request->node() + " did not finish within 90 s"};
  }
  auto result = future->get();
  if (!result) return {grpc::StatusCode::ABORTED, result.error().message};
  reply->set_device(*result);
  return grpc::Status::OK;
}

grpc::Status AdminService::ClusterStatus(grpc::ServerContext* context,
                                         const pulse::admin::ClusterStatusRequest*,
                                         pulse::admin::ClusterStatusReply* reply) {
  // Status is polled (pcs cluster start waits on it): authorized but not logged.
  if (grpc::Status s = authorize(*context, "cluster status", /*log=*/false); !s.ok()) return s;
  fillStatus(cluster_.snapshot(), *reply);
  return grpc::Status::OK;
}

void AdminService::fillStatus(const ClusterSnapshot& snapshot,
                              pulse::admin::ClusterStatusReply& reply) const {
  reply.set_node_name(node_name_);
  reply.set_version(version_);
  reply.set_in_cluster(snapshot.configured);
  reply.set_cluster_name(snapshot.cluster_name);
  reply.set_running(snapshot.running);
  reply.set_enabled(snapshot.enabled);
  reply.set_local_nodeid(snapshot.local_id);
  reply.set_cluster_config(snapshot.config_text);
  reply.set_token_ms(static_cast<std::uint64_t>(snapshot.token.count()));
  reply.set_consensus_ms(static_cast<std::uint64_t>(snapshot.consensus.count()));
  if (snapshot.view) {
    reply.set_has_view(true);
    reply.set_ring_seq(snapshot.view->ring_id.seq);
    reply.set_ring_rep(snapshot.view->ring_id.representative);
  }
  for (const MemberRuntime& m : snapshot.members) {
    pulse::admin::MemberInfo* info = reply.add_members();
    info->set_nodeid(m.node.id);
    info->set_name(m.node.name);
    info->set_address(m.node.address);
    info->set_ip(m.ip);
    info->set_votes(m.node.votes);
    info->set_in_view(m.in_view);
    info->set_join_count(m.join_count);
    info->set_ever_seen(m.ever_seen);
    info->set_lost_at_ms(m.lost_at_ms);
    info->set_cib_version_at_loss(m.cib_version_at_loss);
  }
  pulse::admin::QuorumInfo* quorum = reply.mutable_quorum();
  quorum->set_quorate(snapshot.quorum.quorate);
  quorum->set_expected_votes(snapshot.quorum.expected_votes);
  quorum->set_total_votes(snapshot.quorum.total_votes);
  quorum->set_quorum(snapshot.quorum.quorum);
  quorum->set_flags(snapshot.quorum.flags);
  quorum->set_flags_text(snapshot.quorum.flagsText());
  if (!snapshot.running) return;
  auto add = [&reply](const std::string& name, std::uint64_t value) {
    pulse::admin::Counter* counter = reply.add_counters();
    counter->set_name(name);
    counter->set_value(value);
  };
  const membership::PacketCounters& packets = snapshot.stats.packets;
  add("rx.accepted", packets.accepted);
  for (std::size_t r = 0; r < membership::kDropReasonCount; ++r) {
    const auto reason = static_cast<membership::DropReason>(r);
    add("rx.dropped." + std::string(membership::toString(reason)), packets.droppedFor(reason));
  }
  add("rx.errors", snapshot.stats.receive_errors);
  add("tx.sent", snapshot.stats.sent);
  add("tx.errors", snapshot.stats.send_errors);
  add("persist.errors", snapshot.stats.persist_errors);
  // Full CIB parses in this crmd: one per copy this node stored (parsed_cib.h).
  add("cib.parses", parseCount());
}

}  // namespace pulse::crmd
