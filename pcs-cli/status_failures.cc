#include "pcs-cli/status_failures.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <pugixml.hpp>
#include <sstream>

namespace pulse::pcs {

// crm_mon's names for OCF exit codes.
std::string rcText(int rc) {
  switch (rc) {
    case 0:
      return "ok";
    case 1:
      return "error";
    case 2:
      return "invalid parameter";
    case 3:
      return "unimplemented feature";
    case 4:
      return "insufficient privileges";
    case 5:
      return "not installed";
    case 6:
      return "not configured";
    case 7:
      return "not running";
    case 8:
      return "promoted";
    case 9:
      return "promoted (failed)";
    default:
      return "unknown";
  }
}

// pcmk_exec_status_str().
std::string execStatusText(int op_status) {
  switch (op_status) {
    case -1:
      return "pending";
    case 0:
      return "complete";
    case 1:
      return "Cancelled";
    case 2:
      return "Timed Out";
    case 3:
      return "NOT SUPPORTED";
    case 4:
      return "Error";
    case 5:
      return "No fence device";
    case 6:
      return "Secrets unavailable";
    case 7:
      return "Not installed";
    case 8:
      return "Not connected";
    case 9:
      return "Invalid";
    case 10:
      return "Hard error";
    case 11:
      return "Fatal error";
    default:
      return "UNKNOWN!";
  }
}

std::string readableInterval(long long ms) {
  constexpr long long kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute,
                      kDay = 24 * kHour;
  std::string out;
  for (const auto& [unit, suffix] : {std::pair{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}}) {
    if (ms > unit) {  // Pacemaker's ">": 60000 is "60s", 1000 is "1000ms"
      out += std::to_string(ms / unit) + suffix;
      ms %= unit;
    }
  }
  if (ms > kSecond) {
    out += std::to_string(ms / kSecond);
    if (ms % kSecond > 0) {
      char fraction[8];
      std::snprintf(fraction, sizeof fraction, ".%03lld", ms % kSecond);
      out += fraction;
    }
    out += "s";
  } else if (ms > 0) {
    out += std::to_string(ms) + "ms";
  } else if (out.empty()) {
    out = "0s";
  }
  return out;
}

std::string crmTimeText(std::time_t t) {
  char buffer[64] = "";
  std::tm tm{};
  if (localtime_r(&t, &tm) != nullptr) {
    std::strftime(buffer, sizeof buffer, "%a %b %e %H:%M:%S %Y", &tm);
  }
  return buffer;
}

namespace {

// crm_action_str(): a one-off monitor is a probe.
std::string actionText(const FailedAction& f) {
  return f.task == "monitor" && f.interval_ms == 0 ? "probe" : f.task;
}

std::string timeText(std::time_t t) { return crmTimeText(t); }

std::string migrationThreshold(pugi::xml_node cib, const std::string& rsc) {
  pugi::xml_node r = cib.child("configuration").child("resources").find_node([&](pugi::xml_node n) {
    return std::string_view(n.attribute("id").as_string()) == rsc;
  });
  for (pugi::xml_node p : r.child("meta_attributes").children("nvpair")) {
    if (std::string_view(p.attribute("name").as_string()) == "migration-threshold") {
      return p.attribute("value").as_string();
    }
  }
  return "1000000";
}

}  // namespace

std::string operationHistory(const pugi::xml_node& cib) {
  std::ostringstream migration, operations;
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    const std::string header = std::string("  * Node: ") + state.attribute("uname").as_string() +
                               " (" + state.attribute("id").as_string() + "):\n";
    std::ostringstream fails;
    for (pugi::xpath_node n : state.select_nodes("transient_attributes//nvpair")) {
      const std::string name = n.node().attribute("name").as_string();
      if (!name.starts_with("fail-count-")) continue;
      const std::string rsc = name.substr(11, name.find('#') - 11);
      fails << "    * " << rsc << ": migration-threshold=" << migrationThreshold(cib, rsc)
            << " fail-count=" << n.node().attribute("value").as_string() << "\n";
    }
    if (!fails.str().empty()) migration << header << fails.str();
    std::ostringstream ops;
    for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
      const std::string rsc = r.attribute("id").as_string();
      if (!r.child("lrm_rsc_op")) continue;
      ops << "    * " << rsc << ": migration-threshold=" << migrationThreshold(cib, rsc) << ":\n";
      for (pugi::xml_node op : r.children("lrm_rsc_op")) {
        const int rc = op.attribute("rc-code").as_int(0);
        ops << "      * (" << op.attribute("call-id").as_string() << ") "
            << op.attribute("operation").as_string();
        if (op.attribute("interval").as_llong(0) > 0) {
          ops << " (interval " << op.attribute("interval").as_string() << "ms)";
        }
        ops << ": last-rc-change='"
            << timeText(static_cast<std::time_t>(op.attribute("last-rc-change").as_llong(0)))
            << "' exec-time=" << op.attribute("exec-time").as_int(0)
            << "ms queue-time=" << op.attribute("queue-time").as_int(0) << "ms rc=" << rc << " ("
            << rcText(rc) << ")\n";
      }
    }
    if (!ops.str().empty()) operations << header << ops.str();
  }
  std::string out;
  if (!migration.str().empty()) out += "\nMigration Summary:\n" + migration.str();
  if (!operations.str().empty()) out += "\nOperations:\n" + operations.str();
  return out;
}

