// pcs constraint location prefers|avoids, colocation add, order, delete; and the cleanup of
// constraints that name a deleted resource.
#include <algorithm>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

constexpr const char* kRoles[] = {"Started",    "Stopped", "Promoted",
                                  "Unpromoted", "Master",  "Slave"};

// A constraint may name a primitive or group that is not inside a clone (pcs's rule; --force in
// pcs allows cloned members, which we do not offer).
Status checkConstraintResource(const Cib& cib, const std::string& id) {
  if (!findResource(cib, id)) return Error{"Resource '" + id + "' does not exist"};
  return checkNotInClone(cib, id);
}

bool nodeExists(const Cib& cib, const std::string& node) {
  return bool(
      cib.configuration.child("nodes").find_child_by_attribute("node", "uname", node.c_str()));
}

std::string groupOf(const Cib& cib, const std::string& rsc) {
  pugi::xml_node r = findResource(cib, rsc);
  return std::string_view(r.parent().name()) == "group" ? r.parent().attribute("id").as_string()
                                                        : "";
}

Status validateRole(const std::string& role) {
  if (role.empty() || std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles)) {
    return {};
  }
  return Error{"invalid role value '" + role +
               "', allowed values are: 'Promoted', 'Started', 'Stopped', 'Unpromoted'"};
}

}  // namespace

Status checkNotInClone(const Cib& cib, const std::string& id) {
  pugi::xml_node resource = findResource(cib, id);
  pugi::xml_node clone = resource.parent();
  if (std::string_view(clone.name()) == "group") clone = clone.parent();
  const std::string_view tag = clone.name();
  if (!resource || (tag != "clone" && tag != "master")) return {};
  return Error{id + " is a clone resource, you should use the clone id: " +
               clone.attribute("id").as_string() +
               " when adding constraints. Use --force to override."};
}

void removeConstraintsOf(Cib& cib, const std::string& rsc) {
  pugi::xml_node constraints = cib.configuration.child("constraints");
  for (pugi::xml_node c = constraints.first_child(); c;) {
    pugi::xml_node next = c.next_sibling();
    bool drop = false;
    for (const char* attr : {"rsc", "with-rsc", "first", "then"}) {
      if (rsc == c.attribute(attr).as_string()) drop = true;
    }
    for (pugi::xml_node set = c.child("resource_set"); set && !drop;) {
      pugi::xml_node next_set = set.next_sibling("resource_set");
      if (pugi::xml_node ref = set.find_child_by_attribute("resource_ref", "id", rsc.c_str())) {
        set.remove_child(ref);
      }
      if (!set.child("resource_ref")) c.remove_child(set);
      set = next_set;
    }
    if (!drop && std::string_view(c.name()) != "rsc_location" && c.attribute("rsc").empty() &&
        c.attribute("first").empty() && !c.child("resource_set")) {
      drop = true;  // a set constraint whose sets all went
    }
    if (drop) constraints.remove_child(c);
    c = next;
  }
}

Status apply(Cib& cib, const LocationAdd& edit, const EditContext& context) {
  if (Status s = checkConstraintResource(cib, edit.rsc); !s) return s;
  if (Status s = validateId(edit.id, "constraint id"); !s) return s;
  if (!edit.force && !context.offline && !nodeExists(cib, edit.node)) {
    return Error{"Node '" + edit.node +
                 "' does not appear to exist in configuration, use --force to override"};
  }
  if (!isScore(edit.score)) {
    return Error{"invalid score '" + edit.score + "', use integer or INFINITY or -INFINITY"};
  }
  std::string discovery;
  for (const auto& [name, value] : edit.options) {
    if (name != "resource-discovery") {
      return Error{"invalid option '" + name + "', allowed option is: 'resource-discovery'"};
    }
    if (value != "always" && value != "never" && value != "exclusive") {
      return Error{"invalid resource-discovery value '" + value +
                   "', allowed values are: 'always', 'exclusive', 'never'"};
    }
    discovery = value;
  }
  pugi::xml_node constraints = section(cib, "constraints");
  if (pugi::xml_node old =
          constraints.find_child_by_attribute("rsc_location", "id", edit.id.c_str())) {
    constraints.remove_child(old);
  }
  if (idExists(cib, edit.id)) return Error{"'" + edit.id + "' already exists"};
  pugi::xml_node c = constraints.append_child("rsc_location");
  c.append_attribute("id") = edit.id.c_str();
  c.append_attribute("rsc") = edit.rsc.c_str();
  c.append_attribute("node") = edit.node.c_str();
  c.append_attribute("score") = edit.score.c_str();
  if (!discovery.empty()) c.append_attribute("resource-discovery") = discovery.c_str();
  return {};
}

