// The failed operations a CIB's status section records (Pacemaker's RSC_last_failure_0
// entries), as `pcs status` lists them under "Failed Resource Actions:". Pure; any thread.
// Cleared by `pcs resource cleanup`, which removes the history they live in.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/status_output.h"

namespace pulse::pcs {

// In status order (node by node, resource by resource); empty for unreadable XML.
std::vector<FailedAction> failedActions(const std::string& cib_xml);
// The same on a parsed CIB (its <cib> element), for a caller that already holds one.
// `every_result` (crm_mon's reading): also each operation whose own entry records a failure
// (an exit code its transition-key did not expect, or an operation not carried out), as older
// releases recorded failures without a last_failure copy; one line per operation key and node.
std::vector<FailedAction> failedActions(const pugi::xml_node& cib, bool every_result = false);

// `pcs status --full`'s per-node history (crm_mon --show-detail): "Migration Summary:" with
// fail counts, then "Operations:" with each recorded operation:
//   * Node: n1 (1):
//     * vip: migration-threshold=1000000:
//       * (3) start: last-rc-change='...' exec-time=10ms queue-time=0ms rc=0 (ok)
// Empty when no node has any history. `cib` is the parsed CIB's <cib> element.
std::string operationHistory(const pugi::xml_node& cib);

// OCF exit codes as crm_mon names them ("not running"), and op-status (PCMK_EXEC_*) values.
// readableInterval(): Pacemaker 2.1.5's pcmk__readable_interval(), whose units start only above
// one of them: 10000 is "10s", 60000 "60s", 90000 "1m30s", 1000 "1000ms", 140 "140ms".
std::string rcText(int rc);
std::string execStatusText(int op_status);
// pcmk__readable_interval(): "10s", "1m 30s" spelled as Pacemaker does ("1m30s"), "140ms".
std::string readableInterval(long long ms);

// One failure in Pulse's readable form (issue 13), for people:
//   "vip: start on n2 failed: not installed (exit 5) at 10:02:11, 2 attempts"
// a recurring monitor is "vip: 10s-interval monitor ...", a one-off monitor "probe"; the time
// is local, with the date unless it is `now`'s day; attempts are the fail count, left out when
// none is recorded; an exit reason follows after ": ".
std::string failureReadable(const FailedAction& f, std::time_t now);
// crm_mon 2.1.5's line (without --show-detail), which scripts parse:
//   "vip start on n2 returned 'not installed' (no such file) at Mon Dec  7 10:02:11 2026 after
//   31ms"
std::string failureFriendly(const FailedAction& f);
// crm_mon --show-detail's line (pcs status --full's):
//   "vip_start_0 on n2 'not installed' (5): call=12, status='complete', exitreason='...',
//    last-rc-change='Mon Dec  7 10:02:11 2026', queued=0ms, exec=31ms"
std::string failureTechnical(const FailedAction& f);
// crm_mon's time text: "Mon Dec  7 10:02:11 2026" (local time).
std::string crmTimeText(std::time_t t);

}  // namespace pulse::pcs
