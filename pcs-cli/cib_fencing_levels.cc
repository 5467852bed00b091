// `pcs stonith level ...`: the CIB's <fencing-topology> as pcs 0.11.5 edits and shows it
// (pcs/stonith.py, pcs/lib/cib/fencing_topology.py): its words, ids (fl-TARGET-LEVEL), errors and
// listing. The fencer's reading of the same levels is policy-engine/fencing_topology.h.
//
// Invariants: a level is matched as pcs's XPath does it: index and devices compared as written
// (devices="a,b" is not "b,a"); <fencing-topology> is never removed by level commands, even
// empty (pcs keeps it for ACLs that allow writing levels only), but `stonith delete` drops it
// once its last level went.
#include <algorithm>
#include <sstream>

#include "cib_commands.h"
#include "policy-engine/fencing_topology.h"

namespace pulse::pcs {
namespace {

using Target = LevelTarget;

Error usage(const std::string& command) {
  return Error{"invalid usage of 'pcs " + command + "', see pcs " + command + " --help"};
}

constexpr const char* kRemoveDeprecated =
    "Deprecation Warning: Syntax 'pcs stonith level delete | remove <level> [<target>] "
    "[<stonith id>...]' is deprecated and will be removed. Please use 'pcs stonith level "
    "delete | remove <level> [target <target>] [stonith <stonith id>...]'.";
constexpr const char* kClearDeprecated =
    "Deprecation Warning: Syntax 'pcs stonith level clear [<target> | <stonith id(s)>] is "
    "deprecated and will be removed. Please use 'pcs stonith level clear [target <target>] | "
    "[stonith <stonith id>...]'.";
constexpr const char* kCommaDeprecated =
    "Deprecation Warning: Delimiting stonith devices with ',' is deprecated and will be removed. "
    "Please use a space to delimit stonith devices.";

// pcs's parse_typed_arg with the types attrib, node, regexp (node when none is given).
Result<Target> parseTarget(const std::string& arg) {
  Target t;
  const std::size_t percent = arg.find('%');
  std::string type = percent == std::string::npos ? "" : arg.substr(0, percent);
  t.value = percent == std::string::npos ? arg : arg.substr(percent + 1);
  if (type.empty() || type == "node") return t;
  if (type == "regexp") {
    t.kind = Target::Kind::kPattern;
    return t;
  }
  if (type != "attrib") {
    return Error{"'" + type + "' is not an allowed type for '" + arg +
                 "', use attrib, node, regexp"};
  }
  t.kind = Target::Kind::kAttribute;
  const std::size_t eq = t.value.find('=');
  if (eq == std::string::npos) return Error{"missing value of '" + t.value + "' option"};
  if (eq == 0) return Error{"missing key in '" + t.value + "' option"};
  t.attr_value = t.value.substr(eq + 1);
  t.value = t.value.substr(0, eq);
  return t;
}

// Devices given as words, each possibly "a,b" (deprecated): pcs joins and splits on commas.
std::vector<std::string> splitDevices(const std::vector<std::string>& words,
                                      std::vector<std::string>& warnings) {
  std::string joined;
  bool comma = false;
  for (const std::string& w : words) {
    comma = comma || w.find(',') != std::string::npos;
    joined += (joined.empty() ? "" : ",") + w;
  }
  if (comma) warnings.push_back(kCommaDeprecated);
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = joined.find(',', start);
    out.push_back(joined.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

// pcs's _stonith_level_parse_target_and_stonith: `target T` and/or `stonith S...`.
Status parseKeywords(const std::vector<std::string>& words, FencingLevelRemove& e) {
  std::vector<std::string> targets, devices;
  bool saw_target = false, saw_stonith = false;
  std::vector<std::string>* into = nullptr;
  for (const std::string& w : words) {
    if (w == "target" || w == "stonith") {
      into = w == "target" ? &targets : &devices;
      (w == "target" ? saw_target : saw_stonith) = true;
    } else if (into != nullptr) {
      into->push_back(w);
    }
  }
  if (targets.size() > 1) return Error{"At most one target can be specified"};
  const bool no_target = saw_target && targets.empty();
  const bool no_stonith = saw_stonith && devices.empty();
  if (no_target && no_stonith) return Error{"Missing value after 'target' and 'stonith'"};
  if (no_target) return Error{"Missing value after 'target'"};
  if (no_stonith) return Error{"Missing value after 'stonith'"};
  if (!targets.empty()) {
    auto t = parseTarget(targets.front());
    if (!t.ok()) return t.error();
    e.target = *t;
  }
  if (!devices.empty()) e.devices = devices;
  return {};
}

std::string targetText(const Target& t) {
  return t.kind == Target::Kind::kAttribute ? t.value + "=" + t.attr_value : t.value;
}

std::string joinDevices(const std::vector<std::string>& devices) {
  std::string out;
  for (const std::string& d : devices) out += (out.empty() ? "" : ",") + d;
  return out;
}

bool targetIs(pugi::xml_node level, const Target& t) {
  switch (t.kind) {
    case Target::Kind::kNode:
      return t.value == level.attribute("target").as_string();
    case Target::Kind::kPattern:
      return t.value == level.attribute("target-pattern").as_string();
    case Target::Kind::kAttribute:
      return t.value == level.attribute("target-attribute").as_string() &&
             t.attr_value == level.attribute("target-value").as_string();
  }
  return false;
}

// pcs's _find_level_elements: every given criterion must hold ("" / nullopt: any).
std::vector<pugi::xml_node> findLevels(pugi::xml_node topology, const std::string& level,
                                       const std::optional<Target>& target,
                                       const std::optional<std::vector<std::string>>& devices) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node el : topology.children("fencing-level")) {
    if (!level.empty() && level != el.attribute("index").as_string()) continue;
    if (target && !target->value.empty() && !targetIs(el, *target)) continue;
    if (devices && !devices->empty() &&
        joinDevices(*devices) != el.attribute("devices").as_string())
      continue;
    out.push_back(el);
  }
  return out;
}

// CibFencingLevelDoesNotExist's text.
std::string doesNotExist(const std::string& level, const std::optional<Target>& target,
                         const std::optional<std::vector<std::string>>& devices) {
  std::string text = "Fencing level ";
  if (target && !target->value.empty()) text += "for '" + targetText(*target) + "' ";
  if (!level.empty()) text += "at level '" + level + "' ";
  if (devices && !devices->empty()) text += "with device(s) " + cibxml::formatList(*devices) + " ";
  return text + "does not exist";
}

bool isStonithDevice(const cibxml::Cib& cib, const std::string& id) {
  pugi::xml_node p = cibxml::findPrimitive(cib, id);
  return p && std::string_view(p.attribute("class").as_string()) == "stonith";
}

bool nodeExists(const cibxml::Cib& cib, const std::string& node) {
  return bool(
      cib.configuration.child("nodes").find_child_by_attribute("node", "uname", node.c_str()));
}

pugi::xml_node topologyOf(cibxml::Cib& cib) {
  if (pugi::xml_node t = cib.configuration.child("fencing-topology")) return t;
  return cib.configuration.append_child("fencing-topology");  // pcs appends a missing section
}

void addError(std::string& errors, const std::string& error) {
  errors += (errors.empty() ? "" : "\nError: ") + error;
}

// pcs's remove_levels_by_params: the errors, or the levels removed ("" on success).
std::string removeLevels(pugi::xml_node topology, const std::string& level,
                         const std::optional<Target>& target,
                         const std::optional<std::vector<std::string>>& devices,
                         bool ignore_if_missing, bool validate_ids) {
  std::string errors;
  if (validate_ids && devices) {
    for (const std::string& d : *devices)
      if (Status s = cibxml::validateId(d, "stonith id"); !s) addError(errors, s.error().message);
  }
  const std::vector<pugi::xml_node> found = findLevels(topology, level, target, devices);
  if (found.empty() && !ignore_if_missing) addError(errors, doesNotExist(level, target, devices));
  if (!errors.empty()) return errors;
  for (pugi::xml_node el : found) topology.remove_child(el);
  return "";
}

}  // namespace

Result<Edit> parseFencingLevel(const std::vector<std::string>& a, bool force) {
  const std::string sub = a.empty() ? "" : a[0];
  if (sub == "add") {
    if (a.size() < 4) return usage("stonith level add");
    FencingLevelAdd e;
    e.level = a[1];
    auto target = parseTarget(a[2]);
    if (!target.ok()) return target.error();
    e.target = *target;
    e.devices = splitDevices({a.begin() + 3, a.end()}, e.warnings);
    e.force = force;
    return Edit{e};
  }
  if (sub == "delete" || sub == "remove") {
    if (a.size() < 2) return usage("stonith level " + sub);
    FencingLevelRemove e;
    e.level = a[1];
    if (a.size() > 2 && (a[2] == "target" || a[2] == "stonith")) {
      if (Status s = parseKeywords({a.begin() + 2, a.end()}, e); !s) return s.error();
      return Edit{e};
    }
    e.legacy = true;
    if (a.size() > 2) {
      e.warnings.push_back(kRemoveDeprecated);
      if (a[2].find('%') == std::string::npos && a[2].find(',') != std::string::npos)
        e.warnings.push_back(kCommaDeprecated);
      auto target = parseTarget(a[2]);
      if (!target.ok()) return target.error();
      e.target = *target;
    }
    if (a.size() > 3) e.devices = splitDevices({a.begin() + 3, a.end()}, e.warnings);
    return Edit{e};
  }
  if (sub == "clear") {
    FencingLevelRemove e;
    e.clear = true;
    if (a.size() == 1) return Edit{e};
    if (a.size() > 2 || a[1] == "target" || a[1] == "stonith") {
      if (Status s = parseKeywords({a.begin() + 1, a.end()}, e); !s) return s.error();
      if (e.devices && e.target) return Error{"Only one of 'target' and 'stonith' can be used"};
      return Edit{e};
    }
    e.legacy = true;
    e.warnings.push_back(kClearDeprecated);
    auto target = parseTarget(a[1]);
    if (!target.ok()) return target.error();
    e.target = *target;
    return Edit{e};
  }
  return usage("stonith level" + (sub.empty() ? "" : " " + sub));
}

std::vector<std::string> editWarnings(const Edit& edit) {
  if (const auto* add = std::get_if<FencingLevelAdd>(&edit)) return add->warnings;
  if (const auto* remove = std::get_if<FencingLevelRemove>(&edit)) return remove->warnings;
  return {};
}

namespace cibxml {

Status apply(Cib& cib, const FencingLevelAdd& edit, const EditContext&) {
  std::string errors;
  long long level = 0;
  try {
    std::size_t used = 0;
    level = std::stoll(edit.level, &used);
    if (used != edit.level.size()) level = 0;
  } catch (const std::exception&) {
    level = 0;
  }
  if (level <= 0) {
    addError(errors, "'" + edit.level + "' is not a valid level value, use a positive integer");
  }
  if (edit.target.kind == Target::Kind::kNode && !edit.force && !nodeExists(cib, edit.target.value))
    addError(errors, "Node '" + edit.target.value +
                         "' does not appear to exist in configuration, use --force to override");
  std::vector<std::string> missing;
  for (const std::string& d : edit.devices) {
    if (Status s = validateId(d, "device id"); !s) {
      addError(errors, s.error().message);
    } else if (!isStonithDevice(cib, d)) {
      missing.push_back(d);
    }
  }
  if (!missing.empty() && !edit.force)
    addError(errors, "Stonith resource(s) " + formatList(missing) +
                         " do not exist, use --force to override");
  if (!errors.empty()) return Error{errors};
  pugi::xml_node topology = topologyOf(cib);
  if (!findLevels(topology, edit.level, edit.target, edit.devices).empty()) {
    return Error{"Fencing level for '" + targetText(edit.target) + "' at level '" + edit.level +
                 "' with device(s) " + formatList(edit.devices) + " already exists"};
  }
  pugi::xml_node el = topology.append_child("fencing-level");
  el.append_attribute("index") = std::to_string(level).c_str();
  el.append_attribute("devices") = joinDevices(edit.devices).c_str();
  switch (edit.target.kind) {
    case Target::Kind::kNode:
      el.append_attribute("target") = edit.target.value.c_str();
      break;
    case Target::Kind::kPattern:
      el.append_attribute("target-pattern") = edit.target.value.c_str();
      break;
    case Target::Kind::kAttribute:
      el.append_attribute("target-attribute") = edit.target.value.c_str();
      el.append_attribute("target-value") = edit.target.attr_value.c_str();
      break;
  }
  const std::string id =
      uniqueId(cib, sanitizeId("fl-" + edit.target.value + "-" + std::to_string(level)));
  el.append_attribute("id") = id.c_str();
  return {};
}

Status apply(Cib& cib, const FencingLevelRemove& edit, const EditContext&) {
  pugi::xml_node topology = topologyOf(cib);
  if (edit.clear && !edit.target && !edit.devices) {
    while (pugi::xml_node el = topology.child("fencing-level")) topology.remove_child(el);
    return {};
  }
  if (edit.clear && edit.legacy) {
    // The word is a target, and (for a node) also a comma-separated device list; what is
    // missing is no error (pcs before its library reported nothing either).
    (void)removeLevels(topology, "", edit.target, std::nullopt, true, true);
    if (edit.target->kind != Target::Kind::kNode) return {};
    std::vector<std::string> warnings;
    const std::string errors = removeLevels(
        topology, "", std::nullopt, splitDevices({edit.target->value}, warnings), true, true);
    if (!errors.empty()) return Error{errors};
    return {};
  }
  const std::string level = edit.clear ? "" : edit.level;
  const std::string first =
      removeLevels(topology, level, edit.target, edit.devices, false, !edit.legacy);
  if (first.empty()) return {};
  if (!edit.legacy || !edit.target || edit.target->kind != Target::Kind::kNode) {
    return Error{first};
  }
  // The old syntax cannot tell `LEVEL DEVICE...` from `LEVEL NODE DEVICE...`: pcs tries the
  // first word as a device too.
  std::vector<std::string> devices{edit.target->value};
  if (edit.devices) devices.insert(devices.end(), edit.devices->begin(), edit.devices->end());
  const std::string second = removeLevels(topology, level, std::nullopt, devices, false, false);
  if (second.empty()) return {};
  return Error{first + "\nError: " + second};
}

void removeDeviceFromLevels(Cib& cib, const std::string& device) {
  pugi::xml_node topology = cib.configuration.child("fencing-topology");
  if (!topology) return;
  for (pugi::xml_node el = topology.child("fencing-level"); el;) {
    pugi::xml_node next = el.next_sibling("fencing-level");
    std::string list = el.attribute("devices").as_string();
    std::string kept;
    bool named = false;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      const std::string d = list.substr(start, comma - start);
      if (d == device) {
        named = true;
      } else {
        kept += (kept.empty() ? "" : ",") + d;
      }
      start = comma + 1;
    }
    if (named && kept.empty()) {
      topology.remove_child(el);
    } else if (named) {
      el.attribute("devices") = kept.c_str();
    }
    el = next;
  }
  if (!topology.child("fencing-level")) cib.configuration.remove_child(topology);
}

std::string fencingLevelAddReport(const FencingLevelAdd& edit, const std::string& before) {
  Cib cib;
  if (!load(before, cib)) return "";
  std::string out;
  bool resource = false;
  std::vector<std::string> missing;
  for (const std::string& d : edit.devices) {
    if (!validateId(d, "device id") || isStonithDevice(cib, d)) continue;
    missing.push_back(d);
    resource = resource || findResource(cib, d);
  }
  if (resource) {
    out +=
        "Deprecation Warning: Ability of this command to accept resources is deprecated and "
        "will be removed in a future release.\n";
  }
  if (edit.target.kind == Target::Kind::kNode && !nodeExists(cib, edit.target.value))
    out += "Warning: Node '" + edit.target.value + "' does not appear to exist in configuration\n";
  if (!missing.empty())
    out += "Warning: Stonith resource(s) " + formatList(missing) + " do not exist\n";
  return out;
}

}  // namespace cibxml

