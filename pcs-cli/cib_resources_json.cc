// pcs resource config / pcs stonith config --output-format=json: pcs 0.11's ListCibResourcesDto
// ({"primitives", "clones", "groups", "bundles"}), built as pcs's exporters build it
// (pcs/lib/cib/resource/*.py to_dto, pcs/cli/resource/output.py filters).
#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "cib_edit.h"
#include "cib_xml.h"
#include "json.h"

namespace pulse::pcs {
namespace {

// An attribute as a JSON string, or null when absent (pcs's Optional[str]).
Json optional(pugi::xml_node node, const char* name) {
  pugi::xml_attribute a = node.attribute(name);
  return a ? Json(a.as_string()) : Json(nullptr);
}

// Pacemaker's crm_is_true, as pcs's is_true: an absent attribute is null.
Json optionalBool(pugi::xml_node node, const char* name) {
  pugi::xml_attribute a = node.attribute(name);
  if (!a) return nullptr;
  std::string v = a.as_string();
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true" || v == "on" || v == "yes" || v == "y" || v == "1";
}

// pcs names roles by their primary (Pacemaker 2.1) names.
Json optionalRole(pugi::xml_node node, const char* name) {
  pugi::xml_attribute a = node.attribute(name);
  if (!a) return nullptr;
  const std::string_view role = a.as_string();
  if (role == "Master") return "Promoted";
  if (role == "Slave") return "Unpromoted";
  return a.as_string();
}

// Every nvset of `owner` with tag `tag`, in document order. pcs sorts each set's nvpairs by id
// and puts the set's attributes other than id (score, ...) in "options". A rule inside a set
// is exported by pcs as a CibRuleExpressionDto with its evaluation and its text form; Pulse
// does not build that DTO yet, so a set with a rule is refused rather than shown without it.
Result<Json> nvsets(pugi::xml_node owner, const char* tag) {
  Json sets = Json::array();
  for (pugi::xml_node set : owner.children(tag)) {
    const std::string id = set.attribute("id").as_string();
    if (set.child("rule")) {
      return Error{"Output format 'json' does not show rules yet ('" + id +
                   "' has one); use --output-format=text"};
    }
    Json options = Json::object();
    for (pugi::xml_attribute a : set.attributes()) {
      if (std::string_view(a.name()) != "id") options[a.name()] = a.as_string();
    }
    std::vector<pugi::xml_node> pairs;
    for (pugi::xml_node p : set.children("nvpair")) pairs.push_back(p);
    std::stable_sort(pairs.begin(), pairs.end(), [](pugi::xml_node x, pugi::xml_node y) {
      return std::string_view(x.attribute("id").as_string()) <
             std::string_view(y.attribute("id").as_string());
    });
    Json nvpairs = Json::array();
    for (pugi::xml_node p : pairs) {
      nvpairs.push_back({{"id", p.attribute("id").as_string()},
                         {"name", p.attribute("name").as_string()},
                         {"value", p.attribute("value").as_string()}});
    }
    sets.push_back({{"id", id},
                    {"options", std::move(options)},
                    {"rule", nullptr},
                    {"nvpairs", std::move(nvpairs)}});
  }
  return sets;
}

// Fills `out[key]` with the nvsets of `owner`; false (and `error` set) on a refused set.
bool addSets(Json& out, const char* key, pugi::xml_node owner, const char* tag, Error& error) {
  auto sets = nvsets(owner, tag);
  if (!sets.ok()) {
    error = sets.error();
    return false;
  }
  out[key] = std::move(*sets);
  return true;
}

Result<Json> operation(pugi::xml_node op) {
  Json dto = {{"id", op.attribute("id").as_string()},
              {"name", op.attribute("name").as_string()},
              {"interval", op.attribute("interval").as_string()},
              {"description", optional(op, "description")},
              {"start_delay", optional(op, "start-delay")},
              {"interval_origin", optional(op, "interval-origin")},
              {"timeout", optional(op, "timeout")},
              {"enabled", optionalBool(op, "enabled")},
              {"record_pending", optionalBool(op, "record-pending")},
              {"role", optionalRole(op, "role")},
              {"on_fail", optional(op, "on-fail")}};
  Error error{""};
  if (!addSets(dto, "meta_attributes", op, "meta_attributes", error) ||
      !addSets(dto, "instance_attributes", op, "instance_attributes", error)) {
    return error;
  }
  return dto;
}

// The element naming a primitive's agent: the primitive, or the <template> it refers to when it
// has no class of its own. (pcs 0.11 fails with a Python traceback on such primitives; Pulse
// shows the template's agent.)
pugi::xml_node agentOf(pugi::xml_node p) {
  if (p.attribute("class") || !p.attribute("template")) return p;
  pugi::xml_node resources = p.parent();
  while (resources && std::string_view(resources.name()) != "resources") {
    resources = resources.parent();
  }
  const pugi::xml_node t =
      resources.find_child_by_attribute("template", "id", p.attribute("template").as_string());
  return t ? t : p;
}

Result<Json> primitive(pugi::xml_node p) {
  Json operations = Json::array();
  for (pugi::xml_node op : p.child("operations").children("op")) {
    auto dto = operation(op);
    if (!dto.ok()) return dto.error();
    operations.push_back(std::move(*dto));
  }
  Json dto = {{"id", p.attribute("id").as_string()},
              {"agent_name",
               {{"standard", agentOf(p).attribute("class").as_string()},
                {"provider", optional(agentOf(p), "provider")},
                {"type", agentOf(p).attribute("type").as_string()}}},
              {"description", optional(p, "description")},
              {"operations", std::move(operations)}};
  Error error{""};
  if (!addSets(dto, "meta_attributes", p, "meta_attributes", error) ||
      !addSets(dto, "instance_attributes", p, "instance_attributes", error) ||
      !addSets(dto, "utilization", p, "utilization", error)) {
    return error;
  }
  return dto;
}

// A clone, or a Pacemaker 1 <master>: pcs shows a master as a clone whose first meta set (a new
// one with id "" when there is none) ends with promotable=true.
Result<Json> clone(pugi::xml_node c) {
  pugi::xml_node member;
  for (pugi::xml_node child : c.children()) {
    const std::string_view tag = child.name();
    if (tag == "primitive" || tag == "group") {
      member = child;
      break;
    }
  }
  Json dto = {{"id", c.attribute("id").as_string()},
              {"description", optional(c, "description")},
              {"member_id", member.attribute("id").as_string()}};
  Error error{""};
  if (!addSets(dto, "meta_attributes", c, "meta_attributes", error) ||
      !addSets(dto, "instance_attributes", c, "instance_attributes", error)) {
    return error;
  }
  if (std::string_view(c.name()) == "master") {
    const Json promotable = {{"id", ""}, {"name", "promotable"}, {"value", "true"}};
    Json& meta = dto["meta_attributes"];
    if (meta.empty()) {
      meta.push_back(
          {{"id", ""}, {"options", Json::object()}, {"rule", nullptr}, {"nvpairs", Json::array()}});
    }
    meta[0]["nvpairs"].push_back(promotable);
  }
  return dto;
}

Result<Json> group(pugi::xml_node g) {
  Json members = Json::array();
  for (pugi::xml_node p : g.children("primitive")) members.push_back(p.attribute("id").as_string());
  Json dto = {{"id", g.attribute("id").as_string()},
              {"description", optional(g, "description")},
              {"member_ids", std::move(members)}};
  Error error{""};
  if (!addSets(dto, "meta_attributes", g, "meta_attributes", error) ||
      !addSets(dto, "instance_attributes", g, "instance_attributes", error)) {
    return error;
  }
  return dto;
}

bool isStonith(pugi::xml_node p) {
  return std::string_view(agentOf(p).attribute("class").as_string()) == "stonith";
}

// The elements named `tag` anywhere under `root`, in document order (pcs's findall(".//tag")).
std::vector<pugi::xml_node> descendants(pugi::xml_node root, std::string_view tag) {
  std::vector<pugi::xml_node> found;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    if (tag == child.name()) found.push_back(child);
    auto below = descendants(child, tag);
    found.insert(found.end(), below.begin(), below.end());
  }
  return found;
}

// One kind of resource as pcs lists it: the DTOs in order, and each one's id.
struct Listed {
  std::vector<std::string> ids;
  std::vector<Json> dtos;
};

Status add(Listed& list, pugi::xml_node element, Result<Json> (*to_dto)(pugi::xml_node)) {
  auto dto = to_dto(element);
  if (!dto.ok()) return dto.error();
  list.ids.push_back(element.attribute("id").as_string());
  list.dtos.push_back(std::move(*dto));
  return {};
}

Json array(const Listed& list, const std::set<std::string>* keep) {
  Json out = Json::array();
  if (keep == nullptr) {
    for (const Json& dto : list.dtos) out.push_back(dto);
    return out;
  }
  // A filtered listing is sorted by id, as pcs's filter_resources sorts it.
  std::map<std::string, const Json*> by_id;
  for (std::size_t i = 0; i < list.ids.size(); ++i) {
    if (keep->contains(list.ids[i])) by_id.emplace(list.ids[i], &list.dtos[i]);
  }
  for (const auto& [id, dto] : by_id) out.push_back(*dto);
  return out;
}

}  // namespace

