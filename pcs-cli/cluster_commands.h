// `pcs cluster ...`, `pcs status corosync` and `pcs quorum status`: output, errors and exit
// codes as pcs's (0 success, 1 error). Each node is reached through its known-hosts entry
// (token and pinned certificate); a node that does not answer within the request timeout is
// an error naming it, never a hang.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct PcsOptions {
  std::string state_dir;
  std::chrono::seconds request_timeout{5};   // --request-timeout, per call
  bool json = false;                         // --output-format=json
  bool cmd = false;                          // --output-format=cmd (cluster config)
  std::string corosync_conf;                 // cluster config --corosync_conf PATH
  bool all = false;                          // --all
  bool force = false;                        // --force
  bool start = false;                        // setup --start
  bool enable = false;                       // setup --enable
  std::optional<std::chrono::seconds> wait;  // --wait[=N]
  std::string inventory;                     // --inventory FILE (cluster setup, cluster check)
  std::optional<std::string> since;          // cluster events --since
  std::string node;                          // cluster events --node
  bool follow = false;                       // cluster events --follow
};

class NodeSession;

// An authenticated session with `node` (its known-hosts entry); the error names the node and
// says how to fix it (unknown host, unreachable).
Result<NodeSession> connectNode(const PcsOptions& options, const std::string& node);
// The name of the node whose state directory pcs uses (crmd writes it at start).
Result<std::string> localNodeName(const PcsOptions& options);

// pcs cluster setup <cluster name> (<node name> [addr=<address>])... [transport udp|udpu|knet]
//   [totem token=<ms> consensus=<ms> join=<ms>] [quorum auto_tie_breaker=0|1
//   last_man_standing=0|1 last_man_standing_window=<ms> wait_for_all=0|1]
//   [--enable] [--start [--wait[=<s>]]] [--force]
int clusterSetup(const PcsOptions& options, const std::vector<std::string>& args);

// pcs cluster setup <cluster name> --inventory FILE [totem ...] [quorum ...] [--start] ...: the
// nodes, addresses and roles from an inventory (inventory.h). Every node is checked first
// (authenticated, reachable, in no cluster unless --force, one Pulse version on all) and the
// table of checks printed; any failed check refuses the setup. With --start the roles and vars
// are written as node attributes once a DC is elected; without, the commands are printed.
int clusterSetupInventory(const PcsOptions& options, const std::vector<std::string>& args);
// pcs cluster check --inventory FILE: the same checks and table, without setting anything up.
int clusterCheck(const PcsOptions& options, const std::vector<std::string>& args);
// pcs cluster events [--since TIME|DURATION] [--node NODE] [--follow] [--output-format=json]:
// every node's journal of cluster events merged by time, each line tagged with its node; a
// node that does not answer is named in a header line ("# NODE: no events (why)").
int clusterEvents(const PcsOptions& options, const std::vector<std::string>& args);

// pcs cluster start|stop|enable|disable [--all | <node>...]; no node: the local node. start
// waits (--wait=<s>, default 60 s) until every started node is in a view with all of them and
// with every other node whose membership is already running.
int clusterStart(const PcsOptions& options, const std::vector<std::string>& nodes);
int clusterStop(const PcsOptions& options, const std::vector<std::string>& nodes);
int clusterEnable(const PcsOptions& options, const std::vector<std::string>& nodes, bool enable);

// pcs cluster destroy [--all]: asks for confirmation on a terminal unless --force.
int clusterDestroy(const PcsOptions& options, const std::vector<std::string>& args);

// pcs [-f CIB] cluster cib [FILE]: the cluster's CIB (the DC's copy, or the file CIB), printed
// or saved (mode 0600).
int clusterCib(const PcsOptions& options, const std::string& cib_file,
               const std::vector<std::string>& args);
// pcs [-f CIB] cluster cib-push FILE [diff-against=ORIGINAL | scope=SCOPE | --config]: validates
// FILE, then replaces the cluster's CIB (or the file CIB; an older version is refused), applies
// only the changes from ORIGINAL to FILE, or replaces only one section (--config: the whole
// configuration; the status stays, and no version is compared, as cibadmin --replace --scope
// does). `args`: the words after cib-push, flags included.
int clusterCibPush(const PcsOptions& options, const std::string& cib_file,
                   const std::vector<std::string>& args);

// pcs cluster corosync [<node>]: the node's cluster config file.
int clusterCorosync(const PcsOptions& options, const std::vector<std::string>& args);
// pcs cluster config [show] [--output-format text|cmd|json] [--corosync_conf <path>]: the
// local node's cluster config file (or PATH) as pcs shows corosync.conf.
int clusterConfig(const PcsOptions& options, const std::vector<std::string>& args);
// pcs cluster cmap [<node>] [<key prefix>]: corosync-cmapctl's dump of the runtime state.
int clusterCmap(const PcsOptions& options, const std::vector<std::string>& args);

// pcs status corosync / pcs quorum status [<node>]: the local node's view unless a node is
// given.
int statusCorosync(const PcsOptions& options, const std::vector<std::string>& args);
int quorumStatus(const PcsOptions& options, const std::vector<std::string>& args);

}  // namespace pulse::pcs
