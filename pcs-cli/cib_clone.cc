// pcs resource clone / promotable / unclone, and the clone `resource create ... clone` makes.
#include <algorithm>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

bool isCloneTag(std::string_view tag) { return tag == "clone" || tag == "master"; }

}  // namespace

Status cloneResource(Cib& cib, pugi::xml_node resource, const CloneSpec& spec) {
  const std::string id = resource.attribute("id").as_string();
  const std::string_view parent = resource.parent().name();
  if (isCloneTag(parent)) return Error{"'" + id + "' is already a clone resource"};
  if (parent == "bundle") return Error{"'" + id + "' is in a bundle, it cannot be cloned"};
  const std::string clone_id = spec.clone_id.empty() ? id + "-clone" : spec.clone_id;
  if (Status s = validateId(clone_id, "clone id"); !s) return s;
  if (idExists(cib, clone_id)) return Error{"'" + clone_id + "' already exists"};
  NvPairs meta = spec.options;
  for (const auto& [name, value] : meta) {
    if ((name == "promotable" || name == "globally-unique" || name == "notify" ||
         name == "interleave" || name == "ordered") &&
        value != "true" && value != "false") {
      return Error{"'" + value + "' is not a valid " + name + " value, use 'false', 'true'"};
    }
  }
  if (spec.promotable) {
    for (const auto& [name, value] : meta) {
      if (name == "promotable" && value != "true") {
        return Error{"you cannot specify 'promotable' together with promotable=" + value};
      }
    }
    std::erase_if(meta, [](const auto& kv) { return kv.first == "promotable"; });
    meta.emplace_back("promotable", "true");
  }
  std::stable_sort(meta.begin(), meta.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  // pcs moves the new clone to the end of <resources>; a group member leaves its group, and
  // a group left empty goes with its constraints.
  pugi::xml_node old_parent = resource.parent();
  pugi::xml_node clone = section(cib, "resources").append_child("clone");
  clone.append_attribute("id") = clone_id.c_str();
  clone.append_move(resource);
  if (std::string_view(old_parent.name()) == "group" && !old_parent.child("primitive")) {
    const std::string group_id = old_parent.attribute("id").as_string();
    old_parent.parent().remove_child(old_parent);
    removeConstraintsOf(cib, group_id);
  }
  // pcs writes the clone's meta attributes after the resource it clones.
  pugi::xml_node set;
  for (const auto& [name, value] : meta) {
    if (value.empty()) continue;
    if (!set) {
      set = clone.append_child("meta_attributes");
      set.append_attribute("id") = uniqueId(cib, clone_id + "-meta_attributes").c_str();
    }
    pugi::xml_node pair = set.append_child("nvpair");
    pair.append_attribute("id") =
        uniqueId(cib, sanitizeId(clone_id + "-meta_attributes-" + name)).c_str();
    pair.append_attribute("name") = name.c_str();
    pair.append_attribute("value") = value.c_str();
  }
  return {};
}

Status apply(Cib& cib, const ResourceClone& edit, const EditContext&) {
  pugi::xml_node resource = findResource(cib, edit.id);
  if (!resource) return Error{"Unable to find resource or group with id " + edit.id};
  const std::string_view tag = resource.name();
  if (isCloneTag(tag)) return Error{"'" + edit.id + "' is already a clone resource"};
  if (tag == "bundle") return Error{"'" + edit.id + "' is a bundle resource, it cannot be cloned"};
  return cloneResource(cib, resource, edit.clone);
}

Status apply(Cib& cib, const ResourceUnclone& edit, const EditContext&) {
  pugi::xml_node found = findResource(cib, edit.id);
  if (!found) return Error{"could not find resource: " + edit.id};
  pugi::xml_node clone = found;
  if (!isCloneTag(found.name())) {
    clone = found.parent();
    if (std::string_view(clone.name()) == "group") clone = clone.parent();
    if (!isCloneTag(clone.name())) return Error{"'" + edit.id + "' is not a clone resource"};
  }
  pugi::xml_node inner = clone.find_child([](pugi::xml_node c) {
    const std::string_view t = c.name();
    return t == "primitive" || t == "group";
  });
  if (!inner) return Error{"'" + edit.id + "' is an empty clone"};
  const std::string clone_id = clone.attribute("id").as_string();
  clone.parent().insert_move_before(inner, clone);
  clone.parent().remove_child(clone);
  removeConstraintsOf(cib, clone_id);
  return {};
}

}  // namespace pulse::pcs::cibxml
