// pcs constraint order|colocation|ticket set, ticket add, ticket delete: constraints over
// resource sets, and tickets, with pcs 0.11's ids and checks.
#include <algorithm>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

struct Allowed {
  const char* name;
  std::vector<const char*> values;  // empty: any value (checked elsewhere)
};

const std::vector<Allowed> kSetOptions = {
    {"action", {"demote", "promote", "start", "stop"}},
    {"require-all", {"false", "true"}},
    {"role", {"Promoted", "Started", "Stopped", "Unpromoted"}},
    {"sequential", {"false", "true"}},
};

std::string allowedNames(const std::vector<Allowed>& allowed) {
  std::vector<std::string> names;
  for (const Allowed& a : allowed) names.emplace_back(a.name);
  return formatList(names);
}

// pcs's wording for an unknown option or a value outside the allowed list.
Status checkOptions(const NvPairs& options, const std::vector<Allowed>& allowed, const char* what) {
  for (const auto& [name, value] : options) {
    auto it = std::find_if(allowed.begin(), allowed.end(),
                           [&](const Allowed& a) { return name == a.name; });
    if (it == allowed.end()) {
      return Error{std::string("invalid ") + what + " option '" + name +
                   "', allowed options are: " + allowedNames(allowed)};
    }
    if (!it->values.empty() &&
        std::find(it->values.begin(), it->values.end(), value) == it->values.end()) {
      std::vector<std::string> values(it->values.begin(), it->values.end());
      return Error{"'" + value + "' is not a valid " + name + " value, use " + formatList(values)};
    }
  }
  return {};
}

std::string optionValue(const NvPairs& options, const std::string& name) {
  for (const auto& [n, v] : options) {
    if (n == name) return v;
  }
  return "";
}

Status checkResources(const Cib& cib, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (!findResource(cib, id)) return Error{"Resource '" + id + "' does not exist"};
    if (Status s = checkNotInClone(cib, id); !s) return s;
  }
  return {};
}

}  // namespace

Status apply(Cib& cib, const SetConstraint& edit, const EditContext&) {
  if (edit.sets.empty()) return Error{"Missing specification of resources"};
  for (const ResourceSet& set : edit.sets) {
    if (set.resources.empty()) return Error{"Resource set is empty"};
    if (Status s = checkResources(cib, set.resources); !s) return s;
    if (Status s = checkOptions(set.options, kSetOptions, "set"); !s) return s;
  }
  std::vector<Allowed> constraint_options;
  if (edit.kind == "order") {
    constraint_options = {{"id", {}},
                          {"kind", {"Mandatory", "Optional", "Serialize"}},
                          {"symmetrical", {"false", "true"}}};
  } else if (edit.kind == "colocation") {
    constraint_options = {{"id", {}}, {"score", {}}};
  } else {
    constraint_options = {
        {"id", {}}, {"loss-policy", {"demote", "fence", "freeze", "stop"}}, {"ticket", {}}};
  }
  if (Status s = checkOptions(edit.options, constraint_options, "constraint"); !s) return s;
  const std::string score = optionValue(edit.options, "score");
  if (edit.kind == "colocation" && !score.empty() && !isScore(score)) {
    return Error{"invalid score '" + score + "', use integer or INFINITY or -INFINITY"};
  }
  if (edit.kind == "ticket" && optionValue(edit.options, "ticket").empty()) {
    return Error{"required option 'ticket' is missing"};
  }
  // pcs refuses a second constraint of this kind over the same sets of resources.
  for (pugi::xml_node c :
       cib.configuration.child("constraints").children(("rsc_" + edit.kind).c_str())) {
    std::vector<std::vector<std::string>> sets;
    for (pugi::xml_node set : c.children("resource_set")) {
      sets.emplace_back();
      for (pugi::xml_node ref : set.children("resource_ref"))
        sets.back().push_back(ref.attribute("id").as_string());
    }
    std::vector<std::vector<std::string>> wanted;
    for (const ResourceSet& set : edit.sets) wanted.push_back(set.resources);
    if (!sets.empty() && sets == wanted) {
      return Error{"duplicate constraint already exists, use --force to override"};
    }
  }
  std::string id = optionValue(edit.options, "id");
  if (id.empty()) {
    std::string name = edit.kind + "_set_";
    for (const ResourceSet& set : edit.sets) {
      for (const std::string& rsc : set.resources) name += rsc + rsc;
    }
    id = uniqueId(cib, sanitizeId(name));
  } else {
    if (Status s = validateId(id, "constraint id"); !s) return s;
    if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
  }
  pugi::xml_node constraint =
      section(cib, "constraints").append_child(("rsc_" + edit.kind).c_str());
  constraint.append_attribute("id") = id.c_str();
  for (const auto& [name, value] : edit.options) {
    if (name != "id") constraint.append_attribute(name.c_str()) = value.c_str();
  }
  if (edit.kind == "colocation" && score.empty()) constraint.append_attribute("score") = "INFINITY";
  for (const ResourceSet& set : edit.sets) {
    pugi::xml_node element = constraint.append_child("resource_set");
    element.append_attribute("id") = uniqueId(cib, id + "_set").c_str();
    for (const auto& [name, value] : set.options) {
      element.append_attribute(name.c_str()) = value.c_str();
    }
    for (const std::string& rsc : set.resources) {
      element.append_child("resource_ref").append_attribute("id") = rsc.c_str();
    }
  }
  return {};
}

