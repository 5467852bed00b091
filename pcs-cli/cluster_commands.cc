#include "pcs-cli/cluster_commands.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "crmd/client/crypto.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/local_admin.h"
#include "crmd/client/secure_file.h"
#include "membership/cluster_config.h"
#include "membership/packet_auth.h"
#include "pcs-cli/cluster_config_view.h"
#include "pcs-cli/cluster_output.h"
#include "pcs-cli/cluster_setup.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {

namespace {

constexpr std::chrono::seconds kDefaultStartWait{60};
constexpr std::chrono::milliseconds kPollInterval{100};

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

std::string quoteList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

Result<membership::ClusterConfig> localClusterConfig(const PcsOptions& options) {
  const std::string path = options.state_dir + "/corosync.conf";
  auto text = crmd::readFile(path);
  if (!text) return Error{"Unable to read the cluster config: " + text.error().message};
  auto config = membership::parseClusterConfig(*text);
  if (!config) return Error{path + ": " + config.error().message};
  return config;
}

// --all: the nodes of the local cluster config; no names: the local node; else the names.
Result<std::vector<std::string>> targetNodes(const PcsOptions& options,
                                             const std::vector<std::string>& nodes) {
  if (options.all) {
    if (!nodes.empty()) return Error{"Cannot specify both --all and a list of nodes."};
    auto config = localClusterConfig(options);
    if (!config) return config.error();
    std::vector<std::string> names;
    for (const membership::ClusterNode& n : config->nodes) {
      names.push_back(n.name.empty() ? n.address : n.name);
    }
    return names;
  }
  if (!nodes.empty()) return nodes;
  auto local = localNodeName(options);
  if (!local) return local.error();
  return std::vector<std::string>{*local};
}

// Connects to every node; a node that cannot be reached is reported and left out.
std::vector<NodeSession> connectAll(const PcsOptions& options,
                                    const std::vector<std::string>& nodes, int& exit_code) {
  std::vector<NodeSession> sessions;
  for (const std::string& node : nodes) {
    auto session = connectNode(options, node);
    if (!session) {
      fail(session.error().message);
      exit_code = 1;
      continue;
    }
    sessions.push_back(std::move(*session));
  }
  return sessions;
}

// The nodes a started node must see before it counts as started: the ones just started, and
// every other node of the cluster whose membership is running now (a node rejoining a running
// cluster must join the others, not merely form a view of its own). Nodes that cannot be
// asked are not waited for.
std::set<std::string> nodesToMeet(const PcsOptions& options, std::vector<NodeSession>& started) {
  std::set<std::string> wanted;
  for (const NodeSession& s : started) wanted.insert(s.node());
  auto status = started.front().clusterStatus();
  if (!status) return wanted;
  for (const admin::MemberInfo& m : status->members()) {
    if (wanted.contains(m.name())) continue;
    auto session = connectNode(options, m.name());
    if (!session) continue;
    auto other = session->clusterStatus();
    if (other && other->running()) wanted.insert(m.name());
  }
  return wanted;
}

// Polls the started nodes until each one's view holds all of `wanted`. Prints "NODE: Started"
// as each gets there; the error names the nodes still missing at the deadline.
int waitForStart(std::vector<NodeSession>& sessions, const std::set<std::string>& wanted,
                 std::chrono::seconds limit) {
  std::cout << "Waiting for node(s) to start...\n" << std::flush;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::set<std::string> pending;
  for (const NodeSession& s : sessions) pending.insert(s.node());
  std::map<std::string, std::string> last_state;
  while (!pending.empty()) {
    for (NodeSession& session : sessions) {
      if (!pending.contains(session.node())) continue;
      auto status = session.clusterStatus();
      if (!status) {
        last_state[session.node()] = status.error().message;
        continue;
      }
      std::set<std::string> in_view;
      for (const admin::MemberInfo& m : status->members()) {
        if (m.in_view()) in_view.insert(m.name());
      }
      const bool all_in =
          std::includes(in_view.begin(), in_view.end(), wanted.begin(), wanted.end());
      if (status->running() && status->has_view() && all_in) {
        std::cout << session.node() << ": Started\n" << std::flush;
        pending.erase(session.node());
      } else {
        std::string members;
        for (const std::string& m : in_view) members += " " + m;
        last_state[session.node()] =
            status->has_view() ? "its view holds" + members : "no view installed yet";
      }
    }
    if (pending.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      for (const std::string& node : pending) {
        fail(node + ": did not join the others within " + std::to_string(limit.count()) + " s (" +
             last_state[node] + ")");
      }
      return 1;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return 0;
}

Result<admin::ClusterStatusReply> nodeStatus(const PcsOptions& options,
                                             const std::vector<std::string>& args) {
  if (args.size() > 1) return Error{"expected at most one node name"};
  auto targets = targetNodes(options, args);
  if (!targets) return targets.error();
  auto session = connectNode(options, targets->front());
  if (!session) return session.error();
  auto status = session->clusterStatus();
  if (!status) return Error{targets->front() + ": " + status.error().message};
  return status;
}

Result<admin::ClusterStatusReply> runningStatus(const PcsOptions& options,
                                                const std::vector<std::string>& args) {
  auto status = nodeStatus(options, args);
  if (!status) return status;
  if (!status->in_cluster()) return Error{status->node_name() + ": the node is not in a cluster"};
  if (!status->running()) {
    return Error{status->node_name() + ": the cluster is not running on this node"};
  }
  return status;
}

// pcs refuses to stop nodes whose votes the quorum needs. The answer comes from a running
// node that stays up, else from one of the nodes being stopped.
Status checkQuorumAfterStop(const PcsOptions& options, const std::vector<std::string>& stopping) {
  auto config = localClusterConfig(options);
  if (!config) return {};  // not on a cluster node: nothing to ask
  std::vector<std::string> askable;
  for (const membership::ClusterNode& n : config->nodes) {
    if (std::find(stopping.begin(), stopping.end(), n.name) == stopping.end()) {
      askable.push_back(n.name);
    }
  }
  if (askable.empty()) return {};  // stopping every node
  askable.insert(askable.end(), stopping.begin(), stopping.end());
  for (const std::string& node : askable) {
    auto session = connectNode(options, node);
    if (!session) continue;
    auto status = session->clusterStatus();
    if (!status || !status->running() || !status->quorum().quorate()) continue;
    std::uint32_t votes_left = status->quorum().total_votes();
    for (const admin::MemberInfo& m : status->members()) {
      if (m.in_view() && std::find(stopping.begin(), stopping.end(), m.name()) != stopping.end()) {
        votes_left -= std::min(votes_left, m.votes());
      }
    }
    if (votes_left < status->quorum().quorum()) {
      return Error{"Stopping the node(s) will cause a loss of the quorum, use --force to override"};
    }
    return {};
  }
  return {};
}

bool confirm(const std::string& question) {
  std::cout << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace

Result<NodeSession> connectNode(const PcsOptions& options, const std::string& node) {
  auto host = knownHost(options, node);
  auto local = localNodeName(options);
  const bool is_local = local && *local == node;
  if (!host) {
    // The node pcs runs on is reachable without host auth, as root reaches its own pcsd: its
    // crmd's local-admin file (crmd/client/local_admin.h), readable by root only.
    auto file = is_local ? loadKnownHosts(crmd::localAdminPath(options.state_dir))
                         : Result<std::vector<KnownHost>>(host.error());
    if (!file || file->size() != 1 || file->front().node != node) return host.error();
    host = file->front();
  }
  // This node's crmd through its local socket when pcs can reach it (root, same state
  // directory): the same calls and token, without the two TLS handshakes of the TCP path.
  if (is_local) {
    if (auto session = NodeSession::connectLocal(node, crmd::localSocketPath(options.state_dir),
                                                 host->token, options.request_timeout)) {
      return std::move(*session);
    }
  }
  auto address = parseNodeAddress(host->address);
  if (!address) return Error{node + ": " + address.error().message};
  auto session =
      NodeSession::connect(node, *address, host->token, host->fingerprint, options.request_timeout);
  if (!session) {
    return Error{"Unable to connect to " + node + " (" + host->address +
                 "), check that crmd is running there or try setting a higher timeout with "
                 "--request-timeout (" +
                 session.error().message + ")"};
  }
  return session;
}

// The name this machine's crmd runs under (crmd writes it into the state directory).
Result<std::string> localNodeName(const PcsOptions& options) {
  const std::string path = options.state_dir + "/node-name";
  auto text = crmd::readFile(path);
  if (!text)
    return Error{"Unable to find the local node: " + text.error().message +
                 " (is crmd running with this --state-dir?)"};
  std::string name = text->substr(0, text->find('\n'));
  if (name.empty()) return Error{path + " is empty"};
  return name;
}

int clusterSetup(const PcsOptions& options, const std::vector<std::string>& args) {
  auto plan = planSetup(options, args);
  if (!plan) return fail(plan.error().message);
  int exit_code = 0;
  std::vector<NodeSession> sessions = connectAll(options, plan->nodes, exit_code);
  if (exit_code != 0) return fail("Unable to reach every node: the cluster was not set up");
  std::vector<std::string> in_cluster;
  for (NodeSession& session : sessions) {
    auto status = session.clusterStatus();
    if (!status) return fail(session.node() + ": " + status.error().message);
    if (status->in_cluster()) in_cluster.push_back(session.node());
  }
  if (!in_cluster.empty() && !options.force) {
    return fail("Hosts " + quoteList(in_cluster) +
                " seem to be in a cluster already, use --force to override");
  }

  auto key = membership::generateClusterKey();
  if (!key) return fail(key.error().message);
  auto nodes = nodeCredentials(options, *plan, sessions);
  if (!nodes) return fail(nodes.error().message);
  admin::ClusterSetupRequest request;
  request.set_cluster_config(membership::writeClusterConfig(plan->config));
  request.set_cluster_key(std::string(key->begin(), key->end()));
  request.set_peer_hashes(nodes->peer_hashes);
  request.set_force(options.force);

  std::cout << "Sending 'corosync authkey', 'cluster-hosts', 'peer credentials', "
               "'corosync.conf' to "
            << quoteList(plan->nodes) << "\n";
  for (NodeSession& session : sessions) {
    request.set_known_hosts(nodes->cluster_hosts.at(session.node()));
    request.set_peer_secret(nodes->peer_secrets.at(session.node()));
    auto reply = session.clusterSetup(request);
    if (!reply) {
      fail(session.node() + ": " + reply.error().message);
      exit_code = 1;
      continue;
    }
    std::cout << session.node() << ": successful distribution of the files\n";
  }
  if (exit_code != 0) return fail("The cluster was not set up on every node");
  std::cout << "Cluster has been successfully set up.\n" << std::flush;
  if (options.enable) exit_code = clusterEnable(options, plan->nodes, true);
  if (options.start && exit_code == 0) exit_code = clusterStart(options, plan->nodes);
  return exit_code;
}

int clusterStart(const PcsOptions& options, const std::vector<std::string>& nodes) {
  auto targets = targetNodes(options, nodes);
  if (!targets) return fail(targets.error().message);
  int exit_code = 0;
  std::vector<NodeSession> sessions = connectAll(options, *targets, exit_code);
  std::vector<NodeSession> started;
  for (NodeSession& session : sessions) {
    std::cout << session.node() << ": Starting Cluster...\n" << std::flush;
    auto reply = session.clusterStart();
    if (!reply) {
      fail(session.node() + ": " + reply.error().message);
      exit_code = 1;
      continue;
    }
    started.push_back(std::move(session));
  }
  if (started.empty()) return 1;
  const std::chrono::seconds limit = options.wait ? *options.wait : kDefaultStartWait;
  if (limit.count() == 0) return exit_code;
  return std::max(exit_code, waitForStart(started, nodesToMeet(options, started), limit));
}

int clusterStop(const PcsOptions& options, const std::vector<std::string>& nodes) {
  auto targets = targetNodes(options, nodes);
  if (!targets) return fail(targets.error().message);
  if (!options.force) {
    if (Status s = checkQuorumAfterStop(options, *targets); !s) return fail(s.error().message);
  }
  int exit_code = 0;
  for (NodeSession& session : connectAll(options, *targets, exit_code)) {
    std::cout << session.node() << ": Stopping Cluster...\n" << std::flush;
    if (auto reply = session.clusterStop(); !reply) {
      fail(session.node() + ": " + reply.error().message);
      exit_code = 1;
    }
  }
  return exit_code;
}

int clusterEnable(const PcsOptions& options, const std::vector<std::string>& nodes, bool enable) {
  auto targets = targetNodes(options, nodes);
  if (!targets) return fail(targets.error().message);
  int exit_code = 0;
  for (NodeSession& session : connectAll(options, *targets, exit_code)) {
    auto reply = session.clusterEnable(enable);
    if (!reply) {
      fail(session.node() + ": " + reply.error().message);
      exit_code = 1;
      continue;
    }
    std::cout << session.node() << ": Cluster " << (enable ? "Enabled" : "Disabled") << "\n";
    if (!reply->warning().empty()) {
      std::cerr << "Warning: " << session.node() << ": " << reply->warning() << "\n";
    }
  }
  return exit_code;
}

int clusterDestroy(const PcsOptions& options, const std::vector<std::string>& args) {
  if (!args.empty()) return fail("cluster destroy takes no arguments (use --all for all nodes)");
  auto targets = targetNodes(options, {});
  if (!targets) return fail(targets.error().message);
  if (!options.force && isatty(STDIN_FILENO) != 0) {
    std::cerr << "Warning: It is recommended to run 'pcs cluster stop' before destroying the "
                 "cluster.\n";
    if (!confirm("This will remove the cluster configuration from " + quoteList(*targets) +
                 ". Are you sure you want to continue?")) {
      return 1;
    }
  }
  std::cout << "Destroying cluster on hosts: " << quoteList(*targets) << "...\n";
  int exit_code = 0;
  for (NodeSession& session : connectAll(options, *targets, exit_code)) {
    auto reply = session.clusterDestroy();
    if (!reply) {
      fail(session.node() + ": " + reply.error().message);
      exit_code = 1;
      continue;
    }
    std::cout << session.node() << ": Successfully destroyed cluster\n";
    std::string removed;
    for (const std::string& name : reply->removed()) {
      removed += (removed.empty() ? "" : ", ") + name;
    }
    std::cout << session.node() << ": removed "
              << (removed.empty() ? std::string("nothing (no cluster files were left)") : removed)
              << "\n";
  }
  return exit_code;
}

int clusterCorosync(const PcsOptions& options, const std::vector<std::string>& args) {
  auto status = nodeStatus(options, args);
  if (!status) return fail(status.error().message);
  if (!status->in_cluster()) return fail(status->node_name() + ": the node is not in a cluster");
  std::cout << status->cluster_config();
  return 0;
}

int clusterConfig(const PcsOptions& options, const std::vector<std::string>& args) {
  if (args.size() > 1 || (args.size() == 1 && args[0] != "show")) {
    return fail("unknown command 'cluster config " + args[0] +
                "'; usage: pcs cluster config [show] [--output-format text|cmd|json] "
                "[--corosync_conf <path>]");
  }
  const std::string path =
      options.corosync_conf.empty() ? options.state_dir + "/corosync.conf" : options.corosync_conf;
  // pcs's words for a file it cannot open: Python's OSError text.
  if (access(path.c_str(), R_OK) != 0) {
    return fail("Unable to read Corosync configuration '" + path + "': " + std::strerror(errno) +
                ": '" + path + "'");
  }
  auto text = crmd::readFile(path);
  if (!text) {
    return fail("Unable to read Corosync configuration '" + path + "': " + text.error().message);
  }
  auto config = membership::parseClusterConfig(*text, membership::ConfigChecks::kSyntaxOnly);
  if (!config)
    return fail("Unable to parse Corosync configuration '" + path + "': " + config.error().message);
  if (Status named = checkNodeNames(*config); !named) return fail(named.error().message);
  // Parsing fills in the default token; pcs shows only what the file states.
  static const std::regex kTokenLine(R"((^|\n)[ \t]*token[ \t]*:)");
  const bool token_set = std::regex_search(*text, kTokenLine);
  std::cout << (options.json  ? clusterConfigJson(*config, token_set)
                : options.cmd ? clusterConfigCmd(*config, token_set)
                              : clusterConfigText(*config, token_set));
  return 0;
}

int clusterCmap(const PcsOptions& options, const std::vector<std::string>& args) {
  std::vector<std::string> node;
  std::string prefix;
  for (const std::string& arg : args) {
    // Keys contain dots, node names usually do not; a known host is a node.
    if (node.empty() && prefix.empty() && knownHost(options, arg)) {
      node.push_back(arg);
    } else if (prefix.empty()) {
      prefix = arg;
    } else {
      return fail("expected at most a node name and a key prefix");
    }
  }
  auto status = nodeStatus(options, node);
  if (!status) return fail(status.error().message);
  if (!status->in_cluster()) return fail(status->node_name() + ": the node is not in a cluster");
  std::cout << (options.json ? cmapJson(*status, prefix) : formatCmap(*status, prefix));
  return 0;
}

int statusCorosync(const PcsOptions& options, const std::vector<std::string>& args) {
  auto status = runningStatus(options, args);
  if (!status) return fail(status.error().message);
  std::cout << (options.json ? statusCorosyncJson(*status) : formatStatusCorosync(*status));
  return 0;
}

int quorumStatus(const PcsOptions& options, const std::vector<std::string>& args) {
  auto status = runningStatus(options, args);
  if (!status) return fail(status.error().message);
  std::cout << (options.json ? quorumStatusJson(*status)
                             : formatQuorumStatus(*status, std::time(nullptr)));
  // As pcs: the answer is the output, so a partition without quorum is not an error.
  return 0;
}

}  // namespace pulse::pcs
