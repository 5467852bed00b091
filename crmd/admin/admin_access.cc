// The admin API's access calls (admin_service.h): HostAuth (the hacluster password for a
// token, behind the AuthLimiter), Whoami, RevokeToken, IssueNodeTokens, and authorize(), the
// check every other call passes first. Invariants: a token is compared before anything the
// caller sent is logged; the local-admin token is compared in constant time; refusals are
// logged through the throttle (anyone can cause them), acceptances in full.

#include <chrono>
#include <string>
#include <string_view>

#include "crmd/admin/admin_service.h"
#include "crmd/client/crypto.h"

namespace pulse::crmd {

namespace {
constexpr std::string_view kBearer = "Bearer ";
}  // namespace

grpc::Status AdminService::HostAuth(grpc::ServerContext* context,
                                    const pulse::admin::HostAuthRequest* request,
                                    pulse::admin::HostAuthReply* reply) {
  const std::string who = "host auth from " + clientOf(*context);
  if (!auth_.hasPassword()) {
    logEvent(who + " refused: no hacluster password set (run crmd passwd)");
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "no hacluster password is set on this node (run crmd passwd)"};
  }
  // Refusals by the limiter are not logged: they cost nothing, and a flood of them would
  // flood the log; the failure that starts a backoff is.
  const std::string source = authSource(clientOf(*context));
  const AuthLimiter::Admission admission = limiter_.admit(source, std::chrono::steady_clock::now());
  if (admission.verdict == AuthLimiter::Verdict::kBackoff) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED, "too many failed attempts from " + source +
                                                      "; try again in " +
                                                      waitText(admission.retry_after)};
  }
  if (admission.verdict == AuthLimiter::Verdict::kBusy) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "too many password checks in progress on this node; try again in a moment"};
  }
  const bool accepted = auth_.checkPassword(request->username(), request->password());
  const auto backoff = limiter_.finish(source, accepted, std::chrono::steady_clock::now());
  if (!accepted) {
    const std::string blocked = backoff.count() > 0
                                    ? "; too many failures: attempts from " + source +
                                          " are refused for " + waitText(backoff)
                                    : "";
    logEvent(who + " refused: wrong user name or password" + blocked);
    return {grpc::StatusCode::UNAUTHENTICATED, "Username and/or password is incorrect" + blocked};
  }
  auto token = auth_.issueToken();
  if (!token) {
    logEvent(who + " failed: " + token.error().message);
    return {grpc::StatusCode::INTERNAL, "cannot store the token on the node"};
  }
  logEvent(who + " accepted: token issued");
  reply->set_token(*token);
  reply->set_node_name(node_name_);
  return grpc::Status::OK;
}

grpc::Status AdminService::Whoami(grpc::ServerContext* context, const pulse::admin::WhoamiRequest*,
                                  pulse::admin::WhoamiReply* reply) {
  if (grpc::Status s = authorize(*context, "whoami"); !s.ok()) return s;
  reply->set_node_name(node_name_);
  const ClusterSnapshot snapshot = cluster_.snapshot();
  reply->set_in_cluster(snapshot.configured);
  reply->set_cluster_name(snapshot.cluster_name);
  return grpc::Status::OK;
}

grpc::Status AdminService::RevokeToken(grpc::ServerContext* context,
                                       const pulse::admin::RevokeTokenRequest* request,
                                       pulse::admin::RevokeTokenReply* reply) {
  std::string label;
  if (grpc::Status s = authorize(*context, "revoke token", true, &label); !s.ok()) return s;
  if (request->all_host_auth()) {
    if (grpc::Status s = needHostAuthToken(label); !s.ok()) return s;
    auto revoked = auth_.revokeHostAuthTokens();
    if (!revoked) return failure("revoke tokens", grpc::StatusCode::INTERNAL, revoked.error());
    logEvent("every host-auth token revoked (" + std::to_string(*revoked) + ")");
    reply->set_revoked(static_cast<std::uint32_t>(*revoked));
    return grpc::Status::OK;
  }
  if (Status s = auth_.revokeToken(bearerToken(*context)); !s) {
    return failure("revoke token", grpc::StatusCode::INTERNAL, s.error());
  }
  logEvent("token revoked");
  reply->set_revoked(1);
  return grpc::Status::OK;
}

grpc::Status AdminService::IssueNodeTokens(grpc::ServerContext* context,
                                           const pulse::admin::IssueNodeTokensRequest* request,
                                           pulse::admin::IssueNodeTokensReply* reply) {
  std::string label;
  if (grpc::Status s = authorize(*context, "issue node tokens", true, &label); !s.ok()) return s;
  if (grpc::Status s = needHostAuthToken(label); !s.ok()) return s;
  auto tokens = auth_.issueNodeTokens({request->holders().begin(), request->holders().end()});
  if (!tokens) {
    return failure("issue node tokens", grpc::StatusCode::INVALID_ARGUMENT, tokens.error());
  }
  for (const std::string& token : *tokens) reply->add_tokens(token);
  logEvent("node tokens issued for " + std::to_string(tokens->size()) + " nodes");
  return grpc::Status::OK;
}

grpc::Status AdminService::authorize(const grpc::ServerContext& context, const std::string& call,
                                     bool log, std::string* label) const {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  std::string_view value;
  if (it != metadata.end()) value = std::string_view(it->second.data(), it->second.size());
  if (!value.starts_with(kBearer)) {
    refusal_log_.log(call + " from " + clientOf(context) + " refused: no token");
    return {grpc::StatusCode::UNAUTHENTICATED, "no authentication token; run pcs host auth"};
  }
  const std::string token(value.substr(kBearer.size()));
  if (!constantTimeEquals(token, local_token_)) {
    const TokenCheck check = auth_.checkToken(token);
    if (check.state == TokenState::kExpired) {
      refusal_log_.log(call + " from " + clientOf(context) + " refused: expired token");
      return {grpc::StatusCode::UNAUTHENTICATED,
              "the authentication token has expired; run pcs host auth again"};
    }
    if (check.state != TokenState::kValid) {
      refusal_log_.log(call + " from " + clientOf(context) + " refused: unknown token");
      return {grpc::StatusCode::UNAUTHENTICATED, "invalid authentication token; run pcs host auth"};
    }
    if (label != nullptr) *label = check.label;
  }
  if (log) logEvent(call + " from " + clientOf(context));
  return grpc::Status::OK;
}

std::string AdminService::clientOf(const grpc::ServerContext& context) const {
  return front_.clientOf(context.peer()).value_or(context.peer());
}

grpc::Status AdminService::needHostAuthToken(const std::string& label) {
  if (label == kHostAuthLabel) return grpc::Status::OK;
  return {grpc::StatusCode::PERMISSION_DENIED,
          "this call needs a token from pcs host auth, not a cluster node's token"};
}

std::string AdminService::bearerToken(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) return {};
  return std::string(it->second.data(), it->second.size()).substr(kBearer.size());
}

grpc::Status AdminService::failure(const std::string& call, grpc::StatusCode code,
                                   const Error& error) {
  logEvent(call + " failed: " + error.message);
  return {code, error.message};
}

}  // namespace pulse::crmd
