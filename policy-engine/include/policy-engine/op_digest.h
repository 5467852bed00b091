// Operation digests as Pacemaker 2.1.5's scheduler computes them (lib/pengine/pe_digest.c).
//
// The controller stores up to three MD5 digests on each <lrm_rsc_op>: "op-digest" (all
// parameters the action ran with), "op-restart-digest" (only those that cannot be reloaded) and
// "op-secure-digest" (all but private ones, so that CIBs with masked passwords still compare).
// The scheduler recomputes them from the current configuration; a difference means the
// definition changed since the action ran (restart, reload or reschedule). Ours must therefore
// be bit-identical to the 2.1.5 scheduler's, quirks included, even where the recording
// controller (another version) hashed something else.
//
// "all" hashes, where an earlier source wins on a name clash (hash2field keeps the first):
//   1. resource parameters (pe_rsc_params): the primitive's instance_attributes evaluated for
//      the node, then its parents' (group, clone), then rsc_defaults instance_attributes;
//   2. the op's own instance_attributes (action->extra), evaluated for the node;
//   3. action->meta as CRM_meta_<name>.
// Every CRM_meta_* and id, crm_feature_set, op-digest, on_node, on_node_uuid and
// pcmk_external_ip are then dropped, except CRM_meta_timeout of a recurring action (interval >
// 0), so that a new monitor timeout reschedules the monitor. So the only op meta that counts is
// the timeout of recurring ops, taken from (lowest to highest) op_defaults meta_attributes, the
// op's meta_attributes, the op's timeout attribute; resource meta-attributes never count.
// The op is the first <op> with the same name (case-insensitive) and interval; migrate_to/from
// fall back to name "migrate".
//
// "restart" is "all" restricted to the op-force-restart list. "secure" is "all" minus the
// op-secure-params list, filtered a second time, which drops CRM_meta_timeout (so the 2.1.5
// scheduler's secure digest never has it, although 3.15+ controllers record it for recurring
// ops). For ops recorded before feature set 3.16.0, "secure" starts from the resource parameters
// alone and, for fence devices, also omits Pacemaker's fencing parameters (pcmk_host_list,
// pcmk_*_action, ...).
//
// Serialisation, the same for every feature set (calculate_operation_digest): attributes sorted
// by name in byte order, written as ` <parameters a="1" b="2"/>\n` (leading space, trailing
// newline; ` <parameters/>\n` when empty), values escaped like crm_xml_escape().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "policy-engine/md5.h"

namespace pulse::pe {

// Name -> value, already evaluated as pe_eval_nvpairs() does: id-refs resolved, rules applied,
// "#default" values removed, blocks sorted by descending score with equal scores in reverse
// document order (2.1.5 prepends, then sorts stably); the first block that sets a name wins,
// except for op meta_attributes, which overwrite. std::map iterates in the order Pacemaker sorts.
using ParamMap = std::map<std::string, std::string>;

struct OpDigestInput {
  // Resource parameters (source 1 above). For a bundle's Pacemaker Remote connection, put the
  // container host in "addr" (Pacemaker overrides the configured value in "all" that way).
  ParamMap params{};
  std::string task{};            // Recorded "operation"; not hashed, kept for diagnostics.
  std::int64_t interval_ms = 0;  // Recorded interval; decides whether the timeout is hashed.
  // action->meta for the op, names without the CRM_meta_ prefix. Only "timeout" can matter, and
  // it must already be normalised to integer milliseconds as unpack_operation() stores it (see
  // normalizedTimeoutMs). Absent means Pacemaker's default of 20000. "interval" is derived from
  // interval_ms, whatever is given here.
  ParamMap op_meta{};
  ParamMap op_params{};  // The op's instance_attributes (action->extra).
  // crm_feature_set of the recorded op (else of the CIB, else empty = current 3.16.1).
  std::string feature_set{};
  // The resource class is "stonith": pre-3.16.0 secure digests then omit fencing parameters.
  bool fence_device = false;
};

struct OpDigests {
  std::string all;
  std::string restart;
  std::string secure;
};

// `restart_list` is the recorded op-force-restart (" name1 name2 "), nullopt when the attribute
// is absent: absent keeps every parameter (restart == all), whereas an empty list keeps none.
// Pacemaker compares the restart digest only when the op recorded op-restart-digest, and then
// before the main digest. `secure_list` is the recorded op-secure-params; nullopt (absent)
// removes nothing. Without a recorded op at all, Pacemaker uses " passwd password user ".
OpDigests computeOpDigests(const OpDigestInput& input, std::optional<std::string_view> restart_list,
                           std::optional<std::string_view> secure_list);

// The string that is hashed; exposed so tests and diagnostics can show what differs.
std::string digestText(const ParamMap& attrs);

// Timeout as unpack_operation() stores it in action->meta: crm_get_msec() of the configured
// value (bare numbers are seconds), or 20000 when absent or unparsable.
std::string normalizedTimeoutMs(std::optional<std::string_view> configured);

// Pacemaker's compare_version(): dot-separated integers, missing parts count as 0.
int compareVersion(std::string_view a, std::string_view b);

}  // namespace pulse::pe
