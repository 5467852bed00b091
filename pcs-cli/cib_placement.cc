// pcs resource move / ban / clear: the cli-prefer-* and cli-ban-* location constraints that
// crm_resource --move/--ban/--clear write (role Started, as Pacemaker 2.1 does).
#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

Status checkNode(const Cib& cib, const std::string& node) {
  if (cib.configuration.child("nodes").find_child_by_attribute("node", "uname", node.c_str())) {
    return {};
  }
  return Error{"Node '" + node + "' does not appear to exist in configuration"};
}

// Replaces any constraint with this id: crm_resource overwrites its own constraints.
void putLocation(Cib& cib, const std::string& id, const std::string& rsc, const std::string& node,
                 const char* score) {
  pugi::xml_node constraints = section(cib, "constraints");
  if (pugi::xml_node old = constraints.find_child_by_attribute("id", id.c_str())) {
    constraints.remove_child(old);
  }
  pugi::xml_node c = constraints.append_child("rsc_location");
  c.append_attribute("id") = id.c_str();
  c.append_attribute("rsc") = rsc.c_str();
  c.append_attribute("role") = "Started";
  c.append_attribute("node") = node.c_str();
  c.append_attribute("score") = score;
}

Status ban(Cib& cib, const std::string& rsc, std::string node, const EditContext& context,
           const char* verb) {
  if (!findResource(cib, rsc)) return Error{"Resource '" + rsc + "' does not exist"};
  if (node.empty()) node = context.current_node;
  if (node.empty()) {
    return Error{"Resource '" + rsc + "' not " + verb + ": active in 0 locations.\nTo prevent '" +
                 rsc + "' from running on a specific location, specify a node."};
  }
  if (Status s = checkNode(cib, node); !s) return s;
  putLocation(cib, sanitizeId("cli-ban-" + rsc + "-on-" + node), rsc, node, "-INFINITY");
  return {};
}

}  // namespace

Status apply(Cib& cib, const ResourceMove& edit, const EditContext& context) {
  if (edit.node.empty()) return ban(cib, edit.id, "", context, "moved");
  if (!findResource(cib, edit.id)) return Error{"Resource '" + edit.id + "' does not exist"};
  if (Status s = checkNode(cib, edit.node); !s) return s;
  if (edit.node == context.current_node) {
    return Error{"Error performing operation: Situation already as requested"};
  }
  putLocation(cib, sanitizeId("cli-prefer-" + edit.id), edit.id, edit.node, "INFINITY");
  return {};
}

Status apply(Cib& cib, const ResourceBan& edit, const EditContext& context) {
  return ban(cib, edit.id, edit.node, context, "banned");
}

Status apply(Cib& cib, const ResourceClear& edit, const EditContext&) {
  if (!findResource(cib, edit.id)) return Error{"Resource '" + edit.id + "' does not exist"};
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