namespace {

// A transient attribute of the node (its status entry's); "" when it has none of that name.
std::string transientAttribute(const pugi::xml_node& state, const std::string& name) {
  for (pugi::xpath_node n : state.select_nodes("transient_attributes//nvpair")) {
    if (name == n.node().attribute("name").as_string()) return n.node().attribute("value").value();
  }
  return "";
}

}  // namespace

std::vector<FailedAction> failedActions(const std::string& cib_xml) {
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return {};
  return failedActions(doc.child("cib"));
}

namespace {

// An operation whose recorded result is a failure: not carried out (op-status other than done,
// pending or cancelled), or an exit code other than the one its transition-key expected
// ("action:transition:EXPECTED_RC:uuid").
bool failedResult(const pugi::xml_node& op) {
  // Done (0) and Error (4) are judged by the exit code, as Pacemaker's remap_operation() does;
  // pending (-1) and cancelled (1) are no result; any other status is a failure in itself.
  const int status = op.attribute("op-status").as_int(0);
  if (status == -1 || status == 1) return false;
  if (status != 0 && status != 4) return true;
  const std::string key = op.attribute("transition-key").as_string();
  const std::size_t a = key.find(':'), b = a == std::string::npos ? a : key.find(':', a + 1),
                    c = b == std::string::npos ? b : key.find(':', b + 1);
  if (c == std::string::npos) return status == 4;
  return op.attribute("rc-code").as_int(0) != std::atoi(key.substr(b + 1, c - b - 1).c_str());
}

}  // namespace

