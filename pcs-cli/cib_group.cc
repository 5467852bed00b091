// pcs resource group add, and --group for create.
#include "cib_commands.h"

namespace pulse::pcs::cibxml {

Status placeInGroup(Cib& cib, pugi::xml_node resource, const std::string& group_id,
                    const std::string& before, const std::string& after) {
  if (!before.empty() && !after.empty()) {
    return Error{"you cannot specify both --before and --after"};
  }
  pugi::xml_node group = findResource(cib, group_id);
  if (group && std::string_view(group.name()) != "group") {
    return Error{"'" + group_id + "' is not a group"};
  }
  if (!group) {
    if (idExists(cib, group_id)) return Error{"'" + group_id + "' already exists"};
    if (Status s = validateId(group_id, "group name"); !s) return s;
    group = section(cib, "resources").append_child("group");
    group.append_attribute("id") = group_id.c_str();
  }
  const std::string& anchor_id = before.empty() ? after : before;
  pugi::xml_node anchor;
  if (!anchor_id.empty()) {
    anchor = group.find_child_by_attribute("primitive", "id", anchor_id.c_str());
    if (!anchor || anchor == resource) {
      return Error{"there is no resource '" + anchor_id + "' in the group '" + group_id + "'"};
    }
  }
  pugi::xml_node old_parent = resource.parent();
  const bool moved = anchor ? (before.empty() ? group.insert_move_after(resource, anchor)
                                              : group.insert_move_before(resource, anchor))
                            : group.append_move(resource);
  if (!moved)
    return Error{"Unable to put '" + std::string(resource.attribute("id").as_string()) +
                 "' into the group '" + group_id + "'"};
  // A group emptied by the move would be invalid; pcs deletes it.
  if (std::string_view(old_parent.name()) == "group" && old_parent != group &&
      !old_parent.child("primitive")) {
    const std::string old_id = old_parent.attribute("id").as_string();
    old_parent.parent().remove_child(old_parent);
    removeConstraintsOf(cib, old_id);
  }
  return {};
}

Status apply(Cib& cib, const GroupAdd& edit, const EditContext&) {
  if (edit.resources.empty()) return Error{"No resources to add"};
  for (const std::string& id : edit.resources) {
    pugi::xml_node resource = findResource(cib, id);
    if (!resource) return Error{"'" + id + "' does not exist"};
    if (std::string_view(resource.name()) != "primitive") {
      return Error{"'" + id + "' is a " + resource.name() + " resource, a " + resource.name() +
                   " resource cannot be put into a group"};
    }
    const std::string_view parent = resource.parent().name();
    if (parent == "clone" || parent == "master" || parent == "bundle") {
      return Error{"'" + id + "' cannot be put into a group, it is in a " + std::string(parent)};
    }
  }
  // pcs inserts the list in order: each next resource goes after the previous one.
  std::string before = edit.before, after = edit.after;
  for (const std::string& id : edit.resources) {
    if (Status s = placeInGroup(cib, findResource(cib, id), edit.group, before, after); !s) {
      return s;
    }
    if (!before.empty() || !after.empty()) {
      before.clear();
      after = id;
    }
  }
  return {};
}

// pcs resource ungroup / group delete|remove: the members leave for the end of <resources>;
// a group left empty goes, with its constraints (and its clone, if it was cloned).
Status apply(Cib& cib, const GroupRemove& edit, const EditContext&) {
  pugi::xml_node group = findResource(cib, edit.group);
  if (!group || std::string_view(group.name()) != "group") {
    return Error{"Group '" + edit.group + "' does not exist"};
  }
  std::vector<pugi::xml_node> leaving;
  if (edit.resources.empty()) {
    for (pugi::xml_node p : group.children("primitive")) leaving.push_back(p);
  }
  for (const std::string& id : edit.resources) {
    pugi::xml_node p = group.find_child_by_attribute("primitive", "id", id.c_str());
    if (!p) return Error{"Resource '" + id + "' does not exist in group '" + edit.group + "'"};
    leaving.push_back(p);
  }
  pugi::xml_node resources = section(cib, "resources");
  for (pugi::xml_node p : leaving) resources.append_move(p);
  if (group.child("primitive")) return {};
  pugi::xml_node gone = group;
  if (std::string_view(group.parent().name()) == "clone") gone = group.parent();
  removeConstraintsOf(cib, edit.group);
  removeConstraintsOf(cib, gone.attribute("id").as_string());
  gone.parent().remove_child(gone);
  return {};
}

}  // namespace pulse::pcs::cibxml
