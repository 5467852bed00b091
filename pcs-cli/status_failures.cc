#include "pcs-cli/status_failures.h"

#include <ctime>
#include <pugixml.hpp>
#include <sstream>

namespace pulse::pcs {
namespace {

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

std::string timeText(std::time_t t) {
  char buffer[64];
  std::tm tm{};
  localtime_r(&t, &tm);
  std::strftime(buffer, sizeof buffer, "%a %b %e %H:%M:%S %Y", &tm);
  return buffer;
}

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

std::vector<FailedAction> failedActions(const std::string& cib_xml) {
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return {};
  return failedActions(doc.child("cib"));
}

std::vector<FailedAction> failedActions(const pugi::xml_node& cib) {
  std::vector<FailedAction> out;
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    for (pugi::xpath_node n : state.select_nodes("lrm/lrm_resources/lrm_resource/lrm_rsc_op")) {
      pugi::xml_node op = n.node();
      if (!std::string_view(op.attribute("id").as_string()).ends_with("_last_failure_0")) continue;
      // A probe expects "not running" (7), so one that finds the resource active (0, or 8
      // promoted) is recorded as a last failure; crm_mon counts it as the resource found
      // active, not as a failed action, and so does pcs status.
      const int rc = op.attribute("rc-code").as_int(1);
      if (std::string_view(op.attribute("operation").as_string()) == "monitor" &&
          op.attribute("interval").as_llong(0) == 0 && (rc == 0 || rc == 8)) {
        continue;
      }
      FailedAction f;
      f.key = op.attribute("operation_key").as_string();
      f.node = state.attribute("uname").as_string();
      f.rc = rc;
      f.rc_text = rcText(f.rc);
      f.exit_reason = op.attribute("exit-reason").as_string();
      f.last_rc_change = static_cast<std::time_t>(op.attribute("last-rc-change").as_llong(0));
      f.exec_ms = op.attribute("exec-time").as_int(0);
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace pulse::pcs
