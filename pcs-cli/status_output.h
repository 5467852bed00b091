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
  std::string key;       // operation key, e.g. "proxy_monitor_10000"; "" when the CIB has none
  std::string id;        // the lrm_rsc_op's id ("proxy_last_failure_0")
  std::string resource;  // the lrm_resource's id ("proxy", "ping:1")
  std::string task;      // "start", "monitor", ...
  long long interval_ms = 0;
  std::string node;
  int rc = 1;
  std::string rc_text;  // "not running", "error", ...
  int op_status = 0;    // op-status: Pacemaker's PCMK_EXEC_* (0: the agent ran and answered)
  std::string exit_reason;
  std::string call_id;             // "" when not recorded
  std::time_t last_rc_change = 0;  // 0: not recorded
  int exec_ms = 0;
  int queue_ms = 0;
  bool has_timing = false;  // exec-time recorded (crm_mon prints "after ..." only then)
  // fail-count-RSC#TASK_INTERVAL on that node (the failures counted against it): "" when there
  // is none (cleaned up, or a probe), "INFINITY" after a fatal start failure.
  std::string fail_count;
};

struct ClusterStatus {
  std::string cluster_name;
  std::optional<std::string> dc;  // nullopt: no DC (no quorum, or an election is running)
  bool quorate = false;
  std::string version;  // Pulse's version, shown where crm_mon shows Pacemaker's
  std::time_t now = 0;
  std::optional<std::time_t> last_change;
  std::string last_change_by;  // "by root via cibadmin on n1", "via cibadmin on n1"
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

// "Cluster Summary:" and its lines (crm_mon's heading, shared by pcs status and crm_mon).
std::string formatSummary(const ClusterStatus& status);
std::string formatStatus(const ClusterStatus& status);
std::string statusJson(const ClusterStatus& status);

}  // namespace pulse::pcs
