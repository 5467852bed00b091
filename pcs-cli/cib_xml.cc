#include "cib_xml.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "policy-engine/cib_config.h"
#include "policy-engine/cib_model.h"

namespace pulse::pcs {

std::string KnownAgent::fullName() const {
  if (provider.empty()) return standard + ":" + type;
  return standard + ":" + provider + ":" + type;
}

namespace cibxml {
namespace {

// Pacemaker's order of configuration sections.
constexpr const char* kSectionOrder[] = {"crm_config",   "nodes",       "resources", "constraints",
                                         "rsc_defaults", "op_defaults", "tags"};

bool idIn(pugi::xml_node node, std::string_view id) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) == "status") continue;  // status ids are not config ids
    if (id == child.attribute("id").as_string()) return true;
    if (idIn(child, id)) return true;
  }
  return false;
}

bool idFirstChar(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool idRestChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool engineLacksFeature(const Error& refusal) {
  // The policy engine words every refusal of valid Pacemaker configuration it cannot schedule
  // yet (clones, resource sets, tickets, date expressions, ...) as "... not supported yet"
  // (policy-engine/src/unpack_config.cc); every other refusal is invalid input.
  return refusal.message.ends_with(" not supported yet");
}

Status load(const std::string& xml, Cib& out) {
  const pugi::xml_parse_result parsed = out.doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Error{"Unable to parse the CIB: " + std::string(parsed.description()) + " at offset " +
                 std::to_string(parsed.offset)};
  }
  out.cib = out.doc.child("cib");
  if (!out.cib) return Error{"Unable to parse the CIB: no <cib> element"};
  out.configuration = out.cib.child("configuration");
  if (!out.configuration) return Error{"Unable to get configuration section from the CIB"};
  return {};
}

Result<std::string> finish(const Cib& cib) {
  std::ostringstream text;
  cib.doc.save(text, "  ", pugi::format_indent | pugi::format_no_declaration);
  std::string xml = text.str();
  auto checked = pe::unpackCib(xml);
  if (!checked.ok() && !engineLacksFeature(checked.error())) {
    return Error{"the edited CIB is not valid: " + checked.error().message};
  }
  return xml;
}

pugi::xml_node section(Cib& cib, const char* name) {
  if (pugi::xml_node found = cib.configuration.child(name)) return found;
  // Insert before the first section that Pacemaker orders after this one.
  bool after = false;
  for (const char* s : kSectionOrder) {
    if (after) {
      if (pugi::xml_node next = cib.configuration.child(s)) {
        return cib.configuration.insert_child_before(name, next);
      }
    }
    if (std::string_view(s) == name) after = true;
  }
  return cib.configuration.append_child(name);
}

bool idExists(const Cib& cib, std::string_view id) { return idIn(cib.cib, id); }

std::string uniqueId(const Cib& cib, const std::string& candidate) {
  std::string id = candidate;
  for (int counter = 1; idExists(cib, id); ++counter) {
    id = candidate + "-" + std::to_string(counter);
  }
  return id;
}

std::string sanitizeId(std::string_view candidate) {
  std::string out;
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    const char c = candidate[i];
    if (i == 0 ? idFirstChar(c) : idRestChar(c)) out += c;
  }
  return out;
}

Status validateId(std::string_view id, std::string_view description) {
  const std::string desc(description);
  if (id.empty()) return Error{desc + " cannot be empty"};
  if (!idFirstChar(id[0])) {
    return Error{"invalid " + desc + " '" + std::string(id) + "', '" + std::string(1, id[0]) +
                 "' is not a valid first character for a " + desc};
  }
  for (const char c : id.substr(1)) {
    if (!idRestChar(c)) {
      return Error{"invalid " + desc + " '" + std::string(id) + "', '" + std::string(1, c) +
                   "' is not a valid character for a " + desc};
    }
  }
  return {};
}

pugi::xml_node findResource(const Cib& cib, std::string_view id) {
  pugi::xml_node resources = cib.configuration.child("resources");
  pugi::xml_node found;
  auto visit = [&](auto&& self, pugi::xml_node parent) -> void {
    for (pugi::xml_node child : parent.children()) {
      const std::string_view tag = child.name();
      if (tag != "primitive" && tag != "group" && tag != "clone" && tag != "master" &&
          tag != "bundle") {
        continue;
      }
      if (id == child.attribute("id").as_string()) {
        found = child;
        return;
      }
      self(self, child);
      if (found) return;
    }
  };
  visit(visit, resources);
  return found;
}

pugi::xml_node findPrimitive(const Cib& cib, std::string_view id) {
  return pe::cibconf::findPrimitive(cib.cib, id);
}

void updateNvSet(Cib& cib, pugi::xml_node owner, const char* set_tag, const NvPairs& pairs,
                 bool first) {
  pugi::xml_node set = owner.child(set_tag);
  for (const auto& [name, value] : pairs) {
    pugi::xml_node pair;
    for (pugi::xml_node p : set.children("nvpair")) {
      if (name == p.attribute("name").as_string()) pair = p;
    }
    if (value.empty()) {
      if (pair) set.remove_child(pair);
      continue;
    }
    if (!set) {
      const std::string set_id =
          uniqueId(cib, sanitizeId(std::string(owner.attribute("id").as_string()) + "-" + set_tag));
      // pcs appends a new set: create writes the sets before <operations>, a later update
      // or meta puts them after the operations (or a group's members).
      set = first ? owner.prepend_child(set_tag) : owner.append_child(set_tag);
      set.append_attribute("id") = set_id.c_str();
    }
    if (!pair) {
      const std::string pair_id =
          uniqueId(cib, sanitizeId(std::string(set.attribute("id").as_string()) + "-" + name));
      pair = set.append_child("nvpair");
      pair.append_attribute("id") = pair_id.c_str();
      pair.append_attribute("name") = name.c_str();
      pair.append_attribute("value");
    }
    pair.attribute("value") = value.c_str();
  }
}

std::string nvValue(pugi::xml_node owner, const char* set_tag, std::string_view name) {
  for (pugi::xml_node p : owner.child(set_tag).children("nvpair")) {
    if (name == p.attribute("name").as_string()) return p.attribute("value").as_string();
  }
  return "";
}

std::string formatList(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += "'" + item + "'";
  }
  return out;
}

bool isScore(std::string_view score) {
  if (score == "INFINITY" || score == "+INFINITY" || score == "-INFINITY") return true;
  if (!score.empty() && (score[0] == '+' || score[0] == '-')) score.remove_prefix(1);
  if (score.empty()) return false;
  return std::all_of(score.begin(), score.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace cibxml
}  // namespace pulse::pcs
