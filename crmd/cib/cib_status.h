// Writes to the CIB status section in Pacemaker's format: operation results (what
// pacemaker-controld records after the executor reports) and node attributes (attrd's and
// crm_attribute's role). The policy engine reads exactly these (policy-engine/src/history.cc).
//
// Layout (Pacemaker 2.1.5):
//   <status><node_state id=NODE uname=...>
//     <lrm id=NODE><lrm_resources>
//       <lrm_resource id=RSC class= provider= type=>
//         <lrm_rsc_op id=... operation_key=RSC_OP_INTERVAL operation=OP .../>
//     <transient_attributes id=NODE><instance_attributes id="status-NODE">
//       <nvpair id="status-NODE-NAME" name=NAME value=.../>
// Which entries are kept, per lrm_resource (Pacemaker's controld):
// - one entry per non-recurring result, id RSC_last_0: the last start/stop/probe/promote/...;
// - one entry per recurring operation, id RSC_OP_INTERVALMS, the last result of that monitor;
// - a failed result (op-status not done, or rc other than the expected one) is also kept as
//   RSC_last_failure_0, so the failure stays visible after a later success.
// Each recorded entry replaces the earlier one with the same id.
//
// Every mutation bumps the CIB version as Pacemaker does: a status change bumps num_updates;
// a permanent node attribute lives in <configuration> and bumps epoch.
//
// Pure: works on an in-memory document. Thread-safety: callers serialize access to the doc.
#pragma once

#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <string>

#include "common/result.h"

namespace pulse::cib {

// OCF exit code and executor status values used in lrm_rsc_op.
inline constexpr int kOcfOk = 0;
inline constexpr int kOcfNotRunning = 7;
inline constexpr int kExecDone = 0;
// An operation handed to a node and not finished: recorded with call-id -1, rc-code 193
// (PCMK_OCF_UNKNOWN) and op-status -1 (PCMK_EXEC_PENDING) until its result replaces it.
inline constexpr int kExecPending = -1;
inline constexpr int kOcfPending = 193;

struct OperationResult {
  std::string node_id;     // node_state id (the node's id in <nodes>)
  std::string node_uname;  // node_state uname and on_node
  std::string rsc;
  std::string rsc_class, provider, type;  // the lrm_resource's agent
  std::string operation;                  // start stop monitor promote demote ...
  std::int64_t interval_ms = 0;
  int call_id = 0;
  int rc = kOcfOk;
  int op_status = kExecDone;
  // "action:transition:target-rc:transition-uuid"; the target rc decides what counts as a
  // failure (a probe expects 7). Empty: expected rc 0.
  std::string transition_key;
  std::string exit_reason;
  std::int64_t last_rc_change = 0;  // seconds since the epoch
  std::int64_t exec_time_ms = 0;
  std::int64_t queue_time_ms = 0;
  std::string op_digest;
  std::string feature_set = "3.16.2";  // Pacemaker 2.1.5's CRM_FEATURE_SET
  std::string debug_origin = "do_update_resource";
};

// Pacemaker's operation key "RSC_OP_INTERVALMS", e.g. "vip_monitor_10000".
std::string operationKey(const std::string& rsc, const std::string& op, std::int64_t interval_ms);

// The id under which a result is kept: RSC_last_0 or RSC_OP_INTERVALMS (see above).
std::string historyEntryId(const OperationResult& result);

// Whether Pacemaker counts the result as failed (and keeps RSC_last_failure_0). A pending
// operation has no result yet: not a failure.
bool isFailure(const OperationResult& result);

// Records `result` under status/node_state/lrm/lrm_resources/lrm_resource, creating the
// parents as needed, and bumps num_updates. Fails on an empty node id, resource or operation,
// or when `cib` is not a <cib> with a readable version.
Status recordOperation(pugi::xml_node cib, const OperationResult& result);

// Forgets the whole history of `rsc` on node `node_id` (its lrm_resource), as `pcs resource
// cleanup` does, so that the next transition probes it afresh. Bumps num_updates when something
// was removed; no error when there was nothing.
Status deleteResourceHistory(pugi::xml_node cib, const std::string& node_id,
                             const std::string& rsc);

// Forgets the entry of the recurring operation `op` every `interval_ms` of `rsc` on node
// `node_id` (RSC_OP_INTERVALMS), as Pacemaker's controller does when it cancels one: the
// engine then no longer counts that monitor as running there. Bumps num_updates when something
// was removed; no error when there was nothing.
Status deleteRecurringHistory(pugi::xml_node cib, const std::string& node_id,
                              const std::string& rsc, const std::string& op,
                              std::int64_t interval_ms);

// Where a node attribute lives: transient (status section, gone when the node leaves; attrd)
// or permanent (the node's instance_attributes in <nodes>; crm_attribute -l forever).
enum class AttributeLifetime { kTransient, kPermanent };

// Sets (creating parents) or deletes (no error when absent) attribute `name` of node
// `node_id`. Bumps num_updates (transient) or epoch (permanent) when something changed. A
// permanent attribute needs the node in <nodes>.
Status setNodeAttribute(pugi::xml_node cib, const std::string& node_id, const std::string& name,
                        const std::string& value, AttributeLifetime lifetime);
Status deleteNodeAttribute(pugi::xml_node cib, const std::string& node_id, const std::string& name,
                           AttributeLifetime lifetime);
std::optional<std::string> nodeAttribute(const pugi::xml_node& cib, const std::string& node_id,
                                         const std::string& name, AttributeLifetime lifetime);

// Attribute names the engine reads: "fail-count-RSC#OP_INTERVALMS",
// "last-failure-RSC#OP_INTERVALMS" and the promotion score "master-RSC".
std::string failCountName(const std::string& rsc, const std::string& op, std::int64_t interval_ms);
std::string lastFailureName(const std::string& rsc, const std::string& op,
                            std::int64_t interval_ms);
std::string promotionScoreName(const std::string& rsc);

// Pacemaker's crm_xml_sanitize_id: characters not allowed in an XML id become '.'.
std::string sanitizeId(std::string id);

}  // namespace pulse::cib