Status apply(Cib& cib, const LocationPrefers& edit, const EditContext& context) {
  if (Status s = checkConstraintResource(cib, edit.rsc); !s) return s;
  if (edit.node_scores.empty()) return Error{"no node specified"};
  for (const auto& [node, score] : edit.node_scores) {
    if (!edit.force && !context.offline && !nodeExists(cib, node)) {
      return Error{"Node '" + node +
                   "' does not appear to exist in configuration, use --force to override"};
    }
    if (!score.empty() && !isScore(score)) {
      return Error{"invalid score '" + score + "', use integer or INFINITY or -INFINITY"};
    }
  }
  pugi::xml_node constraints = section(cib, "constraints");
  for (const auto& [node, given] : edit.node_scores) {
    std::string score = given.empty() ? "INFINITY" : given;
    if (edit.avoids) score = score[0] == '-' ? score.substr(1) : "-" + score;
    const std::string id = sanitizeId("location-" + edit.rsc + "-" + node + "-" + score);
    // One node, one resource, one plain constraint: pcs replaces what was there.
    for (pugi::xml_node c = constraints.first_child(); c;) {
      pugi::xml_node next = c.next_sibling();
      if (std::string_view(c.name()) == "rsc_location" &&
          (id == c.attribute("id").as_string() || (edit.rsc == c.attribute("rsc").as_string() &&
                                                   node == c.attribute("node").as_string()))) {
        constraints.remove_child(c);
      }
      c = next;
    }
    if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
    pugi::xml_node c = constraints.append_child("rsc_location");
    c.append_attribute("id") = id.c_str();
    c.append_attribute("rsc") = edit.rsc.c_str();
    c.append_attribute("node") = node.c_str();
    c.append_attribute("score") = score.c_str();
  }
  return {};
}

Status apply(Cib& cib, const ColocationAdd& edit, const EditContext&) {
  if (Status s = validateRole(edit.rsc_role); !s) return s;
  if (Status s = validateRole(edit.with_rsc_role); !s) return s;
  if (Status s = checkConstraintResource(cib, edit.rsc); !s) return s;
  if (Status s = checkConstraintResource(cib, edit.with_rsc); !s) return s;
  if (!isScore(edit.score)) {
    return Error{"invalid score '" + edit.score + "', use integer or INFINITY or -INFINITY"};
  }
  std::string id;
  NvPairs other;
  for (const auto& [k, v] : edit.options) {
    if (k == "id") {
      if (Status s = validateId(v, "constraint id"); !s) return s;
      if (idExists(cib, v))
        return Error{"id '" + v + "' is already in use, please specify another one"};
      id = v;
    } else {
      other.emplace_back(k, v);
    }
  }
  if (id.empty())
    id = uniqueId(cib, "colocation-" + edit.rsc + "-" + edit.with_rsc + "-" + edit.score);
  pugi::xml_node constraints = section(cib, "constraints");
  if (!edit.force) {
    std::string duplicates;
    for (pugi::xml_node c : constraints.children("rsc_colocation")) {
      const std::string a = c.attribute("rsc").as_string(), b = c.attribute("with-rsc").as_string();
      if ((a == edit.rsc && b == edit.with_rsc) || (a == edit.with_rsc && b == edit.rsc)) {
        duplicates += "\n  " + a + " with " + b + " (score:" + c.attribute("score").as_string() +
                      ") (id:" + c.attribute("id").as_string() + ")";
      }
    }
    if (!duplicates.empty()) {
      return Error{"duplicate constraint already exists, use --force to override" + duplicates};
    }
  }
  // "If one role is specified, the other defaults to Started" (pcs).
  const std::string rsc_role =
      edit.rsc_role.empty() && !edit.with_rsc_role.empty() ? "Started" : edit.rsc_role;
  const std::string with_role =
      edit.with_rsc_role.empty() && !edit.rsc_role.empty() ? "Started" : edit.with_rsc_role;
  pugi::xml_node c = constraints.append_child("rsc_colocation");
  c.append_attribute("id") = id.c_str();
  c.append_attribute("rsc") = edit.rsc.c_str();
  c.append_attribute("with-rsc") = edit.with_rsc.c_str();
  c.append_attribute("score") = edit.score.c_str();
  if (!rsc_role.empty()) c.append_attribute("rsc-role") = rsc_role.c_str();
  if (!with_role.empty()) c.append_attribute("with-rsc-role") = with_role.c_str();
  for (const auto& [k, v] : other) c.append_attribute(k.c_str()) = v.c_str();
  return {};
}

