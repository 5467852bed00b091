// Resource operations: what `create` writes from the agent's actions, and `op add`.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

// pcs's OPERATION_ATTRIBUTES: what may follow `op ACTION`.
const std::vector<std::string> kOperationOptions = {
    "OCF_CHECK_LEVEL", "description",     "enabled", "id",
    "interval",        "interval-origin", "name",    "on-fail",
    "record-pending",  "requires",        "role",    "start-delay",
    "timeout"};

std::string defaultInterval(const std::string& action) {
  return action == "monitor" ? "60s" : "0s";
}

// Pacemaker's interval syntax reduced to seconds ("10s", "1min", "500ms" -> 0, "2h"); nullopt
// when unreadable, so odd values are compared as text.
std::optional<long> toSeconds(const std::string& text) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  const std::string unit(ptr, end);
  if (unit.empty() || unit == "s" || unit == "sec") return value;
  if (unit == "m" || unit == "min") return value * 60;
  if (unit == "h" || unit == "hr") return value * 3600;
  if (unit == "ms" || unit == "msec") return value / 1000;
  return std::nullopt;
}

// An agent's duration as pcs writes it into an op: "20s" for whole seconds (what the agents'
// meta-data says, and what `pcs resource create` copies), else "1500ms", so nothing is rounded.
std::string pcsDuration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string optionValue(const NvPairs& options, const std::string& name) {
  for (const auto& [k, v] : options) {
    if (k == name) return v;
  }
  return "";
}

struct PlannedOp {
  std::string action;
  NvPairs attributes;  // besides name and id
  std::string check_level;
};

Status appendOperation(Cib& cib, pugi::xml_node primitive, const PlannedOp& op) {
  pugi::xml_node ops = primitive.child("operations");
  if (!ops) ops = primitive.append_child("operations");
  std::string id = optionValue(op.attributes, "id");
  const std::string interval = optionValue(op.attributes, "interval");
  if (!id.empty()) {
    if (Status s = validateId(id, "operation id"); !s) return s;
    if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
  } else {
    id = uniqueId(cib, sanitizeId(std::string(primitive.attribute("id").as_string()) + "-" +
                                  op.action + "-interval-" + interval));
  }
  pugi::xml_node element = ops.append_child("op");
  element.append_attribute("id") = id.c_str();
  element.append_attribute("name") = op.action.c_str();
  for (const auto& [k, v] : op.attributes) {
    if (k != "id" && !v.empty()) element.append_attribute(k.c_str()) = v.c_str();
  }
  if (!op.check_level.empty())
    updateNvSet(cib, element, "instance_attributes", {{"OCF_CHECK_LEVEL", op.check_level}});
  return {};
}

PlannedOp planUserOp(const OperationSpec& spec) {
  PlannedOp op{spec.action, {}, ""};
  bool has_interval = false;
  for (const auto& [k, v] : spec.options) {
    if (k == "OCF_CHECK_LEVEL") {
      op.check_level = v;
      continue;
    }
    if (k == "interval") has_interval = true;
    op.attributes.emplace_back(k, v);
  }
  if (!has_interval)
    op.attributes.insert(op.attributes.begin(), {"interval", defaultInterval(spec.action)});
  return op;
}

}  // namespace

