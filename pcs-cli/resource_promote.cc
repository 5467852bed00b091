#include "pcs-cli/resource_promote.h"

#include <iostream>
#include <pugixml.hpp>
#include <sstream>

#include "crmd/cib/cib_status.h"
#include "pcs-cli/resource_cleanup.h"
#include "pcs-cli/status_commands.h"
#include "pcs-cli/status_failures.h"
#include "pcs-cli/wait_idle.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pcs {
namespace {

constexpr char kFlag[] = "--allow-data-loss";

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

bool promotableClone(pugi::xml_node clone) {
  if (std::string_view(clone.name()) == "master") return true;
  if (std::string_view(clone.name()) != "clone") return false;
  for (pugi::xpath_node found : clone.select_nodes("meta_attributes/nvpair")) {
    const pugi::xml_node nv = found.node();
    if (std::string_view(nv.attribute("name").as_string()) != "promotable") continue;
    const std::string value = nv.attribute("value").as_string();
    return value == "true" || value == "1" || value == "yes" || value == "on";
  }
  return false;
}

// The promotable clone and its primitive that `rsc` names (either of them).
struct Target {
  std::string clone, primitive;
};

Result<Target> findTarget(pugi::xml_node resources, const std::string& rsc) {
  pugi::xml_node found = resources.find_node([&](pugi::xml_node n) {
    const std::string_view kind = n.name();
    return std::string_view(n.attribute("id").as_string()) == rsc &&
           (kind == "primitive" || kind == "group" || kind == "clone" || kind == "master" ||
            kind == "bundle");
  });
  if (!found) return Error{"Resource '" + rsc + "' does not exist."};
  pugi::xml_node clone = std::string_view(found.name()) == "primitive" ? found.parent() : found;
  pugi::xml_node primitive =
      std::string_view(found.name()) == "primitive" ? found : found.child("primitive");
  if (!promotableClone(clone) || !primitive) {
    return Error{"'" + rsc +
                 "' is not a promotable clone or the resource of one (a group inside the clone "
                 "cannot be promoted this way)"};
  }
  return Target{clone.attribute("id").as_string(), primitive.attribute("id").as_string()};
}

// Whether `prim`'s last operation on `node` is a promote that failed: the engine shows such an
// instance promoted (a failed promote's role) until its demotion, yet it is no primary.
bool promoteFailedLast(pugi::xml_node cib, const std::string& node, const std::string& prim) {
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    if (node != state.attribute("uname").as_string()) continue;
    for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
      const std::string id = r.attribute("id").as_string();
      if (id != prim && !id.starts_with(prim + ":")) continue;
      for (pugi::xml_node op : r.children("lrm_rsc_op")) {
        if (std::string_view(op.attribute("id").as_string()).ends_with("_last_0") &&
            std::string_view(op.attribute("operation").as_string()) == "promote" &&
            op.attribute("rc-code").as_int(-1) != 0) {
          return true;
        }
      }
    }
  }
  return false;
}

std::string nodeId(pugi::xml_node cib, const std::string& node) {
  for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
    if (node == n.attribute("uname").as_string()) return n.attribute("id").as_string();
  }
  return "";
}

}  // namespace

Result<PromoteOutcome> forcePromotion(const std::string& cib_xml, const std::string& rsc,
                                      const std::string& node, bool allow_data_loss) {
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return Error{"Unable to parse the CIB"};
  pugi::xml_node cib = doc.child("cib");
  if (!cib) return Error{"Unable to parse the CIB: no <cib> element"};
  auto target = findTarget(cib.child("configuration").child("resources"), rsc);
  if (!target.ok()) return target.error();
  const std::string id = nodeId(cib, node);
  if (id.empty()) return Error{"Node '" + node + "' does not exist."};
  const std::string& prim = target->primitive;

  // Where the instances run now, as pcs status shows them.
  auto transition = pe::schedule(cib_xml);
  if (!transition.ok()) return transition.error();
  const pe::ResourceView* clone = findView(transition->current.resources, target->clone);
  bool runs_here = false;
  for (const pe::ResourceView& instance :
       clone ? clone->members : std::vector<pe::ResourceView>{}) {
    for (const std::string& where : instance.nodes) {
      if (instance.role == pe::Role::Promoted && !promoteFailedLast(cib, where, prim)) {
        // Forcing a second primary would split the data: the existing one is moved instead.
        return Error{prim + " is promoted on " + where + ": nothing was lost to accept; to make " +
                     node + " the primary use 'pcs resource move " + target->clone + " " + node +
                     " --promoted'"};
      }
      runs_here = runs_here || where == node;
    }
  }
  if (!runs_here) {
    return Error{prim + " does not run on " + node +
                 ": only a running replica can be promoted (see pcs status)"};
  }

  // The agent's reason when it refused a promotion there (pcs status's Failed Resource Actions).
  std::string refusal;
  for (const FailedAction& f : failedActions(cib)) {
    if (f.node == node && f.key == prim + "_promote_0" && !f.exit_reason.empty()) {
      refusal = f.exit_reason;
    }
  }
  const std::string why =
      refusal.empty() ? "" : " (" + prim + "'s agent refused it: " + refusal + ")";
  if (!allow_data_loss) {
    return Error{"promoting " + prim + " on " + node +
                 " may lose transactions that the lost primary committed and acknowledged to "
                 "clients but " +
                 node + " never received" + why +
                 ". If the lost nodes cannot come back, accept that loss with 'pcs resource "
                 "promote " +
                 rsc + " " + node + " " + kFlag + "'"};
  }

  const std::string attribute = prim + "-allow-data-loss";
  if (Status s =
          cib::setNodeAttribute(cib, id, attribute, "true", cib::AttributeLifetime::kTransient);
      !s) {
    return s.error();
  }
  std::ostringstream flagged;
  doc.save(flagged, "  ", pugi::format_indent | pugi::format_no_declaration);
  auto cleaned = cleanupResource(flagged.str(), prim, node);
  if (!cleaned.ok()) return cleaned.error();

  PromoteOutcome outcome;
  outcome.cib_xml = cleaned->cib_xml;
  outcome.lines.push_back("Set node attribute " + attribute + "=true on " + node +
                          " (the agent's promote reads it and removes it once " + node +
                          " is promoted)");
  for (const std::string& line : cleaned->lines) outcome.lines.push_back(line);
  outcome.lines.push_back(prim + " will be promoted on " + node +
                          " without the check for acknowledged commits" + why +
                          "; transactions only the lost nodes held are lost. "
                          "See pcs status.");
  return outcome;
}

int promoteCommand(const CibCommandOptions& options) {
  bool allow = false;
  std::vector<std::string> positional;
  for (const std::string& w : options.words) {
    if (w == kFlag) {
      allow = true;
    } else if (w.starts_with("-")) {
      return fail("unknown option '" + w + "'");
    } else {
      positional.push_back(w);
    }
  }
  if (positional.size() != 4) {
    return fail(
        "invalid usage of 'pcs resource promote', use: pcs resource promote <resource> "
        "<node> --allow-data-loss");
  }
  const std::string& rsc = positional[2];
  const std::string& node = positional[3];
  return runStatusEdit(
      options,
      [&](const std::string& cib) -> Result<StatusEdit> {
        auto outcome = forcePromotion(cib, rsc, node, allow);
        if (!outcome.ok()) return outcome.error();
        return StatusEdit{std::move(outcome->cib_xml), std::move(outcome->lines)};
      },
      "writing");
}

}  // namespace pulse::pcs