Result<std::string> stonithLevelConfig(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  using pe::cibconf::FencingLevel;
  using pe::cibconf::FencingTarget;
  const std::vector<FencingLevel> levels = pe::cibconf::fencingLevels(cib.cib);
  std::ostringstream out;
  // pcs groups by target kind (node, pattern, attribute), sorts the targets, and sorts each
  // target's levels by index as text (so "10" comes before "2").
  for (FencingTarget kind :
       {FencingTarget::kNode, FencingTarget::kPattern, FencingTarget::kAttribute}) {
    std::vector<std::pair<std::string, std::string>> targets;
    for (const FencingLevel& l : levels)
      if (l.kind == kind) targets.emplace_back(l.target, l.value);
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (const auto& [target, value] : targets) {
      out << "Target" << (kind == FencingTarget::kPattern ? " (regexp)" : "") << ": "
          << (kind == FencingTarget::kAttribute ? target + "=" + value : target) << "\n";
      std::vector<const FencingLevel*> mine;
      for (const FencingLevel& l : levels)
        if (l.kind == kind && l.target == target && l.value == value) mine.push_back(&l);
      std::stable_sort(mine.begin(), mine.end(), [](const FencingLevel* x, const FencingLevel* y) {
        return x->index < y->index;
      });
      for (const FencingLevel* l : mine)
        out << "  Level " << l->index << " - " << joinDevices(l->devices) << "\n";
    }
  }
  return out.str();
}

