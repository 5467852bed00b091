// What `pcs status` prints (crm_mon's layout, as pcs 0.11 shows it): the cluster summary with
// the DC and quorum, the node list, every resource with where it runs, failed resource actions
// and the daemon status; and the same as JSON. Pure: the caller gathers the facts (the DC's
// view of the cluster comes from the policy engine's ClusterView).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "policy-engine/transition.h"

namespace pulse::pcs {

// One line of "Failed Resource Actions" (a failed lrm_rsc_op in the CIB status).
struct FailedAction {
  std::string key;  // operation key, e.g. "proxy_monitor_10000"
  std::string node;
  int rc = 1;
  std::string rc_text;  // "not running", "error", ...
  std::string exit_reason;
  std::time_t last_rc_change = 0;
  int exec_ms = 0;
};

struct ClusterStatus {
  std::string cluster_name;
  std::optional<std::string> dc;  // nullopt: no DC (no quorum, or an election is running)
  bool quorate = false;
  std::string version;  // Pulse's version, shown where crm_mon shows Pacemaker's
  std::time_t now = 0;
  std::optional<std::time_t> last_change;
  std::string last_change_by;  // "root via pcs on n1"
  pe::ClusterView view;
  std::vector<FailedAction> failed_actions;
  std::vector<std::string> unreachable;  // nodes that did not answer pcs in time
  // Nodes that left the view: "n3 (lost since 2026-12-07 05:50:01 UTC, holds CIB version
  // 0.7.0; the cluster is at 0.9.0)". They get the DC's copy when they rejoin.
  std::vector<std::string> out_of_date;
  std::string daemon_status;  // "active/enabled"
  // pcs -f: the status of this CIB file, not of a running cluster (no DC, no daemons).
  std::string file;
};

std::string formatStatus(const ClusterStatus& status);
std::string statusJson(const ClusterStatus& status);

}  // namespace pulse::pcs
