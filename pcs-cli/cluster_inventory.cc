// pcs cluster setup --inventory, pcs cluster check --inventory and pcs cluster events
// (cluster_commands.h).
#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <thread>
#include <variant>

#include "crmd/client/secure_file.h"
#include "pcs-cli/cib_edit.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/cluster_setup.h"
#include "pcs-cli/event_log.h"
#include "pcs-cli/inventory.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {
namespace {

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

Result<Inventory> loadInventory(const std::string& path) {
  auto text = crmd::readFile(path);
  if (!text) return Error{"Unable to read the inventory: " + text.error().message};
  return parseInventory(*text, path);
}

// One node's check: known to pcs (a token), its crmd answering with that token, its release.
NodeCheck checkNode(const PcsOptions& options, const InventoryNode& node) {
  NodeCheck check;
  check.node = node.name;
  check.address = node.address;
  auto host = knownHost(options, node.name);
  if (!host) {
    check.problem = "not authenticated: run 'pcs host auth " + node.name +
                    (node.address.empty() ? "" : " addr=" + node.address) + "'";
    return check;
  }
  if (check.address.empty()) {
    if (auto parsed = parseNodeAddress(host->address)) check.address = parsed->host;
  }
  auto session = connectNode(options, node.name);
  if (!session) {
    check.authenticated = true;
    check.problem = "unreachable: " + session.error().message;
    return check;
  }
  auto status = session->clusterStatus();
  if (!status) {
    // The connection was made: the node answered, and refused or failed the call.
    // A refused token is an answer (the node is reachable); anything else is not.
    const std::string& why = status.error().message;
    const bool refused = why.find("token") != std::string::npos;
    check.reachable = refused;
    check.authenticated = !refused;
    check.problem = refused ? "the node refused pcs's token (" + why + "): run 'pcs host auth " +
                                  node.name + "' again"
                            : "unreachable: " + why;
    return check;
  }
  check.authenticated = true;
  check.reachable = true;
  check.version = status->version();
  check.in_cluster = status->in_cluster();
  return check;
}

// Every node at once, each bounded by the request timeout.
std::vector<NodeCheck> checkNodes(const PcsOptions& options, const Inventory& inventory) {
  std::vector<std::future<NodeCheck>> pending;
  for (const InventoryNode& node : inventory.nodes) {
    pending.push_back(
        std::async(std::launch::async, [&options, &node] { return checkNode(options, node); }));
  }
  std::vector<NodeCheck> out;
  for (auto& f : pending) out.push_back(f.get());
  return out;
}

Result<std::string> inventoryOption(const PcsOptions& options) {
  if (options.inventory.empty()) return Error{"--inventory FILE is needed"};
  return options.inventory;
}

// The node attributes of every node, written in one configuration change through the DC
// (after --start), redone when another write got there first.
Status writeRoles(const PcsOptions& options, const Inventory& inventory) {
  PcsOptions patient = options;
  // A DC is elected and synchronises the CIB right after the start: wait for it.
  patient.request_timeout = std::max(options.request_timeout, std::chrono::seconds(30));
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cib = LiveCib::read(patient);
    if (!cib) return cib.error();
    std::string xml = cib->xml();
    for (const InventoryNode& node : inventory.nodes) {
      const auto attributes = inventoryAttributes(node);
      if (attributes.empty()) continue;
      NvSetUpdate update{NvSetUpdate::Target::NodeAttribute, node.name, {}};
      for (const auto& [k, v] : attributes) update.pairs.push_back({k, v});
      auto edited = applyEdit(xml, Edit{update});
      if (!edited) return Error{node.name + ": " + edited.error().message};
      xml = *edited;
    }
    auto bumped = bumpEpoch(xml);
    if (!bumped) return bumped.error();
    auto written = cib->write(*bumped);
    if (!written) return written.error();
    if (!written->stale) return {};
  }
  return Error{"the CIB kept changing while pcs was writing the roles (3 attempts)"};
}

std::string attributeCommands(const Inventory& inventory) {
  std::string out;
  for (const InventoryNode& node : inventory.nodes) {
    const auto attributes = inventoryAttributes(node);
    if (attributes.empty()) continue;
    out += "  pcs node attribute " + node.name;
    for (const auto& [k, v] : attributes) {
      const bool plain = v.find_first_of(" '\"\\$`") == std::string::npos;
      out += " " + k + "=" + (plain ? v : "'" + v + "'");
    }
    out += "\n";
  }
  return out;
}

}  // namespace

int clusterCheck(const PcsOptions& options, const std::vector<std::string>& args) {
  if (!args.empty()) return fail("cluster check takes no arguments besides --inventory FILE");
  auto path = inventoryOption(options);
  if (!path) return fail(path.error().message);
  auto inventory = loadInventory(*path);
  if (!inventory) return fail(inventory.error().message);
  const std::vector<NodeCheck> checks = checkNodes(options, *inventory);
  std::cout << formatNodeChecks(checks);
  const auto refusals = nodeCheckRefusals(checks, options.force);
  for (const std::string& r : refusals) fail(r);
  return refusals.empty() ? 0 : 1;
}

