// An inventory of cluster nodes for `pcs cluster setup NAME --inventory FILE` and `pcs cluster
// check --inventory FILE`: which hosts make the cluster, at which address, in which roles.
// Two spellings of the same content, chosen by the file's first meaningful line:
//
//   INI (Ansible's inventory style)           YAML (a small subset)
//     [db]                                      nodes:
//     n1 addr=192.0.2.11 rack=a                   - name: n1
//     n2 ansible_host=192.0.2.12                    addr: 192.0.2.11
//     [web]                                         roles: [db]
//     n3 addr=192.0.2.13                            vars: {rack: a}
//     [db:vars]                                   - name: n2
//     tier=gold                                     roles:
//                                                     - db
//
// * A host's roles are the groups it is listed in ([all], [ungrouped] and [nodes] are not
//   roles); a host listed in several groups is one node. Its address is addr= (or Ansible's
//   ansible_host=); without one, the address pcs host auth used for it.
// * Other key=value words on a host line, and `[group:vars]` lines for every host of the
//   group, become the host's vars (a host's own value wins); Ansible's ansible_* connection
//   vars are not node facts and are dropped.
// * Nodes keep the order of their first appearance: it gives the node ids.
//
// Parsing is a pure function; every error names FILE:LINE and what was wrong.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct InventoryNode {
  std::string name;
  std::string address;             // empty: not given
  std::vector<std::string> roles;  // sorted, unique
  std::map<std::string, std::string> vars;
  int line = 0;  // where the node first appears
};

struct Inventory {
  std::vector<InventoryNode> nodes;
};

// `file` names the source in errors only.
Result<Inventory> parseInventory(const std::string& text, const std::string& file);

// The node attributes a node's roles and vars become in the CIB: role-<group>=1 per role (so
// that a rule says `role-db eq 1`), roles=<comma-separated list>, and each var as it is.
std::map<std::string, std::string> inventoryAttributes(const InventoryNode& node);

}  // namespace pulse::pcs

namespace pulse::pcs {

// What pcs found out about one node before setting up a cluster on it.
struct NodeCheck {
  std::string node;
  std::string address;
  bool authenticated = false;  // pcs has a token for it (pcs host auth) that the node accepts
  bool reachable = false;      // its crmd answered
  std::string version;         // the Pulse release its crmd runs ("" unknown)
  bool in_cluster = false;
  std::string problem;  // why the node cannot be used ("" when it can)
};

// The check table pcs prints (one row per node, a header first), and the refusals it leads to:
// every node's own problem, and a version mismatch naming the versions and their nodes. An
// empty list: every node can be set up.
std::string formatNodeChecks(const std::vector<NodeCheck>& checks);
std::vector<std::string> nodeCheckRefusals(const std::vector<NodeCheck>& checks, bool force);

}  // namespace pulse::pcs