std::vector<FailedAction> failedActions(const pugi::xml_node& cib, bool every_result) {
  std::vector<FailedAction> out;
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    std::vector<pugi::xml_node> ops;
    for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
      const std::size_t first = ops.size();
      for (pugi::xml_node op : r.children("lrm_rsc_op")) ops.push_back(op);
      // Pacemaker unpacks a resource's history in call order.
      std::stable_sort(ops.begin() + static_cast<long>(first), ops.end(),
                       [](const pugi::xml_node& a, const pugi::xml_node& b) {
                         return a.attribute("call-id").as_llong(0) <
                                b.attribute("call-id").as_llong(0);
                       });
    }
    for (const pugi::xml_node& op : ops) {
      const bool last_failure =
          std::string_view(op.attribute("id").as_string()).ends_with("_last_failure_0");
      if (!last_failure && !(every_result && failedResult(op))) continue;
      // A probe expects "not running" (7), so one that finds the resource active (0, or 8
      // promoted) is recorded as a last failure; crm_mon counts it as the resource found
      // active, not as a failed action, and so does pcs status.
      const int rc = op.attribute("rc-code").as_int(1);
      if (std::string_view(op.attribute("operation").as_string()) == "monitor" &&
          op.attribute("interval").as_llong(0) == 0 && (rc == 0 || rc == 8)) {
        continue;
      }
      const std::string key = op.attribute("operation_key") ? op.attribute("operation_key").value()
                                                            : op.attribute("id").value();
      const std::string uname = state.attribute("uname").as_string();
      // One line per operation and node, as crm_mon (a failure and its last_failure copy).
      if (every_result && std::any_of(out.begin(), out.end(), [&](const FailedAction& seen) {
            return (seen.key.empty() ? seen.id : seen.key) == key && seen.node == uname;
          })) {
        continue;
      }
      FailedAction f;
      f.key = op.attribute("operation_key").as_string();
      f.id = op.attribute("id").as_string();
      f.resource = op.parent().attribute("id").as_string();
      f.task = op.attribute("operation").as_string();
      f.interval_ms = op.attribute("interval").as_llong(0);
      f.node = state.attribute("uname").as_string();
      f.rc = rc;
      f.rc_text = rcText(f.rc);
      f.op_status = op.attribute("op-status").as_int(0);
      f.exit_reason = op.attribute("exit-reason").as_string();
      f.call_id = op.attribute("call-id").as_string();
      f.last_rc_change = static_cast<std::time_t>(op.attribute("last-rc-change").as_llong(0));
      f.has_timing = static_cast<bool>(op.attribute("exec-time"));
      f.exec_ms = op.attribute("exec-time").as_int(0);
      f.queue_ms = op.attribute("queue-time").as_int(0);
      f.fail_count = transientAttribute(
          state, "fail-count-" + f.resource + "#" + f.task + "_" + std::to_string(f.interval_ms));
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::string failureReadable(const FailedAction& f, std::time_t now) {
  std::string out = f.resource + ": ";
  if (f.interval_ms > 0) out += readableInterval(f.interval_ms) + "-interval ";
  out += actionText(f) + " on " + f.node + " failed: ";
  if (f.op_status == 0) {
    out += f.rc_text + " (exit " + std::to_string(f.rc) + ")";
  } else {
    // The agent gave no answer to judge (a timeout, an agent that could not run).
    std::string status = execStatusText(f.op_status);
    for (char& c : status) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += status;
  }
  if (f.last_rc_change != 0) {
    std::tm when{}, today{};
    localtime_r(&f.last_rc_change, &when);
    localtime_r(&now, &today);
    const bool same_day = when.tm_year == today.tm_year && when.tm_yday == today.tm_yday;
    char text[32];
    std::strftime(text, sizeof text, same_day ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &when);
    out += std::string(" at ") + text;
  }
  if (!f.fail_count.empty()) {
    out += ", " + f.fail_count + (f.fail_count == "1" ? " attempt" : " attempts");
  }
  if (!f.exit_reason.empty()) out += ": " + f.exit_reason;
  return out;
}

// The resource crm_mon names in its line: the operation key's ("RSC_TASK_INTERVAL", which an
// older release recorded under another lrm_resource id), else the lrm_resource's.
std::string keyResource(const FailedAction& f) {
  const std::string& key = f.key.empty() ? f.id : f.key;
  const std::string suffix = "_" + f.task + "_" + std::to_string(f.interval_ms);
  if (key.size() > suffix.size() && key.ends_with(suffix)) {
    return key.substr(0, key.size() - suffix.size());
  }
  return f.resource;
}

std::string failureFriendly(const FailedAction& f) {
  std::string out = keyResource(f) + " ";
  if (f.interval_ms > 0) out += readableInterval(f.interval_ms) + "-interval ";
  out += actionText(f) + " on " + f.node;
  if (f.op_status == 0) {
    out += " returned '" + f.rc_text + "'";
    if (!f.exit_reason.empty()) out += " (" + f.exit_reason + ")";
  } else {
    out += " could not be executed (" + execStatusText(f.op_status);
    if (!f.exit_reason.empty()) out += ": " + f.exit_reason;
    out += ")";
  }
  if (f.last_rc_change != 0) out += " at " + crmTimeText(f.last_rc_change);
  if (f.has_timing && f.exec_ms > 0) out += " after " + readableInterval(f.exec_ms);
  return out;
}

std::string failureTechnical(const FailedAction& f) {
  std::string out = (f.key.empty() ? (f.id.empty() ? "unknown operation" : f.id) : f.key) + " on " +
                    f.node + " '" + f.rc_text + "' (" + std::to_string(f.rc) +
                    "): call=" + (f.call_id.empty() ? "unknown" : f.call_id) + ", status='" +
                    execStatusText(f.op_status) + "'";
  if (!f.exit_reason.empty()) out += ", exitreason='" + f.exit_reason + "'";
  if (f.last_rc_change != 0) out += ", last-rc-change='" + crmTimeText(f.last_rc_change) + "'";
  if (f.has_timing) {
    out +=
        ", queued=" + std::to_string(f.queue_ms) + "ms, exec=" + std::to_string(f.exec_ms) + "ms";
  }
  return out;
}

}  // namespace pulse::pcs
