// The admin API's gRPC service (pulse.admin.Admin), private to pulse_admin: admin_server.cc
// builds one and registers it; its calls live one file per concern, as the network sees them:
//   admin_access.cc        host auth, tokens (whoami, revoke, node tokens) and the check every
//                          other call passes first (authorize)
//   admin_cluster_calls.cc the cluster's lifecycle (setup, start, stop, enable, destroy), its
//                          status and fencing, carried out by the ClusterControl
//   admin_cib_calls.cc     CIB reads and writes
//   admin_event_calls.cc   the journal of cluster events (pcs cluster events) and who a
//                          change is recorded as
//
// Invariants every call keeps (admin_server.h says why):
//  * Every call but HostAuth passes authorize() before it reads anything the caller sent; a
//    refusal is UNAUTHENTICATED and logged throttled (refusal_log_), never the request.
//  * Calls that mint or revoke tokens for others need a host-auth token (needHostAuthToken): a
//    cluster node's own token cannot.
//  * A call that waits for the cluster waits with a bound: a CIB write 20 s (then "uncertain"),
//    a fence request 90 s.
//
// Thread-safety: gRPC runs the calls on its own threads; the AuthStore, AuthLimiter,
// ClusterControl and TrustedSourceRefresher they share are thread-safe, the rest is const.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>
#include <string>

#include "admin.grpc.pb.h"
#include "common/log.h"
#include "crmd/admin/auth_limiter.h"
#include "crmd/admin/auth_store.h"
#include "crmd/admin/cluster_control.h"
#include "crmd/admin/front_acceptor.h"
#include "crmd/admin/trusted_sources.h"

namespace pulse::crmd {

class AdminService final : public pulse::admin::Admin::Service {
 public:
  AdminService(AuthStore auth, std::string node_name, std::string version, ClusterControl& cluster,
               std::string local_token, const FrontAcceptor& front,
               TrustedSourceRefresher& refresher)
      : auth_(std::move(auth)),
        node_name_(std::move(node_name)),
        version_(std::move(version)),
        cluster_(cluster),
        local_token_(std::move(local_token)),
        front_(front),
        refresher_(refresher) {}

  // admin_access.cc
  grpc::Status HostAuth(grpc::ServerContext* context, const pulse::admin::HostAuthRequest* request,
                        pulse::admin::HostAuthReply* reply) override;
  grpc::Status Whoami(grpc::ServerContext* context, const pulse::admin::WhoamiRequest* request,
                      pulse::admin::WhoamiReply* reply) override;
  grpc::Status RevokeToken(grpc::ServerContext* context,
                           const pulse::admin::RevokeTokenRequest* request,
                           pulse::admin::RevokeTokenReply* reply) override;
  grpc::Status IssueNodeTokens(grpc::ServerContext* context,
                               const pulse::admin::IssueNodeTokensRequest* request,
                               pulse::admin::IssueNodeTokensReply* reply) override;

  // admin_cluster_calls.cc
  grpc::Status ClusterSetup(grpc::ServerContext* context,
                            const pulse::admin::ClusterSetupRequest* request,
                            pulse::admin::ClusterSetupReply* reply) override;
  grpc::Status ClusterStart(grpc::ServerContext* context,
                            const pulse::admin::ClusterStartRequest* request,
                            pulse::admin::ClusterStartReply* reply) override;
  grpc::Status ClusterStop(grpc::ServerContext* context,
                           const pulse::admin::ClusterStopRequest* request,
                           pulse::admin::ClusterStopReply* reply) override;
  grpc::Status ClusterEnable(grpc::ServerContext* context,
                             const pulse::admin::ClusterEnableRequest* request,
                             pulse::admin::ClusterEnableReply* reply) override;
  grpc::Status ClusterDestroy(grpc::ServerContext* context,
                              const pulse::admin::ClusterDestroyRequest* request,
                              pulse::admin::ClusterDestroyReply* reply) override;
  grpc::Status ClusterStatus(grpc::ServerContext* context,
                             const pulse::admin::ClusterStatusRequest* request,
                             pulse::admin::ClusterStatusReply* reply) override;
  grpc::Status Fence(grpc::ServerContext* context, const pulse::admin::FenceRequest* request,
                     pulse::admin::FenceReply* reply) override;

  // admin_cib_calls.cc
  grpc::Status CibGet(grpc::ServerContext* context, const pulse::admin::CibGetRequest* request,
                      pulse::admin::CibGetReply* reply) override;
  grpc::Status CibSubmit(grpc::ServerContext* context,
                         const pulse::admin::CibSubmitRequest* request,
                         pulse::admin::CibSubmitReply* reply) override;

  // admin_event_calls.cc
  grpc::Status ClusterEvents(grpc::ServerContext* context,
                             const pulse::admin::ClusterEventsRequest* request,
                             pulse::admin::ClusterEventsReply* reply) override;

 private:
  // OK when the call carries a token this node issued (its label then in `label`, when given;
  // the local-admin token has none); logs refusals (throttled: anyone can cause them).
  grpc::Status authorize(const grpc::ServerContext& context, const std::string& call,
                         bool log = true, std::string* label = nullptr) const;
  // The caller's address: gRPC sees the front acceptor's end of the Unix socket.
  std::string clientOf(const grpc::ServerContext& context) const;
  // Who made a change, for the event journal: the token's holder and the source address.
  std::string callerOf(const grpc::ServerContext& context, const std::string& label) const;
  // OK when the CIB's ACLs let the user the write acts for (request.cib_user) make it; then
  // `xml` is what that user's write stands for (cib_acl.h: aclScopedWrite). The refusal names
  // the user and the first element refused, and goes to the event journal.
  Status checkAcls(const pulse::admin::CibSubmitRequest& request, std::string& xml,
                   const std::string& label, const grpc::ServerContext& context);
  // A node's name for its id ("" for none; the id itself when it is not a member).
  std::string nodeName(std::optional<NodeId> id) const;

  static grpc::Status needHostAuthToken(const std::string& label);
  static std::string bearerToken(const grpc::ServerContext& context);
  static std::string failureName(WriteFailure failure);
  // Logs a failed call and returns `error` to the caller with `code`.
  static grpc::Status failure(const std::string& call, grpc::StatusCode code, const Error& error);

  AuthStore auth_;
  AuthLimiter limiter_;  // HostAuth's backoff and concurrency cap (auth_limiter.h)
  // Refused calls: at most 10 lines a second, however many arrive.
  mutable LogThrottle refusal_log_{10, std::chrono::seconds(1)};
  const std::string node_name_;
  const std::string version_;
  ClusterControl& cluster_;
  const std::string local_token_;  // this run's local-admin token (see admin_server.h)
  const FrontAcceptor& front_;
  TrustedSourceRefresher& refresher_;  // told when the members may have changed
};

}  // namespace pulse::crmd
