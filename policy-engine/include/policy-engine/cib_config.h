// Typed readers of the CIB's configuration, in one place for the engine, crmd (the DC's
// controller, the resource manager) and pcs: cluster options (crm_config), the no-quorum
// policy, a primitive and its operations, nvpair blocks and durations.
//
// Invariants: readers never fail and never throw on a damaged CIB: a missing element or
// attribute reads as absent (the given default, a null node), so no daemon can crash on a
// configuration it is handed; Pacemaker's defaults are spelled here once.
//
// Thread-safety: pure functions over pugixml nodes; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pugi {
class xml_node;
class xml_attribute;
}  // namespace pugi

namespace pulse::pe {

// Pacemaker's no-quorum-policy values; Stop is the default (and what an unknown value means).
enum class NoQuorumPolicy { Stop, Freeze, Ignore, Demote, Suicide };

namespace cibconf {

// The policy a no-quorum-policy value names; nothing for a value Pacemaker does not know.
std::optional<NoQuorumPolicy> parseNoQuorumPolicy(std::string_view value);
const char* noQuorumPolicyName(NoQuorumPolicy policy);

// A crm_config property (the first nvpair of that name in any cluster_property_set; rules
// are not evaluated), or `absent`.
std::string clusterOption(const pugi::xml_node& cib, const std::string& name,
                          const std::string& absent);
// stonith-enabled, Pacemaker's default true.
bool stonithEnabled(const pugi::xml_node& cib);
// no-quorum-policy: Pacemaker's default stop, and stop for a value it does not know.
NoQuorumPolicy noQuorumPolicy(const pugi::xml_node& cib);

// Every nvpair of every `tag` block of `parent` (rules are not evaluated; first block wins).
std::map<std::string, std::string> nvBlocks(const pugi::xml_node& parent, const char* tag);
// A Pacemaker duration in milliseconds (bare numbers are seconds); `absent` when not given.
std::int64_t durationMs(const pugi::xml_attribute& attr, std::int64_t absent);

// A clone instance "rsc:N" runs the primitive "rsc" (anonymous clones record it so too).
std::string primitiveId(const std::string& resource);
// The <primitive> with this id anywhere under <resources> (inside groups, clones and
// bundles too), or null. `cib` is the <cib> element.
pugi::xml_node findPrimitive(const pugi::xml_node& cib, std::string_view id);
// Whether the cluster manages `resource` (a primitive id, or a clone instance "rsc:N"):
// false under maintenance-mode=true, or when is-managed=false or maintenance=true is set on
// the primitive, on a group, clone or bundle holding it, or in rsc_defaults (the nearest
// setting wins, as meta attributes inherit). An unmanaged resource is left as it is: neither
// stopped when its node leaves nor when quorum is lost. An unknown resource counts as managed.
bool resourceManaged(const pugi::xml_node& cib, const std::string& resource);
// The first <op> of `primitive` with this name and interval (Pacemaker's lookup), or null.
pugi::xml_node findOp(const pugi::xml_node& primitive, std::string_view task,
                      std::int64_t interval_ms);

}  // namespace cibconf
}  // namespace pulse::pe