Status validateOperation(const OperationSpec& op, const KnownAgent* agent, bool force) {
  std::vector<std::string> unknown;
  for (const auto& [k, v] : op.options) {
    if (std::find(kOperationOptions.begin(), kOperationOptions.end(), k) ==
        kOperationOptions.end()) {
      unknown.push_back(k);
    }
  }
  if (!unknown.empty()) {
    return Error{std::string("invalid resource operation option") +
                 (unknown.size() == 1 ? " " : "s: ") + formatList(unknown) +
                 ", allowed options are: " + formatList(kOperationOptions)};
  }
  if (agent != nullptr && !force) {
    std::vector<std::string> names;
    for (const crmd::AgentActionSpec& a : agent->metadata.actions) names.push_back(a.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (std::find(names.begin(), names.end(), op.action) == names.end()) {
      return Error{"'" + op.action + "' is not a valid operation name value, use " +
                   formatList(names) + ", use --force to override"};
    }
  }
  for (const char* key : {"interval", "timeout"}) {
    const std::string value = optionValue(op.options, key);
    if (!value.empty() && !toSeconds(value)) {
      return Error{"'" + value + "' is not a valid " + key +
                   " value, use time interval (e.g. 1, 2s, 3m, 4h, ...)"};
    }
  }
  return {};
}

Status addOperations(Cib& cib, pugi::xml_node primitive, const std::vector<OperationSpec>& ops,
                     const KnownAgent* agent, bool with_defaults) {
  std::vector<PlannedOp> planned;
  // The same action twice at one interval would be one operation to Pacemaker.
  std::map<std::string, std::set<long>> used;
  for (const OperationSpec& spec : ops) {
    PlannedOp op = planUserOp(spec);
    const std::string interval = optionValue(op.attributes, "interval");
    const long seconds = toSeconds(interval).value_or(-1);
    if (!used[op.action].insert(seconds).second) {
      return Error{"multiple specification of the same operation with the same interval:\n" +
                   op.action + " with intervals " + interval};
    }
    planned.push_back(std::move(op));
  }
  // Existing operations count too (update, op add).
  for (pugi::xml_node o : primitive.child("operations").children("op")) {
    const std::string name = o.attribute("name").as_string();
    const long seconds = toSeconds(o.attribute("interval").as_string()).value_or(-1);
    for (const PlannedOp& op : planned) {
      if (op.action == name &&
          toSeconds(optionValue(op.attributes, "interval")).value_or(-2) == seconds) {
        return Error{"operation " + name + " with interval " +
                     optionValue(op.attributes, "interval") + " already specified for " +
                     primitive.attribute("id").as_string() + ":\n" + name +
                     " interval=" + o.attribute("interval").as_string() + " (" +
                     o.attribute("id").as_string() + ")"};
      }
    }
  }
  if (with_defaults) {
    for (const OperationSpec& spec : defaultOperations(agent)) {
      const bool named_by_user = std::any_of(
          ops.begin(), ops.end(), [&](const OperationSpec& s) { return s.action == spec.action; });
      if (!named_by_user) planned.push_back(planUserOp(spec));
    }
  }
  std::stable_sort(planned.begin(), planned.end(),
                   [](const PlannedOp& a, const PlannedOp& b) { return a.action < b.action; });
  for (const PlannedOp& op : planned) {
    if (Status s = appendOperation(cib, primitive, op); !s) return s;
  }
  return {};
}

}  // namespace pulse::pcs::cibxml