int clusterSetupInventory(const PcsOptions& options, const std::vector<std::string>& args) {
  auto path = inventoryOption(options);
  if (!path) return fail(path.error().message);
  if (args.empty()) return fail("cluster setup needs a cluster name");
  if (args.size() > 1 && args[1] != "totem" && args[1] != "quorum" && args[1] != "transport") {
    return fail("with --inventory the nodes come from the inventory; '" + args[1] +
                "' is not a setup option (totem, quorum, transport)");
  }
  auto inventory = loadInventory(*path);
  if (!inventory) return fail(inventory.error().message);
  std::cout << "Checking " << inventory->nodes.size() << " nodes from " << *path << "\n";
  const std::vector<NodeCheck> checks = checkNodes(options, *inventory);
  std::cout << formatNodeChecks(checks) << std::flush;
  const auto refusals = nodeCheckRefusals(checks, options.force);
  if (!refusals.empty()) {
    for (const std::string& r : refusals) fail(r);
    return fail("the cluster was not set up");
  }
  std::vector<std::string> setup{args[0]};
  for (const InventoryNode& node : inventory->nodes) {
    setup.push_back(node.name);
    if (!node.address.empty()) setup.push_back("addr=" + node.address);
  }
  setup.insert(setup.end(), args.begin() + 1, args.end());
  if (int rc = clusterSetup(options, setup); rc != 0) return rc;
  const std::string commands = attributeCommands(*inventory);
  if (commands.empty()) return 0;
  if (!options.start) {
    std::cout << "The roles become node attributes once the cluster runs: after 'pcs cluster "
                 "start --all', run\n"
              << commands;
    return 0;
  }
  if (Status s = writeRoles(options, *inventory); !s) {
    fail("the roles were not written: " + s.error().message);
    std::cerr << "Write them once the cluster has a DC:\n" << commands;
    return 1;
  }
  std::cout << "Node attributes written from the inventory's roles and vars:\n" << commands;
  return 0;
}

}  // namespace pulse::pcs

namespace pulse::pcs {
namespace {

constexpr std::chrono::seconds kFollowInterval{1};

struct NodeAnswer {
  std::string node;
  std::vector<NodeEvent> events;
  std::string error;  // the node did not answer
};

NodeAnswer askEvents(const PcsOptions& options, const std::string& node, std::int64_t since_ms) {
  NodeAnswer answer{node, {}, ""};
  auto session = connectNode(options, node);
  if (!session) {
    answer.error = session.error().message;
    return answer;
  }
  admin::ClusterEventsRequest request;
  request.set_since_ms(since_ms);
  auto reply = session->clusterEvents(request);
  if (!reply) {
    answer.error = reply.error().message;
    return answer;
  }
  for (const admin::ClusterEvent& e : reply->events()) {
    answer.events.push_back(NodeEvent{node, e.at_ms(), e.kind(), e.text(), e.who()});
  }
  return answer;
}

// Every node at once; each bounded by the request timeout.
std::vector<NodeAnswer> askAll(const PcsOptions& options, const std::vector<std::string>& nodes,
                               std::int64_t since_ms) {
  std::vector<std::future<NodeAnswer>> pending;
  for (const std::string& node : nodes) {
    pending.push_back(std::async(std::launch::async, [&options, node, since_ms] {
      return askEvents(options, node, since_ms);
    }));
  }
  std::vector<NodeAnswer> out;
  for (auto& f : pending) out.push_back(f.get());
  return out;
}

Result<std::vector<std::string>> clusterNodes(const PcsOptions& options) {
  auto local = localNodeName(options);
  if (!local) return local.error();
  auto session = connectNode(options, *local);
  if (!session) return session.error();
  auto status = session->clusterStatus();
  if (!status) return Error{*local + ": " + status.error().message};
  if (!status->in_cluster()) return Error{*local + ": the node is not in a cluster"};
  std::vector<std::string> names;
  for (const admin::MemberInfo& m : status->members()) names.push_back(m.name());
  return names;
}

}  // namespace

int clusterEvents(const PcsOptions& options, const std::vector<std::string>& args) {
  if (!args.empty()) {
    return fail(
        "cluster events takes options only: [--since TIME|DURATION] [--node NODE] "
        "[--follow] [--output-format=json]");
  }
  if (options.json && options.follow) return fail("--follow prints text only");
  std::int64_t since = 0;
  if (options.since) {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto parsed = parseSince(*options.since, now);
    if (!parsed) return fail(parsed.error().message);
    since = *parsed;
  }
  std::vector<std::string> nodes;
  if (!options.node.empty()) {
    nodes.push_back(options.node);
  } else {
    auto all = clusterNodes(options);
    if (!all) return fail(all.error().message);
    nodes = *all;
  }
  std::size_t width = 0;
  for (const std::string& n : nodes) width = std::max(width, n.size());
  std::vector<NodeEvent> printed_at_last_ms;  // --follow: what the last poll ended with
  bool first = true;
  for (;;) {
    const std::vector<NodeAnswer> answers = askAll(options, nodes, since);
    std::vector<std::vector<NodeEvent>> per_node;
    std::vector<std::string> unreachable;
    for (const NodeAnswer& a : answers) {
      if (!a.error.empty()) {
        unreachable.push_back(a.node);
        if (!options.json && first) {
          std::cout << "# " << a.node << ": no events (" << a.error << ")\n";
        }
        continue;
      }
      per_node.push_back(a.events);
    }
    std::vector<NodeEvent> merged = mergeEvents(per_node);
    if (options.json) {
      std::cout << eventsJson(merged, unreachable);
      return 0;
    }
    // A poll starts at the last millisecond printed: leave out what was printed already.
    std::erase_if(merged, [&](const NodeEvent& e) {
      return std::find(printed_at_last_ms.begin(), printed_at_last_ms.end(), e) !=
             printed_at_last_ms.end();
    });
    for (const NodeEvent& e : merged) std::cout << formatEvent(e, width) << "\n";
    std::cout << std::flush;
    if (!options.follow) return 0;
    if (!merged.empty()) {
      const std::int64_t last = merged.back().at_ms;
      if (last != since) printed_at_last_ms.clear();
      since = last;
      for (const NodeEvent& e : merged) {
        if (e.at_ms == last) printed_at_last_ms.push_back(e);
      }
    }
    first = false;
    std::this_thread::sleep_for(kFollowInterval);
  }
}

}  // namespace pulse::pcs
