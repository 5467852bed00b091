// pcs stonith config --output-format=json: pcs 0.11's CibResourcesDto shape, for the stonith
// primitives only ({"primitives": [...], "clones": [], "groups": [], "bundles": []}).
#include "cib_edit.h"
#include "cib_xml.h"
#include "json.h"

namespace pulse::pcs {
namespace {

Json nvsets(pugi::xml_node owner, const char* tag) {
  Json sets = Json::array();
  for (pugi::xml_node set : owner.children(tag)) {
    Json nvpairs = Json::array();
    for (pugi::xml_node p : set.children("nvpair")) {
      nvpairs.push_back({{"id", p.attribute("id").as_string()},
                         {"name", p.attribute("name").as_string()},
                         {"value", p.attribute("value").as_string()}});
    }
    sets.push_back({{"id", set.attribute("id").as_string()},
                    {"options", Json::object()},
                    {"rule", nullptr},
                    {"nvpairs", std::move(nvpairs)}});
  }
  return sets;
}

// An attribute as a JSON string, or null when absent (pcs's Optional[str]).
Json optional(pugi::xml_node node, const char* name) {
  pugi::xml_attribute a = node.attribute(name);
  return a ? Json(a.as_string()) : Json(nullptr);
}

Json primitive(pugi::xml_node p) {
  Json operations = Json::array();
  for (pugi::xml_node op : p.child("operations").children("op")) {
    operations.push_back({{"id", op.attribute("id").as_string()},
                          {"name", op.attribute("name").as_string()},
                          {"interval", op.attribute("interval").as_string()},
                          {"timeout", optional(op, "timeout")},
                          {"instance_attributes", nvsets(op, "instance_attributes")}});
  }
  return {{"id", p.attribute("id").as_string()},
          {"agent_name",
           {{"standard", p.attribute("class").as_string()},
            {"provider", optional(p, "provider")},
            {"type", p.attribute("type").as_string()}}},
          {"description", optional(p, "description")},
          {"operations", std::move(operations)},
          {"instance_attributes", nvsets(p, "instance_attributes")},
          {"meta_attributes", nvsets(p, "meta_attributes")}};
}

}  // namespace

Result<std::string> stonithConfigJson(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  Json primitives = Json::array();
  for (pugi::xml_node r : cib.configuration.child("resources").children("primitive")) {
    if (std::string_view(r.attribute("class").as_string()) == "stonith") {
      primitives.push_back(primitive(r));
    }
  }
  const Json dto = {{"primitives", std::move(primitives)},
                    {"clones", Json::array()},
                    {"groups", Json::array()},
                    {"bundles", Json::array()}};
  return jsonText(dto) + "\n";
}

}  // namespace pulse::pcs
