// pcs resource [op] defaults update, resource utilization, node attribute|utilization, and tag
// create/update/delete: name=value sets and id lists outside primitives' own options.
#include <algorithm>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

// Sets `pairs` in owner's first <set_tag>, created at the end of owner with id `set_id` (pcs
// appends these sets); an empty value removes a pair, an emptied set stays, as in pcs.
void setPairs(Cib& cib, pugi::xml_node owner, const char* set_tag, const std::string& set_id,
              const NvPairs& pairs) {
  pugi::xml_node set = owner.child(set_tag);
  for (const auto& [name, value] : pairs) {
    pugi::xml_node pair = set.find_child_by_attribute("nvpair", "name", name.c_str());
    if (value.empty()) {
      if (pair) set.remove_child(pair);
      continue;
    }
    if (!set) {
      set = owner.append_child(set_tag);
      set.append_attribute("id") = uniqueId(cib, set_id).c_str();
    }
    if (!pair) {
      pair = set.append_child("nvpair");
      pair.append_attribute("id") =
          uniqueId(cib, sanitizeId(std::string(set.attribute("id").as_string()) + "-" + name))
              .c_str();
      pair.append_attribute("name") = name.c_str();
      pair.append_attribute("value");
    }
    pair.attribute("value") = value.c_str();
  }
}

Status checkTagMembers(const Cib& cib, const std::vector<std::string>& ids) {
  std::vector<std::string> seen, duplicates;
  for (const std::string& id : ids) {
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) duplicates.push_back(id);
    seen.push_back(id);
  }
  if (!duplicates.empty()) {
    return Error{"Ids to add must be unique, duplicate ids: " + formatList(duplicates)};
  }
  for (const std::string& id : ids) {
    if (findResource(cib, id)) continue;
    if (idExists(cib, id)) return Error{"'" + id + "' is not a bundle/clone/group/resource"};
    return Error{"bundle/clone/group/resource '" + id + "' does not exist"};
  }
  return {};
}

pugi::xml_node findTag(const Cib& cib, const std::string& id) {
  return cib.configuration.child("tags").find_child_by_attribute("tag", "id", id.c_str());
}

}  // namespace

Status apply(Cib& cib, const DefaultsUpdate& edit, const EditContext&) {
  const char* name = edit.operations ? "op_defaults" : "rsc_defaults";
  pugi::xml_node owner = cib.configuration.child(name);
  if (!owner) {
    if (std::all_of(edit.pairs.begin(), edit.pairs.end(),
                    [](const auto& kv) { return kv.second.empty(); })) {
      return {};
    }
    owner = cib.configuration.append_child(name);
  }
  setPairs(cib, owner, "meta_attributes", std::string(name) + "-meta_attributes", edit.pairs);
  return {};
}

Status apply(Cib& cib, const NvSetUpdate& edit, const EditContext&) {
  using Target = NvSetUpdate::Target;
  if (edit.target == Target::ResourceUtilization) {
    pugi::xml_node resource = findPrimitive(cib, edit.id);
    if (!resource) return Error{"Unable to find a resource: " + edit.id};
    setPairs(cib, resource, "utilization", edit.id + "-utilization", edit.pairs);
    return {};
  }
  pugi::xml_node node =
      cib.configuration.child("nodes").find_child_by_attribute("node", "uname", edit.id.c_str());
  if (!node) {
    if (edit.target == Target::NodeUtilization) return Error{"Unable to find a node: " + edit.id};
    return Error{"unable to set attribute " + edit.pairs.front().first +
                 "\ncrm_attribute: Could not map name=" + edit.id + " to a UUID"};
  }
  const std::string prefix = "nodes-" + std::string(node.attribute("id").as_string());
  if (edit.target == Target::NodeUtilization) {
    setPairs(cib, node, "utilization", prefix + "-utilization", edit.pairs);
  } else {
    setPairs(cib, node, "instance_attributes", prefix, edit.pairs);
  }
  return {};
}

Status apply(Cib& cib, const TagCreate& edit, const EditContext&) {
  if (Status s = validateId(edit.id, "tag id"); !s) return s;
  if (idExists(cib, edit.id)) return Error{"'" + edit.id + "' already exists"};
  if (edit.ids.empty()) return Error{"tag '" + edit.id + "' has no ids to tag"};
  if (Status s = checkTagMembers(cib, edit.ids); !s) return s;
  pugi::xml_node tags = cib.configuration.child("tags");
  if (!tags) tags = cib.configuration.append_child("tags");
  pugi::xml_node tag = tags.append_child("tag");
  tag.append_attribute("id") = edit.id.c_str();
  for (const std::string& id : edit.ids)
    tag.append_child("obj_ref").append_attribute("id") = id.c_str();
  return {};
}

Status apply(Cib& cib, const TagDelete& edit, const EditContext&) {
  for (const std::string& id : edit.ids) {
    pugi::xml_node tag = findTag(cib, id);
    if (!tag) return Error{"Tag '" + id + "' does not exist"};
    tag.parent().remove_child(tag);
    removeConstraintsOf(cib, id);
  }
  return {};  // pcs leaves an empty <tags> behind
}

Status apply(Cib& cib, const TagUpdate& edit, const EditContext&) {
  pugi::xml_node tag = findTag(cib, edit.id);
  if (!tag) return Error{"Tag '" + edit.id + "' does not exist"};
  if (Status s = checkTagMembers(cib, edit.add); !s) return s;
  if (!edit.before.empty() && !edit.after.empty()) {
    return Error{"you cannot specify both --before and --after"};
  }
  const std::string& anchor_id = edit.before.empty() ? edit.after : edit.before;
  pugi::xml_node anchor;
  if (!anchor_id.empty()) {
    anchor = tag.find_child_by_attribute("obj_ref", "id", anchor_id.c_str());
    if (!anchor)
      return Error{"There is no reference id '" + anchor_id + "' in the tag '" + edit.id + "'"};
  }
  for (const std::string& id : edit.add) {
    if (tag.find_child_by_attribute("obj_ref", "id", id.c_str())) {
      return Error{"Cannot add reference ids already in the tag '" + edit.id + "': '" + id + "'"};
    }
    pugi::xml_node ref = !anchor                ? tag.append_child("obj_ref")
                         : !edit.before.empty() ? tag.insert_child_before("obj_ref", anchor)
                                                : tag.insert_child_after("obj_ref", anchor);
    ref.append_attribute("id") = id.c_str();
    if (anchor && edit.before.empty()) anchor = ref;  // the next one goes after this one
  }
  for (const std::string& id : edit.remove) {
    pugi::xml_node ref = tag.find_child_by_attribute("obj_ref", "id", id.c_str());
    if (!ref) return Error{"Tag '" + edit.id + "' does not contain id: '" + id + "'"};
    tag.remove_child(ref);
  }
  if (!tag.first_child()) {
    return Error{"There would be no references left in the tag '" + edit.id +
                 "', please remove the whole tag using the 'pcs tag remove " + edit.id +
                 "' command"};
  }
  return {};
}

}  // namespace pulse::pcs::cibxml
