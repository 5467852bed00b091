#include "crmd/executor/agent_metadata.h"

#include <cctype>
#include <charconv>
#include <pugixml.hpp>

namespace pulse::crmd {

namespace {

std::string trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// "1", "true", "yes", "on" (any case): how Pacemaker reads OCF booleans.
bool isTrue(std::string_view v) {
  std::string lower;
  for (char c : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "1" || lower == "true" || lower == "yes" || lower == "on" || lower == "y";
}

// The English text of the first <tag> child (lang="en" or no lang), else the first one.
std::string englishChild(const pugi::xml_node& node, const char* tag) {
  pugi::xml_node pick;
  for (auto child : node.children(tag)) {
    const std::string_view lang = child.attribute("lang").as_string();
    if (lang.empty() || lang == "en") {
      pick = child;
      break;
    }
    if (!pick) pick = child;
  }
  return trim(pick.text().as_string());
}

Result<std::optional<std::chrono::milliseconds>> optionalDuration(const pugi::xml_node& node,
                                                                  const char* attr,
                                                                  const std::string& where) {
  const auto a = node.attribute(attr);
  if (!a) return std::optional<std::chrono::milliseconds>{};
  auto d = parseDuration(a.as_string());
  if (!d) return Error{where + ": " + attr + ": " + d.error().message};
  return std::optional<std::chrono::milliseconds>{*d};
}

}  // namespace

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const std::string t = trim(text);
  long long n = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end == t.data() || n < 0) {
    return Error{"'" + t.substr(0, 40) + "' is not a duration"};
  }
  if (n > 1'000'000'000) return Error{"'" + t.substr(0, 40) + "' is too long a duration"};
  const std::string unit = trim(std::string_view(end, t.data() + t.size() - end));
  long long ms;
  if (unit.empty() || unit == "s" || unit == "sec")
    ms = n * 1000;
  else if (unit == "ms" || unit == "msec")
    ms = n;
  else if (unit == "us" || unit == "usec")
    ms = n / 1000;
  else if (unit == "m" || unit == "min")
    ms = n * 60'000;
  else if (unit == "h" || unit == "hr")
    ms = n * 3'600'000;
  else
    return Error{"'" + t.substr(0, 40) + "' has an unknown unit '" + unit + "'"};
  return std::chrono::milliseconds(ms);
}

const AgentParameter* AgentMetadata::parameter(std::string_view param) const {
  for (const auto& p : parameters) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

const AgentActionSpec* AgentMetadata::action(std::string_view action_name,
                                             std::optional<std::string_view> role) const {
  for (const auto& a : actions) {
    if (a.name == action_name && (!role || (a.role && *a.role == *role))) return &a;
  }
  return nullptr;
}

Result<AgentMetadata> parseAgentMetadata(std::string_view xml) {
  pugi::xml_document doc;
  // No parse_doctype expansion concerns: pugixml never fetches external entities.
  const auto parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Error{std::string("agent meta-data is not XML: ") + parsed.description() +
                 " at offset " + std::to_string(parsed.offset)};
  }
  const auto root = doc.child("resource-agent");
  if (!root) return Error{"agent meta-data has no <resource-agent> root element"};

  AgentMetadata md;
  md.name = root.attribute("name").as_string();
  md.version = trim(root.child("version").text().as_string());
  md.shortdesc = englishChild(root, "shortdesc");
  md.longdesc = englishChild(root, "longdesc");
  int index = 0;
  for (auto p : root.child("parameters").children("parameter")) {
    ++index;
    AgentParameter param;
    param.name = p.attribute("name").as_string();
    if (param.name.empty()) {
      return Error{"agent " + md.name + ": <parameter> number " + std::to_string(index) +
                   " has no name"};
    }
    param.required = isTrue(p.attribute("required").as_string());
    param.unique = isTrue(p.attribute("unique").as_string());
    param.deprecated = isTrue(p.attribute("deprecated").as_string()) || p.child("deprecated");
    if (auto content = p.child("content")) {
      if (auto type = content.attribute("type")) param.type = type.as_string();
      if (auto def = content.attribute("default")) param.default_value = def.as_string();
    }
    param.shortdesc = englishChild(p, "shortdesc");
    md.parameters.push_back(std::move(param));
  }
  for (auto a : root.child("actions").children("action")) {
    AgentActionSpec action;
    action.name = a.attribute("name").as_string();
    const std::string where = "agent " + md.name + ": action " + action.name;
    if (action.name.empty()) return Error{"agent " + md.name + ": an <action> has no name"};
    auto timeout = optionalDuration(a, "timeout", where);
    if (!timeout) return timeout.error();
    auto interval = optionalDuration(a, "interval", where);
    if (!interval) return interval.error();
    action.timeout = *timeout;
    action.interval = *interval;
    if (auto role = a.attribute("role")) action.role = role.as_string();
    if (auto depth = a.attribute("depth")) action.depth = depth.as_string();
    md.actions.push_back(std::move(action));
  }
  return md;
}

}  // namespace pulse::crmd
