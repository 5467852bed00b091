// Operation digests as Pacemaker 2.1.5's scheduler computes them (lib/pengine/pe_digest.c).
//
// The controller stores three MD5 digests on every <lrm_rsc_op> it records: "op-digest" (all
// parameters the action ran with), "op-restart-digest" (only the parameters that cannot be
// reloaded) and "op-secure-digest" (everything except private parameters). The scheduler
// recomputes them from the current configuration; a difference means the resource definition
// changed since the action ran, so it must be restarted, reloaded or rescheduled. The values must
// therefore be bit-identical to Pacemaker's, quirks included.
//
// What enters the digest ("all"), in this order, where an earlier source wins on a name clash:
//   1. resource parameters: the primitive's instance_attributes evaluated for the node, then those
//      of its parents (group, clone), then rsc_defaults instance_attributes (pe_rsc_params);
//   2. the op's own instance_attributes (action->extra), evaluated for the node;
//   3. the action's meta-attributes as "CRM_meta_<name>" (action->meta).
// Then every CRM_meta_* attribute is dropped, together with id, crm_feature_set, op-digest,
// on_node... (see kDroppedNames in the .cc), except that a recurring action (interval
// > 0) keeps CRM_meta_timeout, because a changed timeout must reschedule the monitor. Hence the
// only op meta that matters is the timeout of recurring actions; op_defaults and op
// meta_attributes reach the digest only through it. Resource meta-attributes never do.
//
// Serialisation (calculate_operation_digest, identical for every feature set): attributes sorted
// by name (byte order) and written as ` <parameters name="value" .../>\n` (leading space, trailing
// newline, `<parameters/>` when empty); values escaped like crm_xml_escape(). The feature set only
// changes which attributes the secure digest covers (see below).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "md5.h"

namespace pulse::pe {

// Name -> value, already evaluated (rules applied for the node, id-refs resolved, first set that
// defines a name wins as in pe_unpack_nvpairs). std::map keeps names in the byte order that
// Pacemaker sorts by.
using ParamMap = std::map<std::string, std::string>;

struct OpDigestInput {
  // Resource parameters (source 1 above). For a bundle's Pacemaker Remote connection, put the
  // container host in "addr": Pacemaker overrides the configured value that way.
  ParamMap params;
  std::string task;  // Recorded "operation"; not hashed, kept for diagnostics.
  std::int64_t interval_ms = 0;  // Recorded interval; decides whether the timeout is hashed.
  // action->meta for the op, names without the CRM_meta_ prefix. Only "timeout" can matter, and
  // it must already be normalised to integer milliseconds as unpack_operation() stores it (see
  // normalizedTimeoutMs). Absent means Pacemaker's default of 20000. "interval" is derived from
  // interval_ms, whatever is given here.
  ParamMap op_meta;
  ParamMap op_params;  // The op's instance_attributes (action->extra).
  // crm_feature_set of the recorded op (else of the CIB, else empty = current 3.16.1).
  std::string feature_set;
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
OpDigests computeOpDigests(const OpDigestInput& input,
                           std::optional<std::string_view> restart_list,
                           std::optional<std::string_view> secure_list);

// The string that is hashed; exposed so tests and diagnostics can show what differs.
std::string digestText(const ParamMap& attrs);

// Timeout as unpack_operation() stores it in action->meta: crm_get_msec() of the configured
// value (bare numbers are seconds), or 20000 when absent or unparsable.
std::string normalizedTimeoutMs(std::optional<std::string_view> configured);

// Pacemaker's compare_version(): dot-separated integers, missing parts count as 0.
int compareVersion(std::string_view a, std::string_view b);

}  // namespace pulse::pe
