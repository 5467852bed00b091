// Pulse's policy engine: Pacemaker's scheduler as a pure function.
//
// schedule() turns a CIB (configuration + status, Pacemaker's XML) into the
// placement it wants and the transition graph that gets there. It does no
// I/O, reads no clock ("now" is the CIB's execution-date or an option) and
// keeps no state: equal inputs give byte-identical outputs. Bad input is an
// Error naming the element and its line or id; it never throws or aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy-engine/result.h"
#include "policy-engine/transition.h"

namespace pugi {
class xml_document;
}

namespace pulse::pe {

class CibSource;  // cib_source.h

struct ScheduleOptions {
  // Seconds since the epoch used as "now", overriding the CIB's
  // execution-date (crm_simulate -t).
  std::optional<std::int64_t> now;
  // "now" when neither `now` nor an execution-date is given; a front end
  // passes the wall clock here, as crm_simulate does. Without it: the epoch.
  std::optional<std::int64_t> fallback_now;
  // Fill Transition::scores (crm_simulate -s); off by default, it is large.
  bool with_scores = false;
  // Fill each Action's execution details (agent, parameters, timeout, digest): a controller
  // that carries the transition out needs them; a simulation does not pay for them.
  bool with_execution = false;
  // The CIB may have been sanitized (private parameters such as passwords masked), as
  // crm_simulate assumes: a definition whose only change is in private parameters (the
  // recorded op-secure-digest still matches) is taken as unchanged. Never for a live cluster.
  bool sanitized = false;
  // Fill Transition::reasons: why each resource goes where it does (pcs resource why). Off by
  // default; it changes no decision.
  bool with_reasons = false;
  // Reproduce the Pacemaker 2.1.5 defects that README lists under "Known differences" (today:
  // a cloned group's instance that its pre-assignment to its current node sent elsewhere stays
  // there uncounted, so a node can get more instances than clone-node-max). For the
  // differential test only: a disagreement that goes away with it is that defect's doing.
  // Never for a live cluster.
  bool pacemaker_defects = false;
  // The DC's node id, for a CIB whose root names none (dc-uuid): Pacemaker's controller keeps
  // dc-uuid in the CIB, Pulse's replicated CIB does not, so the live controller passes its own
  // id here and rules on #is_dc hold as they would under Pacemaker.
  std::optional<std::string> dc_id;
};

Result<Transition> schedule(std::string_view cib_xml, const ScheduleOptions& options = {});

// The same on a CIB read a piece at a time from `source` (cib_source.h), so that a large
// CIB's text is never held whole. Equal texts give byte-identical transitions.
Result<Transition> schedule(CibSource& source, const ScheduleOptions& options = {});

// The same on a CIB already parsed (crmd's shared copy, parsed once per confirmed copy):
// `source` is the text `cib_doc` was parsed from, for the line numbers of errors. Equal
// documents give byte-identical transitions to the text overload.
Result<Transition> schedule(const pugi::xml_document& cib_doc, std::string_view source,
                            const ScheduleOptions& options = {});

}  // namespace pulse::pe
