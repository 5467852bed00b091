// What crm_attribute reads and changes in a CIB, by scope (Pacemaker's -t/-l):
//   status      <status><node_state id=ID><transient_attributes>…<nvpair> (crm_attribute -l reboot)
//   nodes       <configuration><nodes><node id=ID><instance_attributes>…  (-l forever)
//   crm_config  <configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
// Node attributes go through crmd/cib/cib_status.h (the layout the policy engine reads); cluster
// options follow pcs property set's layout.
//
// Pure: works on an in-memory document; every change bumps the version as Pacemaker does
// (num_updates for status, epoch for the rest). The edit functions return whether something
// changed, so that the caller writes only then.
#pragma once

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

// The id of the node called `uname` in <nodes>; none when no such node is configured.
std::optional<std::string> nodeIdForName(const pugi::xml_node& cib, const std::string& uname);

// (name, value) of every attribute in the scope (of node `node_id`, except for crm_config)
// whose name is `name` (any name when none), in document order.
std::vector<std::pair<std::string, std::string>> queryAttributes(
    const pugi::xml_node& cib, const std::string& scope, const std::string& node_id,
    const std::optional<std::string>& name);

// Sets `name` to `value`; true when the CIB changed. Error for a scope it does not know or a
// node missing from <nodes> (scope nodes).
Result<bool> setAttribute(pugi::xml_node cib, const std::string& scope, const std::string& node_id,
                          const std::string& name, const std::string& value);
// Deletes `name`; false (no error) when it was not there.
Result<bool> deleteAttribute(pugi::xml_node cib, const std::string& scope,
                             const std::string& node_id, const std::string& name);

}  // namespace pulse::pcs