Result<std::string> resourcesConfigJson(const std::string& cib_xml, bool stonith,
                                        const std::vector<std::string>& ids,
                                        std::vector<std::string>& warnings) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  const pugi::xml_node resources = cib.configuration.child("resources");
  Listed primitives, clones, groups;
  // pcs resource config lists every primitive but top-level stonith devices (a stonith device
  // inside a group or clone stays, with its parent); pcs stonith config lists stonith primitives
  // only, wherever they are, and no clone or group.
  for (pugi::xml_node p : descendants(resources, "primitive")) {
    const bool nested = p.parent() != resources;
    if (stonith ? !isStonith(p) : (isStonith(p) && !nested)) continue;
    if (Status s = add(primitives, p, primitive); !s) return s.error();
  }
  if (!stonith) {
    for (const char* tag : {"clone", "master"}) {
      for (pugi::xml_node c : resources.children(tag)) {
        if (Status s = add(clones, c, clone); !s) return s.error();
      }
    }
    for (pugi::xml_node g : descendants(resources, "group")) {
      if (Status s = add(groups, g, group); !s) return s.error();
    }
  }
  std::set<std::string> keep;
  if (!ids.empty()) {
    // pcs's filter: each named resource with everything inside it; unknown ids warn, and
    // nothing found at all is an error.
    std::map<std::string, std::vector<std::string>> children;
    for (const Json& c : clones.dtos) children[c["id"]].push_back(c["member_id"]);
    for (const Json& g : groups.dtos) {
      for (const Json& m : g["member_ids"]) children[g["id"]].push_back(m);
    }
    auto listed = [&](const std::string& id) {
      for (const Listed* l : {&primitives, &clones, &groups}) {
        if (std::find(l->ids.begin(), l->ids.end(), id) != l->ids.end()) return true;
      }
      return false;
    };
    const std::string label = stonith ? "stonith device" : "resource";
    // pcs walks a Python set, so its warnings come in no fixed order; Pulse warns in the order
    // the ids were given, each unknown id once.
    std::set<std::string> warned;
    for (const std::string& id : ids) {
      if (!listed(id)) {
        if (warned.insert(id).second) {
          warnings.push_back("Unable to find " + label + " '" + id + "'");
        }
        continue;
      }
      std::vector<std::string> pending{id};
      while (!pending.empty()) {
        const std::string next = pending.back();
        pending.pop_back();
        if (!keep.insert(next).second) continue;
        for (const std::string& child : children[next]) pending.push_back(child);
      }
    }
    if (keep.empty()) return Error{"No " + label + " found"};
  }
  const std::set<std::string>* filter = ids.empty() ? nullptr : &keep;
  const Json dto = {{"primitives", array(primitives, filter)},
                    {"clones", array(clones, filter)},
                    {"groups", array(groups, filter)},
                    {"bundles", Json::array()}};
  return jsonText(dto) + "\n";
}

Result<std::string> stonithConfigJson(const std::string& cib_xml) {
  std::vector<std::string> warnings;
  return resourcesConfigJson(cib_xml, true, {}, warnings);
}

}  // namespace pulse::pcs
