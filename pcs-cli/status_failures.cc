#include "pcs-cli/status_failures.h"

#include <pugixml.hpp>

namespace pulse::pcs {
namespace {

// crm_mon's names for OCF exit codes.
std::string rcText(int rc) {
  switch (rc) {
    case 0: return "ok";
    case 1: return "error";
    case 2: return "invalid parameter";
    case 3: return "unimplemented feature";
    case 4: return "insufficient privileges";
    case 5: return "not installed";
    case 6: return "not configured";
    case 7: return "not running";
    case 8: return "promoted";
    case 9: return "promoted (failed)";
    default: return "unknown";
  }
}

}  // namespace

std::vector<FailedAction> failedActions(const std::string& cib_xml) {
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return {};
  std::vector<FailedAction> out;
  for (pugi::xml_node state : doc.child("cib").child("status").children("node_state")) {
    for (pugi::xpath_node n : state.select_nodes("lrm/lrm_resources/lrm_resource/lrm_rsc_op")) {
      pugi::xml_node op = n.node();
      if (!std::string_view(op.attribute("id").as_string()).ends_with("_last_failure_0")) continue;
      FailedAction f;
      f.key = op.attribute("operation_key").as_string();
      f.node = state.attribute("uname").as_string();
      f.rc = op.attribute("rc-code").as_int(1);
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
