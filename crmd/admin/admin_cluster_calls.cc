// The admin API's cluster calls (admin_service.h): setup, start, stop, enable, destroy, status
// and fencing, each handed to the ClusterControl once authorized. Invariants: a change of the
// cluster's members (setup, destroy) refreshes the front acceptor's trusted sources; status is
// polled and so authorized without a log line; a fence request waits at most 90 s.

#include <chrono>
#include <future>
#include <string>

#include "crmd/admin/admin_service.h"
#include "crmd/admin/status_reply.h"

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
  fillClusterStatus(cluster_.snapshot(), node_name_, version_, *reply);
  return grpc::Status::OK;
}

}  // namespace pulse::crmd
