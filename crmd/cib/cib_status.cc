#include "crmd/cib/cib_status.h"

#include <charconv>
#include <cstring>

#include "crmd/cib/cib_version.h"
#include "crmd/cib/cib_xml.h"

namespace pulse::cib {
namespace {

// The target rc is the third field of "action:transition:target-rc:uuid"; 0 without a key.
int expectedRc(const std::string& transition_key) {
  std::size_t first = transition_key.find(':');
  if (first == std::string::npos) return kOcfOk;
  std::size_t second = transition_key.find(':', first + 1);
  if (second == std::string::npos) return kOcfOk;
  std::size_t third = transition_key.find(':', second + 1);
  if (third == std::string::npos) third = transition_key.size();
  int rc = kOcfOk;
  std::from_chars(transition_key.data() + second + 1, transition_key.data() + third, rc);
  return rc;
}

void set(pugi::xml_node node, const char* name, const std::string& value) {
  pugi::xml_attribute a = node.attribute(name);
  if (!a) a = node.append_attribute(name);
  a.set_value(value.c_str());
}

Status requireCib(const pugi::xml_node& cib) {
  if (std::strcmp(cib.name(), "cib") != 0) return Error{"no <cib> element"};
  if (auto v = readCibVersion(cib); !v) return v.error();
  return {};
}

pugi::xml_node section(pugi::xml_node parent, const char* tag) {
  pugi::xml_node found = parent.child(tag);
  return found ? found : parent.append_child(tag);
}

pugi::xml_node nodeState(pugi::xml_node cib, const std::string& node_id) {
  return childWithId(section(cib, "status"), "node_state", node_id);
}

// The nvpair set holding a node's attributes, or an empty node when `create` is false and it
// does not exist.
pugi::xml_node attributeSet(pugi::xml_node cib, const std::string& node_id,
                            AttributeLifetime lifetime, bool create) {
  if (lifetime == AttributeLifetime::kTransient) {
    pugi::xml_node ns =
        cib.child("status").find_child_by_attribute("node_state", "id", node_id.c_str());
    if (!ns && !create) return {};
    if (!ns) ns = nodeState(cib, node_id);
    pugi::xml_node ta = ns.find_child_by_attribute("transient_attributes", "id", node_id.c_str());
    if (!ta && !create) return {};
    if (!ta) ta = childWithId(ns, "transient_attributes", node_id);
    const std::string set_id = "status-" + node_id;
    pugi::xml_node set_node =
        ta.find_child_by_attribute("instance_attributes", "id", set_id.c_str());
    if (!set_node && create) set_node = childWithId(ta, "instance_attributes", set_id);
    return set_node;
  }
  pugi::xml_node node = cib.child("configuration")
                            .child("nodes")
                            .find_child_by_attribute("node", "id", node_id.c_str());
  if (!node) return {};
  const std::string set_id = "nodes-" + node_id;
  pugi::xml_node set_node =
      node.find_child_by_attribute("instance_attributes", "id", set_id.c_str());
  if (!set_node && create) set_node = childWithId(node, "instance_attributes", set_id);
  return set_node;
}

ChangeKind changeKindOf(AttributeLifetime lifetime) {
  return lifetime == AttributeLifetime::kTransient ? ChangeKind::kStatus
                                                   : ChangeKind::kConfiguration;
}

}  // namespace

std::string operationKey(const std::string& rsc, const std::string& op, std::int64_t interval_ms) {
  return rsc + "_" + op + "_" + std::to_string(interval_ms);
}

std::string historyEntryId(const OperationResult& r) {
  if (r.interval_ms == 0) return r.rsc + "_last_0";
  return operationKey(r.rsc, r.operation, r.interval_ms);
}

bool isFailure(const OperationResult& r) {
  if (r.op_status == kExecPending) return false;
  return r.op_status != kExecDone || r.rc != expectedRc(r.transition_key);
}

Status recordOperation(pugi::xml_node cib, const OperationResult& r) {
  if (Status s = requireCib(cib); !s) return s;
  if (r.node_id.empty() || r.rsc.empty() || r.operation.empty()) {
    return Error{"operation result without a node id, resource or operation"};
  }
  pugi::xml_node ns = nodeState(cib, r.node_id);
  if (!r.node_uname.empty()) set(ns, "uname", r.node_uname);
  pugi::xml_node lrm = childWithId(ns, "lrm", r.node_id);
  pugi::xml_node resources = section(lrm, "lrm_resources");
  pugi::xml_node resource = childWithId(resources, "lrm_resource", r.rsc);
  if (!r.type.empty()) set(resource, "type", r.type);
  if (!r.rsc_class.empty()) set(resource, "class", r.rsc_class);
  if (!r.provider.empty()) set(resource, "provider", r.provider);

  auto write = [&](const std::string& id) {
    // A fresh element each time: no attribute of an older result survives into this one.
    pugi::xml_node old = resource.find_child_by_attribute("lrm_rsc_op", "id", id.c_str());
    pugi::xml_node op =
        old ? resource.insert_child_after("lrm_rsc_op", old) : resource.append_child("lrm_rsc_op");
    if (old) resource.remove_child(old);
    const std::string rc = std::to_string(r.rc);
    const std::string status = std::to_string(r.op_status);
    set(op, "id", id);
    set(op, "operation_key", operationKey(r.rsc, r.operation, r.interval_ms));
    set(op, "operation", r.operation);
    set(op, "crm-debug-origin", r.debug_origin);
    set(op, "crm_feature_set", r.feature_set);
    set(op, "transition-key", r.transition_key);
    set(op, "transition-magic", status + ":" + rc + ";" + r.transition_key);
    set(op, "exit-reason", r.exit_reason);
    set(op, "on_node", r.node_uname);
    set(op, "call-id", std::to_string(r.call_id));
    set(op, "rc-code", rc);
    set(op, "op-status", status);
    set(op, "interval", std::to_string(r.interval_ms));
    set(op, "last-rc-change", std::to_string(r.last_rc_change));
    set(op, "exec-time", std::to_string(r.exec_time_ms));
    set(op, "queue-time", std::to_string(r.queue_time_ms));
    set(op, "op-digest", r.op_digest);
  };
  write(historyEntryId(r));
  if (isFailure(r)) write(r.rsc + "_last_failure_0");
  return bumpVersion(cib, ChangeKind::kStatus);
}

Status deleteResourceHistory(pugi::xml_node cib, const std::string& node_id,
                             const std::string& rsc) {
  if (Status s = requireCib(cib); !s) return s;
  pugi::xml_node resources = cib.child("status")
                                 .find_child_by_attribute("node_state", "id", node_id.c_str())
                                 .find_child_by_attribute("lrm", "id", node_id.c_str())
                                 .child("lrm_resources");
  pugi::xml_node resource = resources.find_child_by_attribute("lrm_resource", "id", rsc.c_str());
  if (!resource) return {};
  resources.remove_child(resource);
  return bumpVersion(cib, ChangeKind::kStatus);
}

Status deleteRecurringHistory(pugi::xml_node cib, const std::string& node_id,
                              const std::string& rsc, const std::string& op,
                              std::int64_t interval_ms) {
  if (Status s = requireCib(cib); !s) return s;
  pugi::xml_node resource = cib.child("status")
                                .find_child_by_attribute("node_state", "id", node_id.c_str())
                                .find_child_by_attribute("lrm", "id", node_id.c_str())
                                .child("lrm_resources")
                                .find_child_by_attribute("lrm_resource", "id", rsc.c_str());
  const std::string id = operationKey(rsc, op, interval_ms);
  pugi::xml_node entry = resource.find_child_by_attribute("lrm_rsc_op", "id", id.c_str());
  if (!entry) return {};
  resource.remove_child(entry);
  return bumpVersion(cib, ChangeKind::kStatus);
}

Status setNodeAttribute(pugi::xml_node cib, const std::string& node_id, const std::string& name,
                        const std::string& value, AttributeLifetime lifetime) {
  if (Status s = requireCib(cib); !s) return s;
  if (node_id.empty() || name.empty()) return Error{"node attribute without a node id or name"};
  pugi::xml_node set_node = attributeSet(cib, node_id, lifetime, true);
  if (!set_node) return Error{"<node id=\"" + node_id + "\">: no such node in <nodes>"};
  pugi::xml_node nv = set_node.find_child_by_attribute("nvpair", "name", name.c_str());
  if (nv && std::strcmp(nv.attribute("value").value(), value.c_str()) == 0) return {};
  if (!nv) {
    nv = set_node.append_child("nvpair");
    set(nv, "id", sanitizeId(std::string(set_node.attribute("id").value()) + "-" + name));
    set(nv, "name", name);
  }
  set(nv, "value", value);
  return bumpVersion(cib, changeKindOf(lifetime));
}

Status deleteNodeAttribute(pugi::xml_node cib, const std::string& node_id, const std::string& name,
                           AttributeLifetime lifetime) {
  if (Status s = requireCib(cib); !s) return s;
  pugi::xml_node set_node = attributeSet(cib, node_id, lifetime, false);
  pugi::xml_node nv = set_node.find_child_by_attribute("nvpair", "name", name.c_str());
  if (!nv) return {};
  set_node.remove_child(nv);
  return bumpVersion(cib, changeKindOf(lifetime));
}

std::optional<std::string> nodeAttribute(const pugi::xml_node& cib, const std::string& node_id,
                                         const std::string& name, AttributeLifetime lifetime) {
  pugi::xml_node set_node = attributeSet(cib, node_id, lifetime, false);
  pugi::xml_node nv = set_node.find_child_by_attribute("nvpair", "name", name.c_str());
  if (!nv) return std::nullopt;
  return std::string(nv.attribute("value").value());
}

std::string failCountName(const std::string& rsc, const std::string& op, std::int64_t interval_ms) {
  return "fail-count-" + rsc + "#" + op + "_" + std::to_string(interval_ms);
}

std::string lastFailureName(const std::string& rsc, const std::string& op,
                            std::int64_t interval_ms) {
  return "last-failure-" + rsc + "#" + op + "_" + std::to_string(interval_ms);
}

std::string promotionScoreName(const std::string& rsc) { return "master-" + rsc; }

std::string sanitizeId(std::string id) {
  for (char& c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) c = '.';
  }
  return id;
}

}  // namespace pulse::cib
