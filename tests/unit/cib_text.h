// Small CIBs for the engine's unit tests, written the way an operator's
// cluster would record them: nodes, resources, constraints and history.
#pragma once

#include <string>
#include <vector>

#include "policy-engine/op_digest.h"

namespace pulse::pe::testing {

// An online member node's node_state, with optional lrm history XML inside.
inline std::string nodeState(const std::string& id, const std::string& name,
                             const std::string& lrm = "", bool online = true) {
  std::string s = "<node_state id=\"" + id + "\" uname=\"" + name + "\" in_ccm=\"" +
                  (online ? "true" : "false") + "\" crmd=\"" + (online ? "online" : "offline") +
                  "\" join=\"" + (online ? "member" : "down") + "\" expected=\"" +
                  (online ? "member" : "down") + "\">";
  if (!lrm.empty()) s += "<lrm id=\"" + id + "\"><lrm_resources>" + lrm + "</lrm_resources></lrm>";
  return s + "</node_state>";
}

// A resource's history on a node: one lrm_rsc_op per (task, rc, call-id).
struct Op {
  std::string task;
  int rc = 0;
  int call_id = 1;
  int interval_ms = 0;
  int expected_rc = 0;
};

// The op-digest a cluster records for a parameterless resource: nothing for
// one-shot ops, the default 20 s timeout for recurring ones.
inline std::string recordedDigest(int interval_ms) {
  ParamMap params;
  if (interval_ms > 0) params["CRM_meta_timeout"] = "20000";
  return md5Hex(digestText(params));
}

inline std::string history(const std::string& rsc, const std::vector<Op>& ops) {
  std::string s =
      "<lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">";
  for (const Op& op : ops) {
    std::string key = rsc + "_" + op.task + "_" + std::to_string(op.interval_ms);
    s += "<lrm_rsc_op id=\"" + key + "\" operation_key=\"" + key + "\" operation=\"" + op.task +
         "\" transition-key=\"1:1:" + std::to_string(op.expected_rc) +
         ":00000000-0000-0000-0000-000000000000\" call-id=\"" + std::to_string(op.call_id) +
         "\" rc-code=\"" + std::to_string(op.rc) + "\" op-status=\"" +
         (op.rc == op.expected_rc ? "0" : "4") + "\" interval=\"" + std::to_string(op.interval_ms) +
         "\" last-rc-change=\"1000\" op-digest=\"" + recordedDigest(op.interval_ms) + "\"/>";
  }
  return s + "</lrm_resource>";
}

// `h` (from history()) as recorded by another agent than ocf:pacemaker:Dummy: the cluster
// restarts a resource whose configured agent differs from the one that ran it.
inline std::string asAgent(std::string h, const std::string& cls, const std::string& provider,
                           const std::string& type) {
  const std::string dummy = "class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"";
  std::string agent = "class=\"" + cls + "\"";
  if (!provider.empty()) agent += " provider=\"" + provider + "\"";
  agent += " type=\"" + type + "\"";
  for (std::size_t at = h.find(dummy); at != std::string::npos; at = h.find(dummy, at)) {
    h.replace(at, dummy.size(), agent);
  }
  return h;
}

inline std::string primitive(const std::string& id, const std::string& meta = "") {
  std::string s =
      "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">";
  if (!meta.empty()) s += "<meta_attributes id=\"" + id + "-meta\">" + meta + "</meta_attributes>";
  return s + "</primitive>";
}

inline std::string nvpair(const std::string& id, const std::string& name,
                          const std::string& value) {
  return "<nvpair id=\"" + id + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
}

// A whole CIB with fencing off; `options` are extra cluster properties.
inline std::string cib(const std::vector<std::string>& node_names, const std::string& resources,
                       const std::string& constraints, const std::string& status,
                       const std::string& options = "") {
  std::string nodes;
  for (std::size_t i = 0; i < node_names.size(); ++i) {
    nodes += "<node id=\"" + std::to_string(i + 1) + "\" uname=\"" + node_names[i] + "\"/>";
  }
  return "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
         "<configuration><crm_config><cluster_property_set id=\"opts\">" +
         nvpair("opt-stonith", "stonith-enabled", "false") + options +
         "</cluster_property_set></crm_config><nodes>" + nodes + "</nodes><resources>" + resources +
         "</resources><constraints>" + constraints + "</constraints></configuration><status>" +
         status + "</status></cib>";
}

// All online nodes with no history.
inline std::string emptyStatus(const std::vector<std::string>& node_names) {
  std::string s;
  for (std::size_t i = 0; i < node_names.size(); ++i) {
    s += nodeState(std::to_string(i + 1), node_names[i]);
  }
  return s;
}

// n1 and n2 online, each running an instance of the promotable clone of `rsc` (started, call
// 2), with the promotion scores its agent recorded: master-<rsc> 5 on n1 and 10 on n2.
inline std::string promotableInstancesStatus(const std::string& rsc) {
  const std::vector<std::string> nodes = {"n1", "n2"};
  std::string status;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string id = std::to_string(i + 1);
    std::string ns = nodeState(id, nodes[i], history(rsc, {{"start", 0, 2}}));
    const std::string attrs = "<transient_attributes id=\"" + id +
                              "\"><instance_attributes id=\"ta" + id + "\">" +
                              nvpair("m" + id, "master-" + rsc, i == 1 ? "10" : "5") +
                              "</instance_attributes></transient_attributes>";
    ns.insert(ns.find("<lrm"), attrs);
    status += ns;
  }
  return status;
}

}  // namespace pulse::pe::testing
