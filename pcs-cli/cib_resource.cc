// pcs resource create / delete / update / enable / disable / meta.
#include <algorithm>
#include <cctype>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

constexpr const char* kForceHint = ", use --force to override";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// pcs accepts the full name (standard:provider:type or standard:type) or a bare type that
// names exactly one known agent.
Result<const KnownAgent*> resolveAgent(const std::string& name, const EditContext& context,
                                       bool force) {
  if (name.find(':') != std::string::npos) {
    for (const KnownAgent& agent : context.agents) {
      if (agent.fullName() == name) return &agent;
    }
    if (force) return static_cast<const KnownAgent*>(nullptr);
    return Error{"Agent '" + name + "' is not installed or does not provide valid metadata: " +
                 (context.agent_problem.empty() ? "agent not found" : context.agent_problem) +
                 kForceHint};
  }
  std::vector<const KnownAgent*> matches;
  for (const KnownAgent& agent : context.agents) {
    if (lower(agent.type) == lower(name)) matches.push_back(&agent);
  }
  if (matches.size() == 1) return matches.front();
  if (matches.empty()) {
    return Error{"Unable to find agent '" + name + "', try specifying its full name"};
  }
  std::vector<std::string> names;
  for (const KnownAgent* m : matches) names.push_back(m->fullName());
  return Error{"Multiple agents match '" + name +
               "', please specify full name: " + formatList(names)};
}

// Splits "ocf:heartbeat:IPaddr2" into the primitive's class/provider/type attributes.
void setAgentAttributes(pugi::xml_node primitive, const std::string& full_name) {
  const std::size_t first = full_name.find(':');
  const std::size_t last = full_name.rfind(':');
  primitive.append_attribute("class") = full_name.substr(0, first).c_str();
  if (first != last) {
    primitive.append_attribute("provider") = full_name.substr(first + 1, last - first - 1).c_str();
  }
  primitive.append_attribute("type") = full_name.substr(last + 1).c_str();
}

Status resourceExists(const Cib& cib, const std::string& id, pugi::xml_node& out) {
  out = findResource(cib, id);
  if (!out) return Error{"Resource '" + id + "' does not exist."};
  return {};
}

}  // namespace

const KnownAgent* agentOf(const EditContext& context, pugi::xml_node primitive) {
  std::string name = primitive.attribute("class").as_string();
  if (const char* provider = primitive.attribute("provider").as_string(nullptr)) {
    name += std::string(":") + provider;
  }
  name += std::string(":") + primitive.attribute("type").as_string();
  for (const KnownAgent& agent : context.agents) {
    if (agent.fullName() == name) return &agent;
  }
  return nullptr;
}

std::string checkParameters(const NvPairs& params, const KnownAgent& agent, bool force,
                            bool check_required) {
  std::vector<std::string> allowed, unknown, missing;
  // Fence devices also take the fencer's own parameters (pcmk_host_list, pcmk_host_map, ...),
  // and the fencer supplies the target (port/plug) itself, so pcs never requires it.
  const bool stonith = agent.standard == "stonith";
  for (const crmd::AgentParameter& p : agent.metadata.parameters) allowed.push_back(p.name);
  for (const auto& [name, value] : params) {
    if (stonith && name.starts_with("pcmk_")) continue;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) unknown.push_back(name);
  }
  if (check_required) {
    for (const crmd::AgentParameter& p : agent.metadata.parameters) {
      if (stonith && (p.name == "port" || p.name == "plug")) continue;
      const bool given = std::any_of(params.begin(), params.end(),
                                     [&](const auto& kv) { return kv.first == p.name; });
      if (p.required && !given) missing.push_back(p.name);
    }
  }
  if (force) return "";
  std::string errors;
  if (!unknown.empty()) {
    errors += std::string("invalid resource option") + (unknown.size() == 1 ? " " : "s: ") +
              formatList(unknown) + ",";
    errors += allowed.empty()
                  ? " there are no options allowed"
                  : std::string(" allowed option") + (allowed.size() == 1 ? " is " : "s are: ") +
                        formatList(allowed);
    errors += kForceHint;
  }
  if (!missing.empty()) {
    if (!errors.empty()) errors += "\nError: ";
    errors += std::string("required resource option") + (missing.size() == 1 ? " " : "s ") +
              formatList(missing) + (missing.size() == 1 ? " is" : " are") + " missing" +
              kForceHint;
  }
  return errors;
}

