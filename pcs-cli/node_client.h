// pcs's connection to one node's crmd admin API over TLS with a pinned certificate.
//
// The connection is crmd/client/pinned_channel.h's: the certificate is checked against the pin
// (when there is one), and every step is bounded by `timeout`: an unreachable node is an Error,
// never a hang.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin.pb.h"
#include "common/result.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/pinned_channel.h"

namespace pulse::pcs {

// $CIB_user, the user pcs and the crm tools act for (Pacemaker honours it for root and
// hacluster, which every caller of crmd is); "" when unset. crmd applies its ACLs.
std::string cibUser();

using crmd::NodeAddress;
using crmd::parseNodeAddress;
// pcs keeps its tokens and pins in crmd's known-hosts format (crmd/client/known_hosts.h).
using crmd::formatKnownHosts;
using crmd::KnownHost;
using crmd::knownHostsPath;
using crmd::loadKnownHosts;
using crmd::saveKnownHosts;

struct HostAuthResult {
  std::string token;
  std::string node_name;
  std::string fingerprint;  // of the certificate the call was made over
};

// Exchanges the password for a token over a channel that trusts exactly `cert_pem` (which the
// caller has verified, host_commands.h). Errors say why: unreachable, refused.
Result<HostAuthResult> hostAuth(const NodeAddress& address, const std::string& cert_pem,
                                const std::string& username, const std::string& password,
                                std::chrono::seconds timeout);

// An authenticated connection to one node: the certificate is checked against the pin, and
// every call carries the token and a deadline of `timeout`. Errors name the node and say why
// (unreachable, certificate changed, refused, the node's own message).
class NodeSession {
 public:
  static Result<NodeSession> connect(const std::string& node, const NodeAddress& address,
                                     const std::string& token, const std::string& fingerprint,
                                     std::chrono::seconds timeout);
  // The local crmd over its plaintext Unix socket (crmd/admin/admin_server.h localSocketPath): no
  // TLS handshakes, trust from the socket's mode. nullopt when nothing accepts on `socket_path`
  // (crmd down, or an older crmd without the socket): the caller then goes over TCP.
  static std::optional<NodeSession> connectLocal(const std::string& node,
                                                 const std::string& socket_path,
                                                 const std::string& token,
                                                 std::chrono::seconds timeout);
  NodeSession(NodeSession&&) noexcept;
  ~NodeSession();

  const std::string& node() const;

  Result<admin::ClusterStatusReply> clusterStatus();
  Result<admin::ClusterEventsReply> clusterEvents(const admin::ClusterEventsRequest& request);
  Result<admin::ClusterSetupReply> clusterSetup(const admin::ClusterSetupRequest& request);
  Result<admin::ClusterStartReply> clusterStart();
  Result<admin::ClusterStopReply> clusterStop();
  Result<admin::ClusterEnableReply> clusterEnable(bool enable);
  Result<admin::ClusterDestroyReply> clusterDestroy();
  Result<admin::RevokeTokenReply> revokeToken();
  // Revokes every token HostAuth issued on the node (the session's own included).
  Result<admin::RevokeTokenReply> revokeHostAuthTokens();
  Result<admin::IssueNodeTokensReply> issueNodeTokens(const std::vector<std::string>& holders);
  // Both act for $CIB_user when it is set (cibUser()): crmd applies that user's ACLs.
  Result<admin::CibGetReply> cibGet();
  Result<admin::CibSubmitReply> cibSubmit(const admin::CibSubmitRequest& request);
  // Asks the DC to fence `node` (off: power off instead of reboot); waits up to 120 s, the
  // fencer's own default timeout plus slack.
  Result<admin::FenceReply> fence(const std::string& node, bool off);

 private:
  struct Impl;
  explicit NodeSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulse::pcs
