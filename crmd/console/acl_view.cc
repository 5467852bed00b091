#include "crmd/console/acl_view.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>

namespace pulse::crmd::console {
namespace {

using Json = nlohmann::json;

bool isResourceTag(std::string_view tag) {
  return tag == "primitive" || tag == "group" || tag == "clone" || tag == "master" ||
         tag == "bundle";
}

// The resource ids under /cib/configuration/resources; `parsed` says whether `cib` parsed.
std::set<std::string> resourceIds(std::string_view cib, bool& parsed) {
  std::set<std::string> out;
  pugi::xml_document doc;
  parsed = doc.load_buffer(cib.data(), cib.size(), pugi::parse_default);
  if (!parsed) return out;
  const pugi::xml_node resources = doc.child("cib").child("configuration").child("resources");
  // Depth first over the section; nesting (a group in a clone) is shallow, so a stack of
  // children suffices.
  std::vector<pugi::xml_node> todo(resources.children().begin(), resources.children().end());
  while (!todo.empty()) {
    const pugi::xml_node node = todo.back();
    todo.pop_back();
    if (!isResourceTag(node.name())) continue;
    if (const char* id = node.attribute("id").value(); *id != '\0') out.insert(id);
    for (pugi::xml_node child : node.children()) todo.push_back(child);
  }
  return out;
}

bool idChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

}  // namespace

std::vector<std::string> hiddenResources(std::string_view full_cib, std::string_view filtered_cib) {
  bool full_parsed = false, filtered_parsed = false;
  const std::set<std::string> all = resourceIds(full_cib, full_parsed);
  const std::set<std::string> shown = resourceIds(filtered_cib, filtered_parsed);
  std::vector<std::string> out;
  for (const std::string& id : all) {
    if (!filtered_parsed || !shown.contains(id)) out.push_back(id);
  }
  return out;
}

bool namesAny(std::string_view text, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    for (std::size_t at = text.find(id); at != std::string_view::npos; at = text.find(id, at + 1)) {
      const std::size_t end = at + id.size();
      const bool starts = at == 0 || !idChar(text[at - 1]);
      const bool ends = end == text.size() || !idChar(text[end]);
      if (starts && ends) return true;
    }
  }
  return false;
}

std::string withoutHidden(std::string_view transitions_json,
                          const std::vector<std::string>& hidden) {
  if (hidden.empty()) return std::string(transitions_json);
  Json doc = Json::parse(transitions_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc["transitions"].is_array()) {
    return R"({"transitions": []})";
  }
  auto text = [](const Json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                  : std::string();
  };
  for (Json& t : doc["transitions"]) {
    if (!t.is_object()) continue;
    if (namesAny(text(t, "error"), hidden)) t["error"] = "(names a resource hidden from you)";
    if (t.contains("summary") && t["summary"].is_array()) {
      Json kept = Json::array();
      for (const Json& line : t["summary"]) {
        if (!line.is_string() || !namesAny(line.get<std::string>(), hidden)) kept.push_back(line);
      }
      t["summary"] = std::move(kept);
    }
    std::set<Json> dropped;  // action ids
    if (t.contains("actions") && t["actions"].is_array()) {
      Json kept = Json::array();
      for (const Json& a : t["actions"]) {
        if (namesAny(text(a, "resource"), hidden)) {
          if (a.is_object() && a.contains("id")) dropped.insert(a["id"]);
        } else {
          kept.push_back(a);
        }
      }
      t["actions"] = std::move(kept);
    }
    if (t.contains("orderings") && t["orderings"].is_array()) {
      Json kept = Json::array();
      for (const Json& o : t["orderings"]) {
        const bool touches = o.is_array() && std::any_of(o.begin(), o.end(), [&](const Json& id) {
                               return dropped.contains(id);
                             });
        if (!touches) kept.push_back(o);
      }
      t["orderings"] = std::move(kept);
    }
  }
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace pulse::crmd::console
