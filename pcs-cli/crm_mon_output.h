// What Pulse's crm_mon prints: Pacemaker 2.1.5's crm_mon layout (text), its XML
// (<pacemaker-result>, element and attribute names as crm_mon's), and Pulse's JSON. The summary,
// node list and resource list are pcs status's (status_output.h, one formatter); crm_mon adds the
// sections its options ask for. Pure: the caller reads the CIB and builds the ClusterStatus
// (status_source.h).
//
// JSON (--output-as=json) is pcs status --output-format=json's document (cluster_name, dc,
// quorate, nodes, resources, failed_actions, unreachable_nodes) plus:
//   "node_attributes": {"NODE": {"NAME": "VALUE", ...}, ...}   online nodes, as -A lists them
//   "node_history": [{"node": "n1", "resources": [{"id": "vip", "migration_threshold":
//       "1000000", "fail_count": "2", "last_failure": 1796641331 (epoch; absent when none),
//       "operations": [{"call": "12", "task": "start", "interval_ms": 0, "rc": 0,
//       "rc_text": "ok", "last_rc_change": epoch, "exec_ms": 31, "queue_ms": 0}, ...]}]}]
// and each failed action carries "text" (Pulse's readable line) and "friendly" (crm_mon's).
#pragma once

#include <ctime>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/status_output.h"

namespace pulse::pcs {

enum class CrmMonFormat { kText, kXml, kJson };

struct CrmMonOptions {
  bool inactive = false;     // -r: inactive resources too ("Full List of Resources")
  bool failcounts = false;   // -f: "Migration Summary"
  bool attributes = false;   // -A: "Node Attributes"
  bool operations = false;   // -o: "Operations" (replaces the Migration Summary)
  bool timing = false;       // -t: operations with last-rc-change, exec and queue time
  bool show_detail = false;  // -R: node ids, failures in crm_mon's technical form
  CrmMonFormat format = CrmMonFormat::kText;
  std::string request;  // the command line, as <pacemaker-result request=...> repeats it
};

// One recorded operation of a resource on a node (an lrm_rsc_op), as crm_mon -o lists it.
struct OperationRecord {
  std::string call;
  std::string task;  // "probe" for a one-off monitor, as crm_mon names it
  long long interval_ms = 0;
  int rc = 0;
  std::optional<std::time_t> last_rc_change;
  std::optional<int> exec_ms, queue_ms;
};

struct ResourceHistory {
  std::string id;       // as the status records it: "vip", "ping:1"
  std::string name;     // as crm_mon -o names it: an anonymous clone's instance by the bare name
  bool orphan = false;  // no longer configured
  std::string migration_threshold;
  int fail_count = 0;  // the sum of its fail-count-ID#OP_INTERVAL attributes; 1000000: INFINITY
  std::time_t last_failure = 0;  // 0: none
  std::vector<OperationRecord>
      operations;  // by call id; notifies and "not running" probes left out
};

struct NodeHistory {
  std::string node;
  std::string id;
  std::vector<ResourceHistory> resources;
};

struct NodeAttributes {
  std::string node;
  std::vector<std::pair<std::string, std::string>> values;  // by name
};

// The facts of crm_mon's extra sections, read from a CIB (its <cib> element) for the nodes
// `status` shows online (crm_mon lists only those).
struct CrmMonFacts {
  std::vector<NodeAttributes> attributes;
  std::vector<NodeHistory> history;  // in the CIB status's order
};
CrmMonFacts crmMonFacts(const pugi::xml_node& cib, const ClusterStatus& status);

// What crm_mon reads from a CIB file that pcs status takes from the running cluster: the DC
// (dc-uuid), its version (dc-version) and quorum (have-quorum); and for both, the last change
// (cib-last-written by update-user via update-client on update-origin).
void addCibSummary(const pugi::xml_node& cib, ClusterStatus& status);

// crm_mon's failed actions in place of pcs status's: every failed result (not only the
// last_failure copies: status_failures.h), and only on nodes that are up, as crm_mon lists them.
void useCrmMonFailures(const pugi::xml_node& cib, ClusterStatus& status);

std::string crmMonText(const ClusterStatus& status, const CrmMonFacts& facts,
                       const CrmMonOptions& options);
std::string crmMonXml(const pugi::xml_node& cib, const ClusterStatus& status,
                      const CrmMonFacts& facts, const CrmMonOptions& options);
std::string crmMonJson(const ClusterStatus& status, const CrmMonFacts& facts);

}  // namespace pulse::pcs
