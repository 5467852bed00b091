// The resource classes besides ocf, as Pacemaker's execd runs them:
//
//  * lsb:TYPE runs the init script /etc/init.d/TYPE with the action as its argument (monitor
//    becomes status). Exit codes are mapped to OCF codes as Pacemaker's services__lsb2ocf does:
//    for status 0 is running, 1/2/3 (dead with pid file, dead with lock, not running) are "not
//    running", 150/151 are not installed / insufficient privileges, anything else an error; for
//    other actions 0..7 keep their meaning (LSB and OCF share them) and anything else is an
//    error. meta-data is made from the script's "### BEGIN INIT INFO" header.
//  * systemd:TYPE drives the unit TYPE (".service" added when TYPE has no unit suffix) through
//    `systemctl`: start and stop wait for the job (systemctl blocks until it finishes) and then
//    for the unit to settle (no longer activating/deactivating), within the operation's timeout,
//    as execd re-checks a systemd start or stop; monitor maps ActiveState to OCF codes like
//    Pacemaker: active and reloading are running (0), activating and deactivating are pending
//    (re-checked until they settle or the timeout), everything else (inactive, failed) is not
//    running (7). A unit systemd does not know (LoadState not-found) is "not installed" (5).
//  * service:TYPE is systemd:TYPE when systemd runs and has the unit, else lsb:TYPE.
//
// On a node where systemd does not run (no /run/systemd/system, the test sd_booted() makes),
// every systemd action ends "not installed" with the reason "systemd is not running on this
// node", so the cluster places the resource elsewhere instead of failing it here.
//
// The seam: the daemon's environment may name another systemctl (PULSE_SYSTEMCTL), another
// marker directory (PULSE_SYSTEMD_DIR) and another init-script directory (PULSE_LSB_ROOT);
// the namespace tests use a fake systemctl this way. Read once per process.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crmd/executor/agent_process.h"
#include "crmd/executor/ocf.h"

namespace pulse::crmd {

struct ServiceSettings {
  std::string lsb_root = "/etc/init.d";
  std::string systemctl = "/usr/bin/systemctl";
  std::string systemd_dir = "/run/systemd/system";  // exists while systemd runs as init
};
// The settings from the daemon's environment (defaults above), computed once.
const ServiceSettings& serviceSettings();

// Pacemaker's services__lsb2ocf (see the header comment). `action` is the LSB action run
// (status for a monitor).
OcfCode lsbToOcf(std::string_view action, int exit_status);

// "haproxy" -> "haproxy.service"; a name with a unit suffix (.service, .socket, .timer, .mount,
// .target, .path, .slice, .scope, .swap, .device, .automount) is kept.
std::string systemdUnitName(std::string_view type);

// What `systemctl show` says of a unit's state.
struct UnitState {
  std::string load_state;    // loaded, not-found, masked, ...
  std::string active_state;  // active, reloading, inactive, failed, activating, deactivating
  std::string sub_state;
  std::string description;
};
// Parses `systemctl show --property=...` output (KEY=value lines; unknown keys ignored).
UnitState parseUnitState(std::string_view show_output);
// The monitor's answer for an ActiveState; nullopt while the unit is pending (activating,
// deactivating): the caller asks again.
std::optional<OcfCode> systemdStateToOcf(std::string_view active_state);

// The meta-data Pacemaker makes for a unit and for an init script (from its LSB header).
std::string systemdMetadata(std::string_view unit, std::string_view description);
std::string lsbMetadata(std::string_view type, std::string_view script_text);

// True when systemd runs as init on this node (settings.systemd_dir exists).
bool systemdRunning(const ServiceSettings& settings = serviceSettings());

// Runs one action of an lsb, systemd or service agent to completion (runAgent() calls it for
// those classes): the same contract as runAgent. For a completed action exit_status is the
// OCF code the script's or unit's answer maps to (the script's own status is in message).
AgentResult runServiceAgent(const AgentCall& call, std::size_t output_limit,
                            const std::atomic<bool>* abort,
                            const ServiceSettings& settings = serviceSettings());

}  // namespace pulse::crmd
