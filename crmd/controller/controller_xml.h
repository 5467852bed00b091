// Reading the CIB for the DC controller (controller.cc, controller_fencing.cc): the pieces of
// a primitive an ActionRequest is built from, and the node_state records the controller owns.
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

namespace pulse::crmd::ctlxml {

// Pacemaker's cluster-delay: slack on top of an action's timeout before the DC gives up on
// its result.
inline constexpr WallSeconds kClusterDelaySeconds = 60;

std::string nodeIdOf(const Member& m);
// Every nvpair of every `tag` block of `parent` (rules are not evaluated; first block wins).
std::map<std::string, std::string> blocks(const pugi::xml_node& parent, const char* tag);
// A Pacemaker duration in milliseconds (bare numbers are seconds); `absent` when not given.
std::int64_t durationMs(const pugi::xml_attribute& attr, std::int64_t absent);
// The first <op> of `primitive` with this name and interval (Pacemaker's lookup).
pugi::xml_node findOp(const pugi::xml_node& primitive, const std::string& task,
                      std::int64_t interval_ms);
// A clone instance "rsc:N" runs the primitive "rsc" (anonymous clones record it so too).
std::string primitiveId(const std::string& resource);
// The <primitive> with this id anywhere under <resources> (inside groups too), or null.
pugi::xml_node findPrimitive(const pugi::xml_node& cib, const std::string& id);
// A crm_config property (any cluster_property_set), or `absent`.
std::string clusterOption(const pugi::xml_node& cib, const std::string& name,
                          const std::string& absent);
// stonith-enabled, Pacemaker's default true.
bool stonithEnabled(const pugi::xml_node& cib);
// Writes the node's node_state as up (member) or cleanly down (expected=down).
void setNodeState(pugi::xml_node cib, const std::string& id, const std::string& uname, bool up);

}  // namespace pulse::crmd::ctlxml
