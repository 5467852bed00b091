// Internal to pulse_cib_edit: one apply() per edit, on a loaded CIB. Each returns an Error
// before or after partly changing `cib`; applyEdit() then drops the document, so a failed
// edit never reaches the caller.
#pragma once

#include <string>

#include "cib_edit.h"
#include "cib_xml.h"

namespace pulse::pcs::cibxml {

// cib_resource.cc
Status apply(Cib& cib, const ResourceCreate& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceDelete& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceUpdate& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceEnable& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceMeta& edit, const EditContext& context);
// cib_operations.cc
Status apply(Cib& cib, const ResourceOpAdd& edit, const EditContext& context);
// cib_group.cc
Status apply(Cib& cib, const GroupAdd& edit, const EditContext& context);
// cib_placement.cc
Status apply(Cib& cib, const ResourceMove& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceBan& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceClear& edit, const EditContext& context);
// cib_constraints.cc
Status apply(Cib& cib, const LocationPrefers& edit, const EditContext& context);
Status apply(Cib& cib, const LocationAdd& edit, const EditContext& context);
Status apply(Cib& cib, const ColocationAdd& edit, const EditContext& context);
Status apply(Cib& cib, const OrderAdd& edit, const EditContext& context);
Status apply(Cib& cib, const ConstraintDelete& edit, const EditContext& context);
// cib_cluster.cc
Status apply(Cib& cib, const PropertySet& edit, const EditContext& context);
Status apply(Cib& cib, const NodeStandby& edit, const EditContext& context);

// cib_clone.cc
Status apply(Cib& cib, const ResourceClone& edit, const EditContext& context);
Status apply(Cib& cib, const ResourceUnclone& edit, const EditContext& context);
// Wraps `resource` (a primitive or group) in the clone `spec` describes.
Status cloneResource(Cib& cib, pugi::xml_node resource, const CloneSpec& spec);
// cib_nvsets.cc
Status apply(Cib& cib, const DefaultsUpdate& edit, const EditContext& context);
Status apply(Cib& cib, const NvSetUpdate& edit, const EditContext& context);
Status apply(Cib& cib, const TagCreate& edit, const EditContext& context);
Status apply(Cib& cib, const TagDelete& edit, const EditContext& context);
Status apply(Cib& cib, const TagUpdate& edit, const EditContext& context);
// cib_rule.cc
Status apply(Cib& cib, const LocationRule& edit, const EditContext& context);
// cib_sets.cc
Status apply(Cib& cib, const SetConstraint& edit, const EditContext& context);
Status apply(Cib& cib, const TicketAdd& edit, const EditContext& context);
Status apply(Cib& cib, const TicketDelete& edit, const EditContext& context);
// cib_operations.cc
Status apply(Cib& cib, const OpDelete& edit, const EditContext& context);
// cib_group.cc
Status apply(Cib& cib, const GroupRemove& edit, const EditContext& context);
// cib_alerts.cc
Status apply(Cib& cib, const AlertEdit& edit, const EditContext& context);
Status apply(Cib& cib, const AlertDelete& edit, const EditContext& context);
// cib_fencing_levels.cc
Status apply(Cib& cib, const FencingLevelAdd& edit, const EditContext& context);
Status apply(Cib& cib, const FencingLevelRemove& edit, const EditContext& context);
// Takes a deleted device out of every level; a level left without devices goes, and so does a
// <fencing-topology> left without levels (pcs's stonith_level_rm_device).
void removeDeviceFromLevels(Cib& cib, const std::string& device);
// What `stonith level add` warns about once it succeeded on `before`: a node or device that does
// not exist (with --force), a device that is a resource but no stonith one. Lines end in '\n'.
std::string fencingLevelAddReport(const FencingLevelAdd& edit, const std::string& before);
// pcs's refusal of a constraint on a resource (or group) inside a clone: name the clone.
// (cib_constraints.cc)
Status checkNotInClone(const Cib& cib, const std::string& id);
// Removes every constraint (or set member) that names `rsc`; a set or constraint left
// without resources goes too. (cib_constraints.cc)
void removeConstraintsOf(Cib& cib, const std::string& rsc);

// cib_operations.cc: the operations `create` writes: the user's, then the agent's defaults for
// actions the user did not name, sorted by action name, with pcs's ids.
Status addOperations(Cib& cib, pugi::xml_node primitive, const std::vector<OperationSpec>& ops,
                     const KnownAgent* agent, bool with_defaults);
// Checks one operation's option names and action name (null agent: any action).
Status validateOperation(const OperationSpec& op, const KnownAgent* agent, bool force);

// cib_group.cc: puts `resource` into `group` (created when missing), before/after a member.
Status placeInGroup(Cib& cib, pugi::xml_node resource, const std::string& group,
                    const std::string& before, const std::string& after);

// The agent a primitive element names, from the context; null when unknown.
const KnownAgent* agentOf(const EditContext& context, pugi::xml_node primitive);
// Unknown / missing parameters as pcs reports them ("" when all is well).
std::string checkParameters(const NvPairs& params, const KnownAgent& agent, bool force,
                            bool check_required);

}  // namespace pulse::pcs::cibxml

namespace pulse::pcs {
// `pcs alert ...` after "alert" (flags removed), cib_alerts.cc.
Result<Edit> parseAlertEdit(const std::vector<std::string>& words, bool force);
// `pcs stonith level add|delete|remove|clear ...`: `args` are the words after "level".
Result<Edit> parseFencingLevel(const std::vector<std::string>& args, bool force);
}  // namespace pulse::pcs
