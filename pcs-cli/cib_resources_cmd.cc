// pcs resource config / pcs stonith config --output-format=cmd: the pcs commands that create
// the resources again, as pcs 0.11 prints them (pcs/cli/resource/output.py resources_to_cmd).
// pcs builds them from its ListCibResourcesDto, and so does Pulse: from the same DTO its
// --output-format=json prints (cib_resources_json.cc), so the two outputs agree by
// construction. pcs takes only each resource's first attribute set and ignores any rule in
// it; the rules are taken out before the DTO is built (the JSON refuses them). Bundles, which
// Pulse does not model, are refused.
#include <algorithm>
#include <cctype>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include "cib_edit.h"
#include "cib_xml.h"
#include "json.h"

namespace pulse::pcs {
namespace {

// Python's shlex.quote.
std::string quote(const std::string& word) {
  if (word.empty()) return "''";
  const bool safe = std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("_@%+=:,./-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (safe) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& w : list) out += (out.empty() ? "" : " ") + quote(w);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string pairs(const Pairs& list) {
  std::vector<std::string> joined;
  for (const auto& [name, value] : list) joined.push_back(name + "=" + value);
  return words(joined);
}

std::string text(const Json& value) { return value.is_null() ? "" : value.get<std::string>(); }

// The first nvset's pairs as one line ("" when it has none), after `label` when given.
std::vector<std::string> nvsetLine(const char* label, const Json& sets) {
  if (sets.empty() || sets[0]["nvpairs"].empty()) return {};
  Pairs list;
  for (const Json& p : sets[0]["nvpairs"]) list.emplace_back(text(p["name"]), text(p["value"]));
  const std::string line = pairs(list);
  return {label == nullptr ? line : std::string(label) + " " + line};
}

std::vector<std::string> operationLines(const Json& operations) {
  if (operations.empty()) return {};
  std::vector<std::string> lines{"op"};
  for (const Json& op : operations) {
    Pairs list{{"interval", text(op["interval"])}};
    if (!text(op["id"]).empty()) list.emplace_back("id", text(op["id"]));
    if (!text(op["start_delay"]).empty()) {
      list.emplace_back("start-delay", text(op["start_delay"]));
    } else if (!text(op["interval_origin"]).empty()) {
      list.emplace_back("interval-origin", text(op["interval_origin"]));
    }
    if (!text(op["timeout"]).empty()) list.emplace_back("timeout", text(op["timeout"]));
    if (!op["enabled"].is_null())
      list.emplace_back("enabled", op["enabled"].get<bool>() ? "1" : "0");
    if (!op["record_pending"].is_null())
      list.emplace_back("record-pending", op["record_pending"].get<bool>() ? "1" : "0");
    if (!text(op["role"]).empty()) list.emplace_back("role", text(op["role"]));
    if (!text(op["on_fail"]).empty()) list.emplace_back("on-fail", text(op["on_fail"]));
    std::string level;
    for (const Json& set : op["instance_attributes"]) {
      for (const Json& p : set["nvpairs"]) {
        if (level.empty() && p["name"] == "OCF_CHECK_LEVEL") level = text(p["value"]);
      }
    }
    if (!level.empty()) list.emplace_back("OCF_CHECK_LEVEL", level);
    lines.push_back("  " + text(op["name"]) + " " + pairs(list));
  }
  return lines;
}

using Command = std::vector<std::string>;  // the first line, then the indented ones

Command command(std::string first, const std::vector<std::string>& options) {
  Command c{std::move(first)};
  for (const std::string& o : options) c.push_back(o.empty() ? o : "  " + o);
  return c;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& lines) {
  to.insert(to.end(), lines.begin(), lines.end());
}

void primitiveCommands(const Json& p, std::vector<Command>& out) {
  const Json& agent = p["agent_name"];
  const bool stonith = agent["standard"] == "stonith";
  std::string name = text(agent["type"]);
  if (!stonith) {
    name = text(agent["standard"]);
    if (!text(agent["provider"]).empty()) name += ":" + text(agent["provider"]);
    if (!text(agent["type"]).empty()) name += ":" + text(agent["type"]);
  }
  std::vector<std::string> options = nvsetLine(nullptr, p["instance_attributes"]);
  append(options, operationLines(p["operations"]));
  append(options, nvsetLine("meta", p["meta_attributes"]));
  out.push_back(command(words({"pcs", stonith ? "stonith" : "resource", "create",
                               "--no-default-ops", "--force", "--", text(p["id"]), name}),
                        options));
  if (auto utilization = nvsetLine(nullptr, p["utilization"]); !utilization.empty())
    out.push_back(command(words({"pcs", "resource", "utilization", text(p["id"])}), utilization));
}

// The CIB without the rules of the resources' attribute sets.
Result<std::string> withoutRules(const std::string& cib_xml, std::string& bundle) {
  pugi::xml_document doc;
  if (!doc.load_buffer(cib_xml.data(), cib_xml.size())) return Error{"Unable to parse the CIB"};
  pugi::xml_node resources = doc.child("cib").child("configuration").child("resources");
  std::vector<pugi::xml_node> rules;
  std::vector<pugi::xml_node> pending{resources};
  while (!pending.empty()) {
    pugi::xml_node n = pending.back();
    pending.pop_back();
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      const std::string_view tag = c.name();
      if (tag == "bundle" && bundle.empty()) bundle = c.attribute("id").as_string();
      if (tag == "rule" && n != resources) {
        const std::string_view owner = n.name();
        if (owner == "meta_attributes" || owner == "instance_attributes" ||
            owner == "utilization") {
          rules.push_back(c);
          continue;
        }
      }
      pending.push_back(c);
    }
  }
  for (pugi::xml_node r : rules) r.parent().remove_child(r);
  std::ostringstream text;
  doc.save(text, "", pugi::format_raw);
  return text.str();
}

}  // namespace

Result<std::string> resourcesConfigCmd(const std::string& cib_xml, bool stonith,
                                       const std::vector<std::string>& ids,
                                       std::vector<std::string>& warnings) {
  std::string bundle;
  auto plain = withoutRules(cib_xml, bundle);
  if (!plain.ok()) return plain.error();
  if (!bundle.empty() && !stonith) {
    return Error{"Output format 'cmd' does not show bundles yet ('" + bundle +
                 "' is one); use --output-format=text"};
  }
  auto json = resourcesConfigJson(*plain, stonith, ids, warnings);
  if (!json.ok()) return json.error();
  const Json dto = Json::parse(*json);
  std::vector<Command> commands;
  for (const Json& p : dto["primitives"]) primitiveCommands(p, commands);
  for (const Json& g : dto["groups"]) {
    std::vector<std::string> members;
    for (const Json& m : g["member_ids"]) members.push_back(text(m));
    commands.push_back(
        command(words({"pcs", "resource", "group", "add", text(g["id"])}), {words(members)}));
    if (auto meta = nvsetLine(nullptr, g["meta_attributes"]); !meta.empty())
      commands.push_back(command(words({"pcs", "resource", "meta", text(g["id"])}), meta));
  }
  for (const Json& c : dto["clones"]) {
    commands.push_back(
        command(words({"pcs", "resource", "clone", text(c["member_id"]), text(c["id"])}),
                nvsetLine("meta", c["meta_attributes"])));
  }
  std::string out;
  for (const Command& c : commands) {
    std::string joined;
    for (const std::string& line : c) joined += (joined.empty() ? "" : " \\\n") + line;
    out += (out.empty() ? "" : ";\n") + joined;
  }
  return out.empty() ? out : out + "\n";
}

}  // namespace pulse::pcs
