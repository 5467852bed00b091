// pcs resource config [NAME] and pcs stonith config [NAME]: pcs 0.11's text layout (primitives,
// then groups, then clones, each with its first attribute sets and its operations).
#include <algorithm>
#include <sstream>

#include "cib_edit.h"
#include "cib_xml.h"

namespace pulse::pcs {
namespace {

using Lines = std::vector<std::string>;

void indent(Lines& out, const Lines& lines) {
  for (const std::string& line : lines) out.push_back("  " + line);
}

// "Attributes: ID" then the pairs sorted by name, as pcs's nvset_dto_to_lines.
Lines nvset(pugi::xml_node owner, const char* tag, const char* label) {
  pugi::xml_node set = owner.child(tag);
  if (!set.child("nvpair")) return {};
  Lines out{std::string(label) + ": " + set.attribute("id").as_string()};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (pugi::xml_node p : set.children("nvpair")) {
    pairs.emplace_back(p.attribute("name").as_string(), p.attribute("value").as_string());
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [name, value] : pairs) out.push_back("  " + name + "=" + value);
  return out;
}

Lines operation(pugi::xml_node op) {
  Lines out{std::string(op.attribute("name").as_string()) + ": " + op.attribute("id").as_string()};
  std::string pairs;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    pairs += (pairs.empty() ? "" : " ") + std::string(name) + "=" + value;
  };
  add("interval", op.attribute("interval").as_string());
  if (op.attribute("start-delay")) {
    add("start-delay", op.attribute("start-delay").as_string());
  } else {
    add("interval-origin", op.attribute("interval-origin").as_string());
  }
  for (const char* name : {"timeout", "enabled", "record-pending", "role", "on-fail"}) {
    add(name, op.attribute(name).as_string());
  }
  for (pugi::xml_node p : op.child("instance_attributes").children("nvpair")) {
    if (std::string_view(p.attribute("name").as_string()) == "OCF_CHECK_LEVEL") {
      add("OCF_CHECK_LEVEL", p.attribute("value").as_string());
    }
  }
  if (!pairs.empty()) out.push_back("  " + pairs);
  return out;
}

Lines primitive(pugi::xml_node p) {
  std::string agent = std::string("class=") + p.attribute("class").as_string();
  if (p.attribute("provider"))
    agent += std::string(" provider=") + p.attribute("provider").as_string();
  agent += std::string(" type=") + p.attribute("type").as_string();
  Lines body;
  for (const Lines& part :
       {nvset(p, "instance_attributes", "Attributes"),
        nvset(p, "meta_attributes", "Meta Attributes"), nvset(p, "utilization", "Utilization")}) {
    body.insert(body.end(), part.begin(), part.end());
  }
  if (p.child("operations").child("op")) {
    body.push_back("Operations:");
    for (pugi::xml_node op : p.child("operations").children("op")) indent(body, operation(op));
  }
  Lines out{"Resource: " + std::string(p.attribute("id").as_string()) + " (" + agent + ")"};
  indent(out, body);
  return out;
}

Lines anyResource(pugi::xml_node r) {
  const std::string_view tag = r.name();
  if (tag == "primitive") return primitive(r);
  Lines body;
  for (const Lines& part : {nvset(r, "instance_attributes", "Attributes"),
                            nvset(r, "meta_attributes", "Meta Attributes")}) {
    body.insert(body.end(), part.begin(), part.end());
  }
  for (pugi::xml_node child : r.children()) {
    const std::string_view ct = child.name();
    if (ct == "primitive" || ct == "group") {
      const Lines member = anyResource(child);
      body.insert(body.end(), member.begin(), member.end());
    }
  }
  const char* label = tag == "group" ? "Group: " : tag == "bundle" ? "Bundle: " : "Clone: ";
  Lines out{label + std::string(r.attribute("id").as_string())};
  indent(out, body);
  return out;
}
}  // namespace

namespace {

bool isStonith(pugi::xml_node r) {
  return std::string_view(r.name()) == "primitive" &&
         std::string_view(r.attribute("class").as_string()) == "stonith";
}

// `pcs resource config` (stonith false) or `pcs stonith config` (stonith true).
Result<std::string> config(const std::string& cib_xml, const std::string& id, bool stonith) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  Lines lines;
  if (!id.empty()) {
    pugi::xml_node r = cibxml::findResource(cib, id);
    if (!r || isStonith(r) != stonith) return Error{"No resource found"};
    lines = anyResource(r);
  } else {
    // pcs prints primitives, then groups, then clones and bundles.
    pugi::xml_node resources = cib.configuration.child("resources");
    for (const char* tag : {"primitive", "group", "clone", "master", "bundle"}) {
      for (pugi::xml_node r : resources.children(tag)) {
        if (isStonith(r) != stonith) continue;
        const Lines part = anyResource(r);
        lines.insert(lines.end(), part.begin(), part.end());
      }
    }
  }
  std::ostringstream out;
  for (const std::string& line : lines) out << line << "\n";
  return out.str();
}

}  // namespace

Result<std::string> resourceConfig(const std::string& cib_xml, const std::string& id) {
  return config(cib_xml, id, false);
}

Result<std::string> stonithConfig(const std::string& cib_xml, const std::string& id) {
  auto text = config(cib_xml, id, true);
  if (!text.ok() || !id.empty()) return text;
  return *text + fencingLevelsSection(cib_xml);
}

}  // namespace pulse::pcs
