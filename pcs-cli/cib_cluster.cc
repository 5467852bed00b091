// pcs property set / config and pcs node standby / unstandby.
#include <algorithm>
#include <sstream>

#include "cib_commands.h"

namespace pulse::pcs {
namespace cibxml {
namespace {

// Pacemaker 2.1's cluster options that an operator may set (pcs 0.11 refuses the ones the
// cluster writes itself: cluster-infrastructure, dc-version, have-watchdog, last-lrm-refresh).
const std::vector<std::string> kClusterOptions = {"batch-limit",
                                                  "cluster-delay",
                                                  "cluster-ipc-limit",
                                                  "cluster-name",
                                                  "cluster-recheck-interval",
                                                  "concurrent-fencing",
                                                  "dc-deadtime",
                                                  "election-timeout",
                                                  "enable-acl",
                                                  "enable-startup-probes",
                                                  "fence-reaction",
                                                  "join-finalization-timeout",
                                                  "join-integration-timeout",
                                                  "load-threshold",
                                                  "maintenance-mode",
                                                  "migration-limit",
                                                  "no-quorum-policy",
                                                  "node-action-limit",
                                                  "node-health-base",
                                                  "node-health-green",
                                                  "node-health-red",
                                                  "node-health-strategy",
                                                  "node-health-yellow",
                                                  "node-pending-timeout",
                                                  "pe-error-series-max",
                                                  "pe-input-series-max",
                                                  "pe-warn-series-max",
                                                  "placement-strategy",
                                                  "priority-fencing-delay",
                                                  "remove-after-stop",
                                                  "shutdown-escalation",
                                                  "shutdown-lock",
                                                  "shutdown-lock-limit",
                                                  "start-failure-is-fatal",
                                                  "startup-fencing",
                                                  "stonith-action",
                                                  "stonith-enabled",
                                                  "stonith-max-attempts",
                                                  "stonith-timeout",
                                                  "stonith-watchdog-timeout",
                                                  "stop-all-resources",
                                                  "stop-orphan-actions",
                                                  "stop-orphan-resources",
                                                  "symmetric-cluster",
                                                  "transition-delay"};

pugi::xml_node bootstrapOptions(Cib& cib) {
  pugi::xml_node crm_config = section(cib, "crm_config");
  pugi::xml_node set =
      crm_config.find_child_by_attribute("cluster_property_set", "id", "cib-bootstrap-options");
  if (!set) {
    set = crm_config.prepend_child("cluster_property_set");
    set.append_attribute("id") = "cib-bootstrap-options";
  }
  return set;
}

}  // namespace

Status apply(Cib& cib, const PropertySet& edit, const EditContext&) {
  if (edit.properties.empty()) return Error{"no properties specified"};
  std::vector<std::string> unknown;
  for (const auto& [name, value] : edit.properties) {
    if (std::find(kClusterOptions.begin(), kClusterOptions.end(), name) == kClusterOptions.end()) {
      unknown.push_back(name);
    }
  }
  if (!unknown.empty() && !edit.force) {
    return Error{std::string("invalid cluster property option") +
                 (unknown.size() == 1 ? " " : "s: ") + formatList(unknown) +
                 ", allowed options are: " + formatList(kClusterOptions) +
                 ", use --force to override"};
  }
  pugi::xml_node set = bootstrapOptions(cib);
  for (const auto& [name, value] : edit.properties) {
    pugi::xml_node pair = set.find_child_by_attribute("nvpair", "name", name.c_str());
    if (value.empty()) {
      if (!pair) {
        return Error{"Cannot remove property '" + name +
                     "', it is not present in property set 'cib-bootstrap-options'"};
      }
      set.remove_child(pair);
      continue;
    }
    if (!pair) {
      pair = set.append_child("nvpair");
      pair.append_attribute("id") =
          uniqueId(cib, sanitizeId("cib-bootstrap-options-" + name)).c_str();
      pair.append_attribute("name") = name.c_str();
      pair.append_attribute("value");
    }
    pair.attribute("value") = value.c_str();
  }
  return {};
}

Status apply(Cib& cib, const NodeStandby& edit, const EditContext&) {
  pugi::xml_node node =
      cib.configuration.child("nodes").find_child_by_attribute("node", "uname", edit.node.c_str());
  if (!node) return Error{"Node '" + edit.node + "' does not appear to exist in configuration"};
  // crm_attribute's layout: <instance_attributes id="nodes-ID"> / nvpair "nodes-ID-standby".
  pugi::xml_node set = node.child("instance_attributes");
  if (!edit.standby) {
    if (pugi::xml_node pair = set.find_child_by_attribute("nvpair", "name", "standby")) {
      set.remove_child(pair);
    }
    return {};
  }
  const std::string node_id = node.attribute("id").as_string();
  if (!set) {
    set = node.prepend_child("instance_attributes");
    set.append_attribute("id") = uniqueId(cib, "nodes-" + node_id).c_str();
  }
  pugi::xml_node pair = set.find_child_by_attribute("nvpair", "name", "standby");
  if (!pair) {
    pair = set.append_child("nvpair");
    pair.append_attribute("id") = uniqueId(cib, "nodes-" + node_id + "-standby").c_str();
    pair.append_attribute("name") = "standby";
    pair.append_attribute("value");
  }
  pair.attribute("value") = "on";
  return {};
}

}  // namespace cibxml

Result<std::string> propertyConfig(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  std::ostringstream out;
  for (pugi::xml_node set :
       cib.configuration.child("crm_config").children("cluster_property_set")) {
    out << "Cluster Properties: " << set.attribute("id").as_string() << "\n";
    for (pugi::xml_node pair : set.children("nvpair")) {
      out << "  " << pair.attribute("name").as_string() << "="
          << pair.attribute("value").as_string() << "\n";
    }
  }
  return out.str();
}

}  // namespace pulse::pcs
