#include "policy-engine/fencing_topology.h"

#include <regex.h>

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>
#include <string_view>

namespace pulse::pe::cibconf {
namespace {

std::vector<std::string> splitDevices(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) out.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// regcomp/regexec as the fencer does (REG_EXTENDED | REG_NOSUB): a pattern that does not
// compile matches nothing.
bool patternMatches(const std::string& pattern, const std::string& node) {
  regex_t re;
  if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
  const bool match = ::regexec(&re, node.c_str(), 0, nullptr, 0) == 0;
  ::regfree(&re);
  return match;
}

// The fencer's node_has_attr(): an nvpair of the node's instance_attributes in <nodes>.
bool nodeHasAttribute(const pugi::xml_node& cib, const std::string& node, const std::string& name,
                      const std::string& value) {
  for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
    if (node != n.attribute("uname").value()) continue;
    for (pugi::xml_node set : n.children("instance_attributes"))
      for (pugi::xml_node nv : set.children("nvpair"))
        if (name == nv.attribute("name").value() && value == nv.attribute("value").value())
          return true;
  }
  return false;
}

// The key the fencer files a level under: levels with one key form one topology.
std::string topologyKey(const FencingLevel& level) {
  switch (level.kind) {
    case FencingTarget::kNode:
      return "node:" + level.target;
    case FencingTarget::kPattern:
      return "pattern:" + level.target;
    case FencingTarget::kAttribute:
      return "attribute:" + level.target + "=" + level.value;
  }
  return "";
}

}  // namespace

int fencingLevelIndex(const std::string& index) {
  int value = 0;
  const char* end = index.data() + index.size();
  auto [ptr, ec] = std::from_chars(index.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > kMaxFencingLevel) return 0;
  return value;
}

std::vector<FencingLevel> fencingLevels(const pugi::xml_node& cib) {
  std::vector<FencingLevel> out;
  for (pugi::xml_node el :
       cib.child("configuration").child("fencing-topology").children("fencing-level")) {
    FencingLevel level;
    level.id = el.attribute("id").value();
    level.index = el.attribute("index").value();
    level.devices = splitDevices(el.attribute("devices").value());
    if (!std::string_view(el.attribute("target").value()).empty()) {
      level.target = el.attribute("target").value();
    } else if (!std::string_view(el.attribute("target-pattern").value()).empty()) {
      level.kind = FencingTarget::kPattern;
      level.target = el.attribute("target-pattern").value();
    } else if (!std::string_view(el.attribute("target-attribute").value()).empty()) {
      level.kind = FencingTarget::kAttribute;
      level.target = el.attribute("target-attribute").value();
      level.value = el.attribute("target-value").value();
    } else {
      continue;
    }
    if (level.devices.empty()) continue;
    out.push_back(std::move(level));
  }
  return out;
}

std::vector<FencingLevel> fencingLevelsFor(const pugi::xml_node& cib, const std::string& node) {
  const std::vector<FencingLevel> all = fencingLevels(cib);
  std::string key;
  for (const FencingLevel& level : all) {
    if (level.kind == FencingTarget::kNode && level.target == node) key = topologyKey(level);
  }
  for (const FencingLevel& level : all) {
    if (!key.empty()) break;
    if ((level.kind == FencingTarget::kPattern && patternMatches(level.target, node)) ||
        (level.kind == FencingTarget::kAttribute &&
         nodeHasAttribute(cib, node, level.target, level.value)))
      key = topologyKey(level);
  }
  if (key.empty()) return {};
  std::vector<FencingLevel> out;
  for (const FencingLevel& level : all) {
    if (topologyKey(level) != key || fencingLevelIndex(level.index) == 0) continue;
    std::erase_if(out, [&](const FencingLevel& l) {
      return fencingLevelIndex(l.index) == fencingLevelIndex(level.index);
    });
    out.push_back(level);
  }
  std::stable_sort(out.begin(), out.end(), [](const FencingLevel& a, const FencingLevel& b) {
    return fencingLevelIndex(a.index) < fencingLevelIndex(b.index);
  });
  return out;
}

}  // namespace pulse::pe::cibconf
