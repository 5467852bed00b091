#include "pcs-cli/resource_cleanup.h"

#include <algorithm>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "crmd/cib/cib_status.h"

namespace pulse::pcs {
namespace {

// The primitives `rsc` stands for: itself, or every primitive inside a group/clone/bundle.
std::vector<std::string> primitivesOf(pugi::xml_node resource) {
  if (std::string_view(resource.name()) == "primitive")
    return {resource.attribute("id").as_string()};
  std::vector<std::string> out;
  for (pugi::xpath_node n : resource.select_nodes(".//primitive")) {
    out.push_back(n.node().attribute("id").as_string());
  }
  return out;
}

// Names of the transient attributes of `node_state` that count failures of `rsc`.
std::vector<std::string> failureAttributes(pugi::xml_node node_state, const std::string& rsc) {
  std::vector<std::string> out;
  for (pugi::xpath_node n : node_state.select_nodes("transient_attributes//nvpair")) {
    const std::string name = n.node().attribute("name").as_string();
    if (name.starts_with("fail-count-" + rsc + "#") ||
        name.starts_with("last-failure-" + rsc + "#")) {
      out.push_back(name);
    }
  }
  return out;
}

bool hasFailedOperation(pugi::xml_node node_state, const std::string& rsc) {
  for (pugi::xpath_node n : node_state.select_nodes("lrm/lrm_resources/lrm_resource/lrm_rsc_op")) {
    if (std::string_view(n.parent().attribute("id").as_string()) != rsc) continue;
    if (std::string_view(n.node().attribute("id").as_string()).ends_with("_last_failure_0")) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<CleanupOutcome> cleanupResource(const std::string& cib_xml, const std::string& rsc,
                                       const std::string& node) {
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return Error{"Unable to parse the CIB"};
  pugi::xml_node cib = doc.child("cib");
  if (!cib) return Error{"Unable to parse the CIB: no <cib> element"};
  pugi::xml_node resources = cib.child("configuration").child("resources");

  std::vector<std::string> targets;  // empty with no RSC: every resource with a failure
  if (!rsc.empty()) {
    pugi::xml_node r = resources.find_node([&](pugi::xml_node n) {
      return std::string_view(n.attribute("id").as_string()) == rsc &&
             (std::string_view(n.name()) == "primitive" || std::string_view(n.name()) == "group" ||
              std::string_view(n.name()) == "clone" || std::string_view(n.name()) == "bundle");
    });
    if (!r) return Error{"Resource '" + rsc + "' does not exist."};
    targets = primitivesOf(r);
  }
  if (!node.empty()) {
    bool known = false;
    for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
      known = known || node == n.attribute("uname").as_string();
    }
    for (pugi::xml_node s : cib.child("status").children("node_state")) {
      known = known || node == s.attribute("uname").as_string();
    }
    if (!known) return Error{"Node '" + node + "' does not exist."};
  }

  CleanupOutcome outcome;
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    const std::string uname = state.attribute("uname").as_string();
    const std::string node_id = state.attribute("id").as_string();
    if (!node.empty() && uname != node) continue;
    std::vector<std::string> here = targets;
    if (rsc.empty()) {
      std::set<std::string> failed;
      for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
        const std::string id = r.attribute("id").as_string();
        if (hasFailedOperation(state, id) || !failureAttributes(state, id).empty()) {
          failed.insert(id);
        }
      }
      for (pugi::xpath_node n : state.select_nodes("transient_attributes//nvpair")) {
        std::string name = n.node().attribute("name").as_string();
        for (const char* prefix : {"fail-count-", "last-failure-"}) {
          if (name.starts_with(prefix)) {
            name = name.substr(std::string_view(prefix).size());
            failed.insert(name.substr(0, name.find('#')));
          }
        }
      }
      here.assign(failed.begin(), failed.end());
    }
    for (const std::string& id : here) {
      const bool had_history = static_cast<bool>(state.find_node([&](pugi::xml_node n) {
        return std::string_view(n.name()) == "lrm_resource" &&
               std::string_view(n.attribute("id").as_string()) == id;
      }));
      const std::vector<std::string> attributes = failureAttributes(state, id);
      if (!had_history && attributes.empty()) continue;
      if (Status s = cib::deleteResourceHistory(cib, node_id, id); !s) return s.error();
      for (const std::string& name : attributes) {
        if (Status s =
                cib::deleteNodeAttribute(cib, node_id, name, cib::AttributeLifetime::kTransient);
            !s) {
          return s.error();
        }
      }
      outcome.changed = true;
      if (!rsc.empty()) outcome.lines.push_back("Cleaned up " + id + " on " + uname);
    }
  }
  if (rsc.empty()) {
    outcome.lines.push_back(node.empty() ? "Cleaned up all resources on all nodes"
                                         : "Cleaned up all resources on " + node);
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
  outcome.cib_xml = outcome.changed ? out.str() : cib_xml;
  return outcome;
}

}  // namespace pulse::pcs
