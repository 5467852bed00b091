// The cluster config file (corosync.conf's role), written by `pcs cluster setup`, in
// corosync.conf's own syntax so that operators recognise it:
//
//   totem { version: 2  cluster_name: web  transport: udp  token: 1000 }
//   nodelist { node { ring0_addr: 192.0.2.1  name: node1  nodeid: 1 } ... }
//   quorum { provider: corosync_votequorum  two_node: 1 }
//   logging { to_syslog: yes }
//
// (one `key: value`, `name {` or `}` per line; `#` starts a comment line). The words keep
// corosync's meaning (corosync.conf(5), votequorum(5)); Pulse's default token is 1000 ms.
//
// Pure: parsing never throws and never crashes on garbage; every error is a value naming the
// line and the key. Round trip: parseClusterConfig(writeClusterConfig(c)) == c for every c that
// parsing produced. Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "membership/quorum.h"
#include "membership/result.h"

namespace pulse::membership {

struct ClusterNode {
  NodeId id = 0;            // nodeid (required, not 0).
  std::string name;         // name (optional; unique when set).
  std::string address;      // ring0_addr (required, unique).
  std::uint32_t votes = 1;  // quorum_votes.

  friend bool operator==(const ClusterNode&, const ClusterNode&) = default;
};

// The quorum { } section (provider is always corosync_votequorum).
struct QuorumOptions {
  std::optional<std::uint32_t> expected_votes;
  bool two_node = false;
  std::optional<bool> wait_for_all;
  bool last_man_standing = false;
  std::optional<std::chrono::milliseconds> last_man_standing_window;
  bool auto_tie_breaker = false;
  std::optional<TieBreaker> auto_tie_breaker_node;

  friend bool operator==(const QuorumOptions&, const QuorumOptions&) = default;
};

inline constexpr std::chrono::milliseconds kDefaultToken{1000};

struct ClusterConfig {
  // totem { }
  std::string cluster_name;  // Required.
  std::optional<std::uint64_t> config_version;
  std::string transport = "udp";  // udp | udpu | knet
  std::chrono::milliseconds token = kDefaultToken;
  std::optional<std::chrono::milliseconds> consensus;  // Default: 1.2 x token.
  std::optional<std::chrono::milliseconds> join;
  std::optional<std::string> crypto_cipher;
  std::optional<std::string> crypto_hash;
  std::optional<std::string> ip_version;  // ipv4 | ipv6 | ipv4-6 | ipv6-4
  // nodelist { node { } ... }, in file order.
  std::vector<ClusterNode> nodes;
  QuorumOptions quorum;
  // logging { }: known keys only, in file order.
  std::vector<std::pair<std::string, std::string>> logging;

  std::chrono::milliseconds effectiveConsensus() const {
    return consensus ? *consensus : token * 12 / 10;
  }
  // The votequorum input: nodes with their votes plus the quorum options.
  QuorumConfig quorumConfig() const;
  const ClusterNode* findNode(NodeId id) const;
  const ClusterNode* findNodeByName(std::string_view name) const;

  friend bool operator==(const ClusterConfig&, const ClusterConfig&) = default;
};

// Parses and validates. Errors name the line and key, e.g.
//   "line 12: nodeid: 'x1' is not a number" or "line 20: node 3: duplicate ring0_addr 192.0.2.1".
// Checks: known sections and keys only, no key twice in a section, balanced braces, numbers in
// range, every node with nodeid and ring0_addr, unique ids/names/addresses, totem.version 2,
// consensus >= token, two_node only with exactly 2 nodes, and votequorum's own checks
// (effectiveQuorumConfig()).
// kSyntaxOnly skips the checks that concern running the cluster (consensus >= token, two_node,
// votequorum's): a viewer such as `pcs cluster config` shows any file corosync's syntax allows.
enum class ConfigChecks { kFull, kSyntaxOnly };
Result<ClusterConfig> parseClusterConfig(std::string_view text,
                                         ConfigChecks checks = ConfigChecks::kFull);

// The file for `config`, in a fixed layout (4-space indents, sections in the order above).
std::string writeClusterConfig(const ClusterConfig& config);

}  // namespace pulse::membership