namespace pulse::pcs {

std::vector<OperationSpec> defaultOperations(const KnownAgent* agent) {
  std::vector<crmd::AgentActionSpec> actions;
  // A fence device's on/off/reboot are the fencer's to run, never operations: pcs gives a
  // stonith primitive only its monitor.
  if (agent != nullptr && agent->standard == "stonith")
    return {OperationSpec{"monitor", {{"interval", "60s"}}}};
  if (agent != nullptr) {
    for (const crmd::AgentActionSpec& a : agent->metadata.actions) {
      // One-shot actions and the deprecated alias of monitor are not for Pacemaker to run.
      if (a.name != "meta-data" && a.name != "status" && a.name != "validate-all") {
        actions.push_back(a);
      }
    }
  }
  // Pacemaker only notices failures of a resource it monitors: monitor is always added.
  if (std::none_of(actions.begin(), actions.end(),
                   [](const crmd::AgentActionSpec& a) { return a.name == "monitor"; })) {
    crmd::AgentActionSpec monitor;
    monitor.name = "monitor";
    actions.push_back(std::move(monitor));
  }
  std::vector<OperationSpec> out;
  std::map<std::string, std::set<long>> used;
  for (const crmd::AgentActionSpec& a : actions) {
    std::string interval =
        a.interval ? cibxml::pcsDuration(*a.interval) : cibxml::defaultInterval(a.name);
    // pcs keeps default intervals of one action distinct by adding seconds.
    if (auto seconds = cibxml::toSeconds(interval)) {
      long s = *seconds;
      if (used[a.name].count(s)) {
        while (used[a.name].count(s)) ++s;
        interval = std::to_string(s);
      }
      used[a.name].insert(s);
    }
    OperationSpec op{a.name, {{"interval", interval}}};
    if (a.timeout) op.options.emplace_back("timeout", cibxml::pcsDuration(*a.timeout));
    if (a.role) op.options.emplace_back("role", *a.role);
    if (a.depth && *a.depth != "0") op.options.emplace_back("OCF_CHECK_LEVEL", *a.depth);
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace pulse::pcs

namespace pulse::pcs::cibxml {

Status apply(Cib& cib, const ResourceOpAdd& edit, const EditContext& context) {
  pugi::xml_node primitive = findPrimitive(cib, edit.id);
  if (!primitive) return Error{"Unable to find resource: " + edit.id};
  const KnownAgent* agent = agentOf(context, primitive);
  // pcs 0.11's op add takes any action name; it checks only the options.
  if (Status s = validateOperation(edit.operation, nullptr, edit.force); !s) return s;
  // ... and refuses a second operation of one action, role and depth without --force.
  const std::string role = optionValue(edit.operation.options, "role");
  const std::string depth = optionValue(edit.operation.options, "OCF_CHECK_LEVEL");
  const auto interval = toSeconds(optionValue(edit.operation.options, "interval"));
  for (pugi::xml_node op : primitive.child("operations").children("op")) {
    // The same interval is addOperations()'s refusal, worded with the interval.
    if (edit.force || edit.operation.action != op.attribute("name").as_string() ||
        interval == toSeconds(op.attribute("interval").as_string()) ||
        role != op.attribute("role").as_string() ||
        depth != nvValue(op, "instance_attributes", "OCF_CHECK_LEVEL")) {
      continue;
    }
    std::string existing = edit.operation.action;
    for (pugi::xml_attribute a : op.attributes()) {
      const std::string_view n = a.name();
      if (n != "id" && n != "name") existing += " " + std::string(n) + "=" + a.value();
    }
    return Error{"operation " + edit.operation.action + " already specified for " + edit.id +
                 ", use --force to override:\n" + existing + " (" + op.attribute("id").as_string() +
                 ")"};
  }
  if (Status s = addOperations(cib, primitive, {edit.operation}, agent, false); !s) return s;
  // op add names an operation's depth set as pcs 0.11's older code does: params-OPID, with
  // the pair OPID-OCF_CHECK_LEVEL-DEPTH.
  pugi::xml_node op = primitive.child("operations").last_child();
  if (pugi::xml_node set = op.child("instance_attributes"); set && !depth.empty()) {
    const std::string op_id = op.attribute("id").as_string();
    set.attribute("id") = uniqueId(cib, "params-" + op_id).c_str();
    if (pugi::xml_node pair = set.find_child_by_attribute("nvpair", "name", "OCF_CHECK_LEVEL")) {
      pair.attribute("id") = uniqueId(cib, sanitizeId(op_id + "-OCF_CHECK_LEVEL-" + depth)).c_str();
    }
  }
  return {};
}

}  // namespace pulse::pcs::cibxml

namespace pulse::pcs::cibxml {

// pcs resource op delete|remove: by operation id, or every operation of RSC with ACTION whose
// options include all those given (pcs's "must specify the exact operation properties").
Status apply(Cib& cib, const OpDelete& edit, const EditContext&) {
  if (edit.action.empty()) {
    pugi::xpath_variable_set vars;
    vars.add("id", pugi::xpath_type_string)->set(edit.id.c_str());
    pugi::xml_node op =
        cib.configuration.child("resources").select_node(".//op[@id = $id]", &vars).node();
    if (!op) return Error{"unable to find operation id: " + edit.id};
    pugi::xml_node ops = op.parent();
    ops.remove_child(op);
    if (!ops.first_child()) ops.parent().remove_child(ops);
    return {};
  }
  pugi::xml_node primitive = findPrimitive(cib, edit.id);
  if (!primitive) return Error{"Unable to find resource: " + edit.id};
  pugi::xml_node ops = primitive.child("operations");
  bool removed = false;
  for (pugi::xml_node op = ops.child("op"); op;) {
    pugi::xml_node next = op.next_sibling("op");
    bool match = edit.action == op.attribute("name").as_string();
    for (const auto& [name, value] : edit.options) {
      if (value != op.attribute(name.c_str()).as_string()) match = false;
    }
    if (match) {
      ops.remove_child(op);
      removed = true;
    }
    op = next;
  }
  if (!removed) {
    std::string what = edit.action;
    for (const auto& [name, value] : edit.options) what += " " + name + "=" + value;
    return Error{"Unable to find operation matching: " + what};
  }
  if (!ops.first_child()) primitive.remove_child(ops);
  return {};
}

}  // namespace pulse::pcs::cibxml