Status apply(Cib& cib, const TicketAdd& edit, const EditContext&) {
  if (!findResource(cib, edit.rsc)) {
    return Error{"bundle/clone/group/resource '" + edit.rsc + "' does not exist"};
  }
  if (Status s = checkNotInClone(cib, edit.rsc); !s) return s;
  for (pugi::xml_node t : cib.configuration.child("constraints").children("rsc_ticket")) {
    if (edit.ticket == t.attribute("ticket").as_string() &&
        edit.rsc == t.attribute("rsc").as_string() &&
        edit.role == t.attribute("rsc-role").as_string()) {
      return Error{"duplicate constraint already exists, use --force to override"};
    }
  }
  if (Status s = checkOptions(edit.options,
                              {{"id", {}}, {"loss-policy", {"demote", "fence", "freeze", "stop"}}},
                              "ticket");
      !s) {
    return s;
  }
  std::string id = optionValue(edit.options, "id");
  if (id.empty()) {
    id = uniqueId(cib, sanitizeId("ticket-" + edit.ticket + "-" + edit.rsc +
                                  (edit.role.empty() ? "" : "-" + edit.role)));
  } else {
    if (Status s = validateId(id, "constraint id"); !s) return s;
    if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
  }
  pugi::xml_node ticket = section(cib, "constraints").append_child("rsc_ticket");
  ticket.append_attribute("id") = id.c_str();
  ticket.append_attribute("ticket") = edit.ticket.c_str();
  ticket.append_attribute("rsc") = edit.rsc.c_str();
  if (!edit.role.empty()) ticket.append_attribute("rsc-role") = edit.role.c_str();
  const std::string loss = optionValue(edit.options, "loss-policy");
  if (!loss.empty()) ticket.append_attribute("loss-policy") = loss.c_str();
  return {};
}

Status apply(Cib& cib, const TicketDelete& edit, const EditContext&) {
  pugi::xml_node constraints = cib.configuration.child("constraints");
  bool changed = false;
  for (pugi::xml_node c = constraints.child("rsc_ticket"); c;) {
    pugi::xml_node next = c.next_sibling("rsc_ticket");
    if (edit.ticket == c.attribute("ticket").as_string()) {
      if (edit.rsc == c.attribute("rsc").as_string()) {
        constraints.remove_child(c);
        changed = true;
        c = next;
        continue;
      }
      for (pugi::xml_node set = c.child("resource_set"); set;) {
        pugi::xml_node next_set = set.next_sibling("resource_set");
        if (pugi::xml_node ref =
                set.find_child_by_attribute("resource_ref", "id", edit.rsc.c_str())) {
          set.remove_child(ref);
          changed = true;
          if (!set.child("resource_ref")) c.remove_child(set);
        }
        set = next_set;
      }
      if (!c.attribute("rsc") && !c.child("resource_set")) constraints.remove_child(c);
    }
    c = next;
  }
  if (!changed) return Error{"no matching resource tickets found"};
  return {};
}

}  // namespace pulse::pcs::cibxml
