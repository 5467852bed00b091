#include "pcs-cli/cluster_setup.h"

#include <algorithm>
#include <charconv>
#include <iostream>

#include "crmd/client/crypto.h"
#include "crmd/client/peer_credentials.h"
#include "crmd/client/pinned_channel.h"

namespace pulse::pcs {

// pcs's own entry for `node` (pcs host auth), else the cluster node's (cluster setup).
Result<KnownHost> knownHost(const PcsOptions& options, const std::string& node) {
  auto host = crmd::findHost(options.state_dir, node);
  if (!host) return host.error();
  if (*host) return **host;
  return Error{"Host '" + node +
               "' is not known to pcs, try to authenticate the host using 'pcs host auth " + node +
               "' command"};
}

namespace {

// Parses a non-negative integer option value; the error names the option.
Result<std::uint64_t> number(const std::string& option, const std::string& value) {
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size()) {
    return Error{"'" + value + "' is not a valid " + option + " value, use a non-negative integer"};
  }
  return n;
}

Result<bool> flag(const std::string& option, const std::string& value) {
  if (value == "0" || value == "1") return value == "1";
  return Error{"'" + value + "' is not a valid " + option + " value, use '0', '1'"};
}

Status applyTotemOption(membership::ClusterConfig& config, const std::string& name,
                        const std::string& value) {
  static const std::set<std::string> kAllowed = {"consensus", "join", "token"};
  if (!kAllowed.contains(name)) {
    return Error{"invalid totem option '" + name +
                 "', allowed options are: 'consensus', 'join', 'token'"};
  }
  auto ms = number(name, value);
  if (!ms) return ms.error();
  const std::chrono::milliseconds duration(*ms);
  if (name == "token") config.token = duration;
  if (name == "consensus") config.consensus = duration;
  if (name == "join") config.join = duration;
  return {};
}

Status applyQuorumOption(membership::ClusterConfig& config, const std::string& name,
                         const std::string& value) {
  membership::QuorumOptions& q = config.quorum;
  if (name == "last_man_standing_window") {
    auto ms = number(name, value);
    if (!ms) return ms.error();
    q.last_man_standing_window = std::chrono::milliseconds(*ms);
    return {};
  }
  if (name != "auto_tie_breaker" && name != "last_man_standing" && name != "wait_for_all") {
    return Error{"invalid quorum option '" + name +
                 "', allowed options are: 'auto_tie_breaker', 'last_man_standing', "
                 "'last_man_standing_window', 'wait_for_all'"};
  }
  auto on = flag(name, value);
  if (!on) return on.error();
  if (name == "auto_tie_breaker") q.auto_tie_breaker = *on;
  if (name == "last_man_standing") q.last_man_standing = *on;
  if (name == "wait_for_all") q.wait_for_all = *on;
  return {};
}

}  // namespace

Result<SetupPlan> planSetup(const PcsOptions& options, const std::vector<std::string>& args) {
  if (args.empty()) return Error{"cluster setup needs a cluster name and at least one node"};
  SetupPlan plan;
  plan.config.cluster_name = args[0];
  std::map<std::string, std::string> addresses;
  std::string section = "nodes";
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "totem" || arg == "quorum" || arg == "transport") {
      section = arg;
      if (arg == "transport") {
        if (++i == args.size()) return Error{"transport needs a value: udp, udpu or knet"};
        if (args[i] != "udp" && args[i] != "udpu" && args[i] != "knet") {
          return Error{"'" + args[i] +
                       "' is not a valid transport value, use 'knet', 'udp', "
                       "'udpu'"};
        }
        plan.config.transport = args[i];
      }
      continue;
    }
    if (arg == "link" || arg == "compression" || arg == "crypto") {
      return Error{"'" + arg + "' options are not supported: Pulse has one authenticated ring"};
    }
    const std::size_t eq = arg.find('=');
    if (section == "nodes") {
      if (arg.starts_with("addr=")) {
        if (plan.nodes.empty()) return Error{"addr= must follow a node name"};
        if (addresses.contains(plan.nodes.back())) {
          return Error{"node '" + plan.nodes.back() +
                       "': only one addr= is supported (Pulse runs one ring)"};
        }
        addresses[plan.nodes.back()] = arg.substr(5);
        continue;
      }
      if (eq != std::string::npos) return Error{"unexpected '" + arg + "' in the node list"};
      if (std::find(plan.nodes.begin(), plan.nodes.end(), arg) != plan.nodes.end()) {
        return Error{"node '" + arg + "' is listed more than once"};
      }
      plan.nodes.push_back(arg);
      continue;
    }
    if (eq == std::string::npos || eq == 0) {
      return Error{"'" + arg + "': " + section + " options are written name=value"};
    }
    Status applied = section == "totem"
                         ? applyTotemOption(plan.config, arg.substr(0, eq), arg.substr(eq + 1))
                         : applyQuorumOption(plan.config, arg.substr(0, eq), arg.substr(eq + 1));
    if (!applied) return applied.error();
    if (section == "transport") return Error{"transport options are not supported: '" + arg + "'"};
  }
  if (plan.nodes.empty()) return Error{"cluster setup needs at least one node"};
  membership::NodeId id = 1;
  for (const std::string& node : plan.nodes) {
    auto host = knownHost(options, node);
    if (!host) return host.error();
    std::string address;
    if (auto it = addresses.find(node); it != addresses.end()) {
      address = it->second;
    } else {
      auto parsed = parseNodeAddress(host->address);
      if (!parsed) return Error{node + ": " + parsed.error().message};
      address = parsed->host;
      std::cout << "No addresses specified for host '" << node << "', using '" << address << "'\n";
    }
    plan.config.nodes.push_back({id++, node, address, 1});
  }
  // As pcs: a two-node cluster gets two_node (unless the tie-breaker decides instead).
  plan.config.quorum.two_node = plan.nodes.size() == 2 && !plan.config.quorum.auto_tie_breaker;
  // The file the nodes get is what the parser accepts: run every check now.
  auto checked = membership::parseClusterConfig(membership::writeClusterConfig(plan.config));
  if (!checked) return Error{"invalid cluster configuration: " + checked.error().message};
  return plan;
}
Result<NodeCredentials> nodeCredentials(const PcsOptions& options, const SetupPlan& plan,
                                        std::vector<NodeSession>& sessions) {
  std::map<std::string, std::vector<KnownHost>> hosts;  // holder -> its entries
  for (NodeSession& session : sessions) {
    auto issued = session.issueNodeTokens(plan.nodes);
    if (!issued) return Error{session.node() + ": " + issued.error().message};
    auto self = knownHost(options, session.node());
    if (!self) return self.error();
    for (std::size_t i = 0; i < plan.nodes.size(); ++i) {
      hosts[plan.nodes[i]].push_back(KnownHost{
          session.node(), self->address, issued->tokens(static_cast<int>(i)), self->fingerprint});
    }
  }
  NodeCredentials out;
  for (const std::string& node : plan.nodes) {
    out.cluster_hosts[node] = formatKnownHosts(hosts[node]);
    auto secret = crmd::randomBytes(32);
    if (!secret) return secret.error();
    out.peer_secrets[node] = crmd::toHex(*secret);
  }
  out.peer_hashes = crmd::formatPeerHashes(out.peer_secrets);
  return out;
}

}  // namespace pulse::pcs
