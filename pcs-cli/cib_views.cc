// pcs constraint [list] (text and JSON) and pcs constraint ref: read-only views of the CIB.
#include <algorithm>
#include <sstream>

#include "cib_edit.h"
#include "cib_xml.h"
#include "json.h"
#include "policy-engine/cib_config.h"

namespace pulse::pcs {
namespace {

std::string attr(pugi::xml_node n, const char* name) { return n.attribute(name).as_string(); }

std::string withId(pugi::xml_node c, bool with_ids) {
  return with_ids ? " (id: " + attr(c, "id") + ")" : "";
}

std::string optionalWord(const std::string& word) { return word.empty() ? "" : word + " "; }

}  // namespace

Result<std::string> constraintList(const std::string& cib_xml, bool with_ids) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  pugi::xml_node constraints = cib.configuration.child("constraints");
  std::ostringstream out;
  if (constraints.child("rsc_location")) out << "Location Constraints:\n";
  for (pugi::xml_node c : constraints.children("rsc_location")) {
    std::string score = c.attribute("score").as_string("INFINITY");
    const bool negative = !score.empty() && score[0] == '-';
    if (!score.empty() && (score[0] == '-' || score[0] == '+')) score = score.substr(1);
    const bool plain = !c.child("rule");
    out << "  " << optionalWord(attr(c, "role")) << "resource"
        << (c.attribute("rsc") ? "" : " pattern") << " '"
        << (c.attribute("rsc") ? attr(c, "rsc") : attr(c, "rsc-pattern")) << "'";
    if (plain) {
      out << (negative ? " avoids" : " prefers") << " node '" << attr(c, "node") << "' with score "
          << score;
    }
    out << withId(c, with_ids) << "\n";
    if (c.attribute("resource-discovery")) {
      out << "    resource-discovery=" << attr(c, "resource-discovery") << "\n";
    }
  }
  if (constraints.child("rsc_colocation")) out << "Colocation Constraints:\n";
  for (pugi::xml_node c : constraints.children("rsc_colocation")) {
    out << "  " << optionalWord(attr(c, "rsc-role")) << "resource '" << attr(c, "rsc") << "' with "
        << optionalWord(attr(c, "with-rsc-role")) << "resource '" << attr(c, "with-rsc") << "'"
        << withId(c, with_ids) << "\n";
    out << "    score=" << attr(c, "score");
    if (c.attribute("influence")) out << " influence=" << attr(c, "influence");
    out << "\n";
  }
  if (constraints.child("rsc_order")) out << "Order Constraints:\n";
  for (pugi::xml_node c : constraints.children("rsc_order")) {
    out << "  " << optionalWord(attr(c, "first-action")) << "resource '" << attr(c, "first")
        << "' then " << optionalWord(attr(c, "then-action")) << "resource '" << attr(c, "then")
        << "'" << withId(c, with_ids) << "\n";
    std::string pairs;
    for (const char* name : {"symmetrical", "require-all", "score", "kind"}) {
      if (c.attribute(name))
        pairs += std::string(pairs.empty() ? "" : " ") + name + "=" + attr(c, name);
    }
    if (!pairs.empty()) out << "    " << pairs << "\n";
  }
  return out.str();
}

Result<std::string> constraintListJson(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  pugi::xml_node constraints = cib.configuration.child("constraints");
  // An attribute as a JSON string, or null when absent (pcs's Optional[str]).
  auto optional = [](pugi::xml_node c, const char* name) {
    return c.attribute(name) ? Json(attr(c, name)) : Json(nullptr);
  };
  Json location = Json::array(), colocation = Json::array(), order = Json::array();
  for (pugi::xml_node c : constraints.children("rsc_location")) {
    location.push_back({{"resource_id", optional(c, "rsc")},
                        {"resource_pattern", optional(c, "rsc-pattern")},
                        {"role", optional(c, "role")},
                        {"attributes",
                         {{"constraint_id", attr(c, "id")},
                          {"score", optional(c, "score")},
                          {"node", optional(c, "node")},
                          {"resource_discovery", optional(c, "resource-discovery")}}}});
  }
  for (pugi::xml_node c : constraints.children("rsc_colocation")) {
    colocation.push_back(
        {{"resource_id", attr(c, "rsc")},
         {"with_resource_id", attr(c, "with-rsc")},
         {"resource_role", optional(c, "rsc-role")},
         {"with_resource_role", optional(c, "with-rsc-role")},
         {"attributes", {{"constraint_id", attr(c, "id")}, {"score", optional(c, "score")}}}});
  }
  for (pugi::xml_node c : constraints.children("rsc_order")) {
    order.push_back({{"first_resource_id", attr(c, "first")},
                     {"then_resource_id", attr(c, "then")},
                     {"first_action", optional(c, "first-action")},
                     {"then_action", optional(c, "then-action")},
                     {"attributes",
                      {{"constraint_id", attr(c, "id")},
                       {"symmetrical", optional(c, "symmetrical")},
                       {"score", optional(c, "score")},
                       {"kind", optional(c, "kind")}}}});
  }
  const Json lists = {{"location", std::move(location)},
                      {"colocation", std::move(colocation)},
                      {"order", std::move(order)}};
  return jsonText(lists);
}

Result<std::string> constraintRef(const std::string& cib_xml, const std::vector<std::string>& ids) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::ostringstream out;
  for (const std::string& rsc : sorted) {
    std::vector<std::string> found;
    for (pugi::xml_node c : cib.configuration.child("constraints").children()) {
      bool names = false;
      for (const char* a : {"rsc", "with-rsc", "first", "then"}) names |= rsc == attr(c, a);
      for (pugi::xml_node set : c.children("resource_set")) {
        names |= bool(set.find_child_by_attribute("resource_ref", "id", rsc.c_str()));
      }
      if (names) found.push_back(attr(c, "id"));
    }
    std::sort(found.begin(), found.end());
    out << "Resource: " << rsc << "\n";
    if (found.empty()) out << "  No Matches\n";
    for (const std::string& id : found) out << "  " << id << "\n";
  }
  return out.str();
}

Result<std::string> primitiveAgent(const std::string& cib_xml, const std::string& id) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  pugi::xml_node primitive = cibxml::findPrimitive(cib, id);
  if (!primitive) return std::string();
  std::string name = attr(primitive, "class");
  if (primitive.attribute("provider")) name += ":" + attr(primitive, "provider");
  return name + ":" + attr(primitive, "type");
}

Result<std::string> clusterProperty(const std::string& cib_xml, const std::string& name) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  return pe::cibconf::clusterOption(cib.cib, name, "");
}

}  // namespace pulse::pcs
