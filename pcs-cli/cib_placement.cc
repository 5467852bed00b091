// pcs resource move / ban / clear: the cli-prefer-* and cli-ban-* location constraints that
// crm_resource --move/--ban/--clear write (role Started, as Pacemaker 2.1 does; with
// --promoted role Promoted, on the promotable clone only).
#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

Status checkNode(const Cib& cib, const std::string& node) {
  if (cib.configuration.child("nodes").find_child_by_attribute("node", "uname", node.c_str())) {
    return {};
  }
  return Error{"Node '" + node + "' does not appear to exist in configuration"};
}

bool isPromotableClone(pugi::xml_node resource) {
  const std::string_view tag = resource.name();
  if (tag == "master") return true;
  return tag == "clone" && nvValue(resource, "meta_attributes", "promotable") == "true";
}

// The promotable clone `resource` is in (directly or through a group), or null.
pugi::xml_node promotableParent(pugi::xml_node resource) {
  for (pugi::xml_node p = resource.parent(); p && std::string_view(p.name()) != "resources";
       p = p.parent()) {
    if (isPromotableClone(p)) return p;
  }
  return {};
}

// pcs 0.11's checks (validate_move/ban/unmove_unban): --promoted needs the promotable clone's
// id; a plain move of a resource inside a promotable clone is refused (its constraint would
// outlive a later unclone).
Status checkRole(pugi::xml_node resource, bool promoted, bool is_move) {
  pugi::xml_node parent = promotableParent(resource);
  const std::string in_parent =
      parent ? std::string(" (") + parent.attribute("id").as_string() + ")" : "";
  if (promoted && !isPromotableClone(resource)) {
    return Error{"when specifying --promoted you must use the promotable clone id" + in_parent};
  }
  if (is_move && !promoted && parent) {
    return Error{
        "to move promotable clone resources you must use --promoted and the promotable "
        "clone id" +
        in_parent};
  }
  return {};
}

// Replaces any constraint with this id: crm_resource overwrites its own constraints.
void putLocation(Cib& cib, const std::string& id, const std::string& rsc, const std::string& node,
                 const char* score, bool promoted) {
  pugi::xml_node constraints = section(cib, "constraints");
  if (pugi::xml_node old = constraints.find_child_by_attribute("id", id.c_str())) {
    constraints.remove_child(old);
  }
  pugi::xml_node c = constraints.append_child("rsc_location");
  c.append_attribute("id") = id.c_str();
  c.append_attribute("rsc") = rsc.c_str();
  c.append_attribute("role") = promoted ? "Promoted" : "Started";
  c.append_attribute("node") = node.c_str();
  c.append_attribute("score") = score;
}

// crm_resource's words when no node was given and there is no single current node.
Error noCurrentNode(const std::string& rsc, const EditContext& context, const char* verb) {
  if (context.active > 0 && context.promotable) {
    return Error{"Resource '" + rsc + "' not " + verb + ": active in " +
                 std::to_string(context.active) + " locations (promoted in " +
                 std::to_string(context.promoted) + ").\nTo prevent '" + rsc +
                 "' from running on a specific location, specify a node.To prevent '" + rsc +
                 "' from being promoted at a specific location, specify a node and the "
                 "--promoted option."};
  }
  return Error{"Resource '" + rsc + "' not " + verb + ": active in " +
               std::to_string(context.active) + " locations.\nTo prevent '" + rsc +
               "' from running on a specific location, specify a node."};
}

Status ban(Cib& cib, const std::string& rsc, std::string node, bool promoted,
           const EditContext& context, const char* verb, bool is_move) {
  pugi::xml_node resource = findResource(cib, rsc);
  if (!resource) return Error{"Resource '" + rsc + "' does not exist"};
  if (Status s = checkRole(resource, promoted, is_move); !s) return s;
  if (node.empty()) node = context.current_node;
  if (node.empty()) return noCurrentNode(rsc, context, verb);
  if (Status s = checkNode(cib, node); !s) return s;
  putLocation(cib, sanitizeId("cli-ban-" + rsc + "-on-" + node), rsc, node, "-INFINITY", promoted);
  return {};
}

}  // namespace

Status apply(Cib& cib, const ResourceMove& edit, const EditContext& context) {
  if (edit.node.empty()) return ban(cib, edit.id, "", edit.promoted, context, "moved", true);
  pugi::xml_node resource = findResource(cib, edit.id);
  if (!resource) return Error{"Resource '" + edit.id + "' does not exist"};
  if (Status s = checkRole(resource, edit.promoted, true); !s) return s;
  if (Status s = checkNode(cib, edit.node); !s) return s;
  if (edit.node == context.current_node) {
    return Error{"Error performing operation: Situation already as requested"};
  }
  // As crm_resource: a ban on the destination would keep the resource away, so it goes.
  pugi::xml_node constraints = section(cib, "constraints");
  const std::string ban_id = sanitizeId("cli-ban-" + edit.id + "-on-" + edit.node);
  if (pugi::xml_node old = constraints.find_child_by_attribute("id", ban_id.c_str())) {
    constraints.remove_child(old);
  }
  putLocation(cib, sanitizeId("cli-prefer-" + edit.id), edit.id, edit.node, "INFINITY",
              edit.promoted);
  return {};
}

Status apply(Cib& cib, const ResourceBan& edit, const EditContext& context) {
  return ban(cib, edit.id, edit.node, edit.promoted, context, "banned", false);
}

// crm_resource --clear removes the resource's cli-* constraints whatever their role; with
// --promoted it only insists on the promotable clone's id.
Status apply(Cib& cib, const ResourceClear& edit, const EditContext&) {
  pugi::xml_node resource = findResource(cib, edit.id);
  if (!resource) return Error{"Resource '" + edit.id + "' does not exist"};
  if (Status s = checkRole(resource, edit.promoted, false); !s) return s;
  pugi::xml_node constraints = cib.configuration.child("constraints");
  const std::string prefer = "cli-prefer-" + edit.id;
  const std::string ban_prefix = "cli-ban-" + edit.id + "-on-";
  for (pugi::xml_node c = constraints.first_child(); c;) {
    pugi::xml_node next = c.next_sibling();
    const std::string id = c.attribute("id").as_string();
    const bool ours = id == prefer || id.rfind(ban_prefix, 0) == 0;
    if (ours && (edit.node.empty() || edit.node == c.attribute("node").as_string())) {
      constraints.remove_child(c);
    }
    c = next;
  }
  return {};
}

}  // namespace pulse::pcs::cibxml
