// Reading the CIB for the DC controller (controller.cc, controller_status_writes.cc,
// controller_fencing.cc): the node_state records the controller owns; the configuration
// readers come from policy-engine/cib_config.h.
// Internal to pulse_controller; pure functions over pugixml nodes.
//
// Invariants: a missing element or attribute reads as empty/absent, never as an error, so a
// damaged configuration cannot crash the DC; node_state ids are the nodes' ids in <nodes>.
//
// Thread-safety: pure functions; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <pugixml.hpp>
#include <string>

#include "crmd/controller/controller.h"
#include "policy-engine/cib_config.h"

namespace pulse::crmd::ctlxml {

// Pacemaker's cluster-delay: slack on top of an action's timeout before the DC gives up on
// its result.
inline constexpr WallSeconds kClusterDelaySeconds = 60;

std::string nodeIdOf(const Member& m);
// The configuration readers shared with the engine and pcs (policy-engine/cib_config.h).
using pe::cibconf::clusterOption;
using pe::cibconf::durationMs;
using pe::cibconf::findOp;
using pe::cibconf::findPrimitive;
using pe::cibconf::nvBlocks;
using pe::cibconf::primitiveId;
using pe::cibconf::stonithEnabled;
// The CIB's content without its version: two copies with equal fingerprints differ only in
// the version numbers the replica stamps on. A status write's document and the copy parsed back
// from its text give the same fingerprint (controller_status_writes.cc).
std::string fingerprint(const pugi::xml_node& cib);
// Writes the node's node_state as up (member) or cleanly down (expected=down).
void setNodeState(pugi::xml_node cib, const std::string& id, const std::string& uname, bool up);

}  // namespace pulse::crmd::ctlxml