std::string fencingLevelsSection(const std::string& cib_xml) {
  auto levels = stonithLevelConfig(cib_xml);
  if (!levels.ok() || levels->empty()) return "";
  std::string out = "\nFencing Levels:\n";
  std::istringstream lines(*levels);
  for (std::string line; std::getline(lines, line);) out += " " + line + "\n";
  return out;
}

Result<std::string> stonithLevelVerify(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  std::vector<std::string> devices, nodes;
  for (pugi::xml_node el : cib.configuration.child("fencing-topology").children("fencing-level")) {
    std::vector<std::string> warnings;
    for (const std::string& d : splitDevices({el.attribute("devices").as_string()}, warnings))
      devices.push_back(d);
    if (el.attribute("target")) nodes.push_back(el.attribute("target").as_string());
  }
  for (auto* list : {&devices, &nodes}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  std::string errors;
  std::vector<std::string> missing;
  for (const std::string& d : devices) {
    if (Status s = cibxml::validateId(d, "device id"); !s) {
      addError(errors, s.error().message);
    } else if (!isStonithDevice(cib, d)) {
      missing.push_back(d);
    }
  }
  if (!missing.empty())
    addError(errors, "Stonith resource(s) " + cibxml::formatList(missing) + " do not exist");
  for (const std::string& n : nodes) {
    if (!nodeExists(cib, n))
      addError(errors, "Node '" + n + "' does not appear to exist in configuration");
  }
  if (!errors.empty()) return Error{errors};
  return std::string();
}

}  // namespace pulse::pcs