Status apply(Cib& cib, const ResourceCreate& edit, const EditContext& context) {
  if (Status s = validateId(edit.id, "resource id"); !s) return s;
  if (idExists(cib, edit.id)) return Error{"'" + edit.id + "' already exists"};
  if (!edit.group.empty() || !edit.before.empty() || !edit.after.empty()) {
    if (edit.group.empty()) return Error{"you cannot use --before or --after without --group"};
    if (!edit.before.empty() && !edit.after.empty()) {
      return Error{"you cannot specify both --before and --after"};
    }
  }
  auto agent = resolveAgent(edit.agent, context, edit.force);
  if (!agent.ok()) return agent.error();
  const KnownAgent* metadata = *agent;

  if (metadata != nullptr) {
    const std::string errors = checkParameters(edit.params, *metadata, edit.force, true);
    if (!errors.empty()) return Error{errors};
  }
  for (const OperationSpec& op : edit.operations) {
    if (Status s = validateOperation(op, metadata, edit.force); !s) return s;
  }

  pugi::xml_node resources = section(cib, "resources");
  pugi::xml_node primitive = resources.append_child("primitive");
  primitive.append_attribute("id") = edit.id.c_str();
  setAgentAttributes(primitive, metadata != nullptr ? metadata->fullName() : edit.agent);
  // pcs 0.11 writes a new resource's options sorted by name.
  NvPairs params = edit.params, meta = edit.meta;
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  if (edit.disabled && !edit.clone.wanted) meta.emplace_back("target-role", "Stopped");
  std::stable_sort(meta.begin(), meta.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  updateNvSet(cib, primitive, "instance_attributes", params);
  updateNvSet(cib, primitive, "meta_attributes", meta);
  if (Status s = addOperations(cib, primitive, edit.operations, metadata, true); !s) {
    return s;
  }
  if (!edit.group.empty()) return placeInGroup(cib, primitive, edit.group, edit.before, edit.after);
  if (!edit.clone.wanted) return {};
  if (Status s = cloneResource(cib, primitive, edit.clone); !s) return s;
  // --disabled stops the clone, as pcs's disable does after creating it.
  if (edit.disabled) {
    updateNvSet(cib, primitive.parent(), "meta_attributes", {{"target-role", "Stopped"}}, true);
  }
  return {};
}

Status apply(Cib& cib, const ResourceDelete& edit, const EditContext&) {
  pugi::xml_node resource;
  if (edit.stonith) {
    resource = findResource(cib, edit.id);
    if (!resource || std::string_view(resource.attribute("class").as_string()) != "stonith") {
      return Error{"Resource '" + edit.id + "' is not a stonith resource or does not exist"};
    }
  }
  if (Status s = resourceExists(cib, edit.id, resource); !s) return s;
  // The members of a deleted group or clone take their constraints with them.
  std::vector<std::string> gone{edit.id};
  for (pugi::xpath_node n : resource.select_nodes(".//primitive | .//group")) {
    gone.push_back(n.node().attribute("id").as_string());
  }
  // pcs keeps tags whole: a resource a tag names is not removed.
  std::vector<std::string> tags;
  for (pugi::xml_node tag : cib.configuration.child("tags").children("tag")) {
    for (const std::string& id : gone) {
      if (tag.find_child_by_attribute("obj_ref", "id", id.c_str())) {
        tags.push_back(tag.attribute("id").as_string());
        break;
      }
    }
  }
  if (!tags.empty()) {
    return Error{"Unable to remove resource '" + edit.id +
                 "' because it is referenced in tags: " + formatList(tags)};
  }
  pugi::xml_node parent = resource.parent();
  parent.remove_child(resource);
  removeDeviceFromLevels(cib, edit.id);  // pcs does so for any resource it deletes
  // A group, clone or bundle left empty has nothing to run: pcs removes it too.
  while (std::string_view(parent.name()) != "resources" && !parent.find_child([](pugi::xml_node c) {
    const std::string_view tag = c.name();
    return tag == "primitive" || tag == "group";
  })) {
    gone.push_back(parent.attribute("id").as_string());
    pugi::xml_node up = parent.parent();
    up.remove_child(parent);
    parent = up;
  }
  for (const std::string& id : gone) removeConstraintsOf(cib, id);
  // pcs drops the ACL permissions that name a deleted resource by id.
  std::vector<pugi::xml_node> permissions;
  for (pugi::xpath_node p : cib.configuration.child("acls").select_nodes(".//acl_permission")) {
    const std::string ref = p.node().attribute("reference").as_string();
    if (std::find(gone.begin(), gone.end(), ref) != gone.end()) permissions.push_back(p.node());
  }
  for (pugi::xml_node p : permissions) p.parent().remove_child(p);
  return {};
}

Status apply(Cib& cib, const ResourceUpdate& edit, const EditContext& context) {
  pugi::xml_node resource;
  if (Status s = resourceExists(cib, edit.id, resource); !s) return s;
  const bool is_primitive = std::string_view(resource.name()) == "primitive";
  const std::string_view tag = resource.name();
  if ((tag == "clone" || tag == "master") && edit.operations.empty()) {
    // pcs 0.11: a clone's options are its meta attributes.
    NvPairs meta = edit.params;
    meta.insert(meta.end(), edit.meta.begin(), edit.meta.end());
    updateNvSet(cib, resource, "meta_attributes", meta);
    return {};
  }
  if (!is_primitive && (!edit.params.empty() || !edit.operations.empty())) {
    return Error{"Unable to find primitive resource '" + edit.id + "'"};
  }
  const KnownAgent* agent = is_primitive ? agentOf(context, resource) : nullptr;
  if (agent != nullptr) {
    NvPairs set_params;
    for (const auto& kv : edit.params) {
      if (!kv.second.empty()) set_params.push_back(kv);
    }
    const std::string errors = checkParameters(set_params, *agent, edit.force, false);
    if (!errors.empty()) return Error{errors};
  }
  for (const OperationSpec& op : edit.operations) {
    if (Status s = validateOperation(op, agent, edit.force); !s) return s;
  }
  updateNvSet(cib, resource, "instance_attributes", edit.params);
  updateNvSet(cib, resource, "meta_attributes", edit.meta);
  // pcs replaces all operations of each action the user names, where the first of them stood.
  pugi::xml_node ops = resource.child("operations");
  pugi::xml_node anchor;  // the operation the new ones go before; null: at the end
  bool replaced = false;
  for (const OperationSpec& op : edit.operations) {
    for (pugi::xml_node o = ops.first_child(); o;) {
      pugi::xml_node next = o.next_sibling();
      if (op.action == o.attribute("name").as_string()) {
        if (!replaced) anchor = next;
        replaced = true;
        if (anchor == o) anchor = next;
        ops.remove_child(o);
      }
      o = next;
    }
  }
  const std::size_t kept = static_cast<std::size_t>(std::distance(ops.begin(), ops.end()));
  if (Status s = addOperations(cib, resource, edit.operations, agent, false); !s) return s;
  if (anchor) {
    ops = resource.child("operations");
    std::vector<pugi::xml_node> added;
    std::size_t index = 0;
    for (pugi::xml_node o : ops.children()) {
      if (index++ >= kept) added.push_back(o);
    }
    for (pugi::xml_node o : added) ops.insert_move_before(o, anchor);
  }
  return {};
}

Status apply(Cib& cib, const ResourceEnable& edit, const EditContext&) {
  pugi::xml_node resource;
  if (Status s = resourceExists(cib, edit.id, resource); !s) return s;
  updateNvSet(cib, resource, "meta_attributes", {{"target-role", edit.enable ? "" : "Stopped"}},
              true);
  return {};
}

Status apply(Cib& cib, const ResourceMeta& edit, const EditContext&) {
  pugi::xml_node resource;
  if (Status s = resourceExists(cib, edit.id, resource); !s) return s;
  updateNvSet(cib, resource, "meta_attributes", edit.meta);
  return {};
}

}  // namespace pulse::pcs::cibxml