Status apply(Cib& cib, const OrderAdd& edit, const EditContext&) {
  if (Status s = checkConstraintResource(cib, edit.first); !s) return s;
  if (Status s = checkConstraintResource(cib, edit.then); !s) return s;
  const std::string group = groupOf(cib, edit.first);
  if (!group.empty() && group == groupOf(cib, edit.then)) {
    return Error{"Cannot create an order constraint for resources in the same group"};
  }
  std::string id, suffix = "mandatory";
  NvPairs attributes;
  for (const auto& [k, v] : edit.options) {
    if (k == "id") {
      if (Status s = validateId(v, "constraint id"); !s) return s;
      if (idExists(cib, v))
        return Error{"id '" + v + "' is already in use, please specify another one"};
      id = v;
      continue;
    }
    if (k == "kind") {
      if (v != "Optional" && v != "Mandatory" && v != "Serialize") {
        return Error{"invalid kind value '" + v +
                     "', allowed values are: 'Mandatory', 'Optional', 'Serialize'"};
      }
      suffix = v;
    } else if (k == "symmetrical") {
      if (v != "true" && v != "false") {
        return Error{"invalid symmetrical value '" + v + "', allowed values are: true, false"};
      }
    } else {
      return Error{"invalid order option '" + k +
                   "', allowed options are: 'id', 'kind', "
                   "'symmetrical'"};
    }
    attributes.emplace_back(k, v);
  }
  pugi::xml_node constraints = section(cib, "constraints");
  if (!edit.force) {
    for (pugi::xml_node c : constraints.children("rsc_order")) {
      if (edit.first == c.attribute("first").as_string() &&
          edit.then == c.attribute("then").as_string() &&
          edit.first_action == c.attribute("first-action").as_string("start") &&
          edit.then_action == c.attribute("then-action").as_string("start")) {
        const std::string kind = c.attribute("kind").as_string("Mandatory");
        return Error{"duplicate constraint already exists, use --force to override\n  " +
                     edit.first_action + " " + edit.first + " then " + edit.then_action + " " +
                     edit.then + " (kind:" + kind + ") (id:" + c.attribute("id").as_string() + ")"};
      }
    }
  }
  if (id.empty()) id = uniqueId(cib, "order-" + edit.first + "-" + edit.then + "-" + suffix);
  pugi::xml_node c = constraints.append_child("rsc_order");
  c.append_attribute("id") = id.c_str();
  c.append_attribute("first") = edit.first.c_str();
  c.append_attribute("first-action") = edit.first_action.c_str();
  c.append_attribute("then") = edit.then.c_str();
  c.append_attribute("then-action") = edit.then_action.c_str();
  for (const auto& [k, v] : attributes) c.append_attribute(k.c_str()) = v.c_str();
  return {};
}

Status apply(Cib& cib, const ConstraintDelete& edit, const EditContext&) {
  pugi::xml_node constraints = cib.configuration.child("constraints");
  std::string missing;
  for (const std::string& id : edit.ids) {
    pugi::xml_node c = constraints.find_child_by_attribute("id", id.c_str());
    if (!c) {
      missing += (missing.empty() ? "" : "\nError: ") +
                 std::string("Unable to find constraint - '") + id + "'";
      continue;
    }
    constraints.remove_child(c);
  }
  if (!missing.empty()) return Error{missing};
  return {};
}

}  // namespace pulse::pcs::cibxml
