// pcs resource move / ban / clear: the cli-prefer-* and cli-ban-* location constraints that
// crm_resource --move/--ban/--clear write (role Started, as Pacemaker 2.1 does; with
// --promoted role Promoted, on the promotable clone only).
#include <algorithm>
#include <sstream>

#include "cib_commands.h"
#include "policy-engine/xml_dates.h"

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

// "" without a lifetime; else when the constraint stops holding ("2026-12-07 11:39:34Z").
Result<std::string> lifetimeEnd(const std::string& lifetime, const char* verb,
                                const std::string& rsc, const EditContext& context) {
  if (lifetime.empty()) return std::string();
  auto end = pe::addIsoDuration(context.now, lifetime);
  if (!end) {
    return Error{std::string("cannot ") + verb + " resource '" + rsc +
                 "'\nInvalid duration specified: " + lifetime +
                 "\nPlease refer to https://en.wikipedia.org/wiki/ISO_8601#Durations for "
                 "examples of valid durations"};
  }
  return pe::formatIsoDateTime(*end);
}

// Replaces any constraint with this id: crm_resource overwrites its own constraints. With an
// end, the node and score move into a rule that holds until then, with crm_resource's ids.
void putLocation(Cib& cib, const std::string& id, const std::string& rsc, const std::string& node,
                 const char* score, bool promoted, const std::string& until) {
  pugi::xml_node constraints = section(cib, "constraints");
  if (pugi::xml_node old = constraints.find_child_by_attribute("id", id.c_str())) {
    constraints.remove_child(old);
  }
  pugi::xml_node c = constraints.append_child("rsc_location");
  c.append_attribute("id") = id.c_str();
  c.append_attribute("rsc") = rsc.c_str();
  c.append_attribute("role") = promoted ? "Promoted" : "Started";
  if (until.empty()) {
    c.append_attribute("node") = node.c_str();
    c.append_attribute("score") = score;
    return;
  }
  const bool prefer = id.starts_with("cli-prefer-");
  auto child_id = [&](const char* part) {
    return prefer ? sanitizeId(std::string("cli-prefer-") + part + "-" + rsc)
                  : id + "-" + (std::string_view(part) == "lifetime-end" ? "lifetime" : part);
  };
  pugi::xml_node rule = c.append_child("rule");
  rule.append_attribute("id") = child_id("rule").c_str();
  rule.append_attribute("score") = score;
  rule.append_attribute("boolean-op") = "and";
  pugi::xml_node expr = rule.append_child("expression");
  expr.append_attribute("id") = child_id("expr").c_str();
  expr.append_attribute("attribute") = "#uname";
  expr.append_attribute("operation") = "eq";
  expr.append_attribute("value") = node.c_str();
  expr.append_attribute("type") = "string";
  pugi::xml_node date = rule.append_child("date_expression");
  date.append_attribute("id") = child_id("lifetime-end").c_str();
  date.append_attribute("operation") = "lt";
  date.append_attribute("end") = until.c_str();
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

Status ban(Cib& cib, const ResourceBan& edit, const EditContext& context, bool is_move) {
  const std::string& rsc = edit.id;
  pugi::xml_node resource = findResource(cib, rsc);
  if (!resource) return Error{"Resource '" + rsc + "' does not exist"};
  if (Status s = checkRole(resource, edit.promoted, is_move); !s) return s;
  const std::string node = edit.node.empty() ? context.current_node : edit.node;
  if (node.empty()) {
    // pcs's own words where crm_resource finds the resource running nowhere.
    if (context.active == 0) {
      return Error{"You must specify a node when moving/banning a stopped resource"};
    }
    return noCurrentNode(rsc, context, is_move ? "moved" : "banned");
  }
  if (Status s = checkNode(cib, node); !s) return s;
  auto until = lifetimeEnd(edit.lifetime, is_move ? "move" : "ban", rsc, context);
  if (!until.ok()) return until.error();
  putLocation(cib, sanitizeId("cli-ban-" + rsc + "-on-" + node), rsc, node, "-INFINITY",
              edit.promoted, *until);
  return {};
}

}  // namespace

Status apply(Cib& cib, const ResourceMove& edit, const EditContext& context) {
  if (edit.node.empty()) {
    return ban(cib, ResourceBan{edit.id, "", edit.promoted, edit.lifetime}, context, true);
  }
  pugi::xml_node resource = findResource(cib, edit.id);
  if (!resource) return Error{"Resource '" + edit.id + "' does not exist"};
  if (Status s = checkRole(resource, edit.promoted, true); !s) return s;
  if (Status s = checkNode(cib, edit.node); !s) return s;
  if (edit.node == context.current_node) {
    return Error{"Error performing operation: Situation already as requested"};
  }
  auto until = lifetimeEnd(edit.lifetime, "move", edit.id, context);
  if (!until.ok()) return until.error();
  // As crm_resource: a ban on the destination would keep the resource away, so it goes.
  pugi::xml_node constraints = section(cib, "constraints");
  const std::string ban_id = sanitizeId("cli-ban-" + edit.id + "-on-" + edit.node);
  if (pugi::xml_node old = constraints.find_child_by_attribute("id", ban_id.c_str())) {
    constraints.remove_child(old);
  }
  putLocation(cib, sanitizeId("cli-prefer-" + edit.id), edit.id, edit.node, "INFINITY",
              edit.promoted, *until);
  return {};
}

Status apply(Cib& cib, const ResourceBan& edit, const EditContext& context) {
  return ban(cib, edit, context, false);
}

// crm_resource --clear removes the resource's cli-* constraints whatever their role; with
// --promoted it only insists on the promotable clone's id. With a node it removes that node's
// ban and a move constraint to that node (its node attribute, or its rule's when it has a
// lifetime).
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
    const std::string on_node =
        c.attribute("node") ? c.attribute("node").value()
                            : c.child("rule").child("expression").attribute("value").value();
    const bool remove = edit.node.empty() ? id == prefer || id.starts_with(ban_prefix)
                                          : id == sanitizeId(ban_prefix + edit.node) ||
                                                (id == prefer && on_node == edit.node);
    if (remove) constraints.remove_child(c);
    c = next;
  }
  return {};
}

}  // namespace pulse::pcs::cibxml

namespace pulse::pcs {
namespace {

// The resource's cli-* constraints by id, each with its XML text (to tell new from kept).
std::vector<std::pair<std::string, std::string>> cliConstraints(const std::string& cib_xml,
                                                                const std::string& rsc) {
  std::vector<std::pair<std::string, std::string>> out;
  pugi::xml_document doc;
  if (!doc.load_string(cib_xml.c_str())) return out;
  for (pugi::xml_node c :
       doc.child("cib").child("configuration").child("constraints").children("rsc_location")) {
    const std::string id = c.attribute("id").as_string();
    if (id != "cli-prefer-" + rsc && !id.starts_with("cli-ban-" + rsc + "-on-")) continue;
    std::ostringstream text;
    c.print(text, "", pugi::format_raw);
    out.emplace_back(id, text.str());
  }
  return out;
}

// "Migration will take effect until: …" for a constraint that has a lifetime.
std::string lifetimeLine(const std::string& constraint_xml) {
  pugi::xml_document doc;
  doc.load_string(constraint_xml.c_str());
  pugi::xml_node date = doc.first_child().child("rule").child("date_expression");
  return date ? "Migration will take effect until: " + std::string(date.attribute("end").value()) +
                    "\n"
              : "";
}

std::string banWarning(const std::string& constraint_xml, const std::string& rsc) {
  pugi::xml_document doc;
  doc.load_string(constraint_xml.c_str());
  pugi::xml_node c = doc.first_child();
  std::string node = c.attribute("node").value();
  if (node.empty()) node = c.child("rule").child("expression").attribute("value").value();
  const bool promoted = std::string_view(c.attribute("role").value()) == "Promoted";
  return lifetimeLine(constraint_xml) + "Warning: Creating location constraint '" +
         c.attribute("id").value() + "' with a score of -INFINITY for resource " + rsc + " on " +
         node + ".\n\tThis will prevent " + rsc + " from " +
         (promoted ? "being promoted" : "running") + " on " + node +
         " until the constraint is removed\n\tThis will be the case even if " + node +
         " is the last node in the cluster\n";
}

// crm_resource --clear removes the bans node by node (in the CIB's node order), then the move
// constraint, and says so for each constraint it removes.
std::string clearReport(const std::string& rsc, const std::string& before,
                        const std::string& after) {
  const auto now = cliConstraints(after, rsc);
  std::vector<std::pair<std::string, std::string>> removed;
  for (const auto& constraint : cliConstraints(before, rsc)) {
    auto same_id = [&](const auto& c) { return c.first == constraint.first; };
    if (std::none_of(now.begin(), now.end(), same_id)) removed.push_back(constraint);
  }
  pugi::xml_document doc;
  doc.load_string(before.c_str());
  std::vector<std::string> nodes;  // each node's ban id, in the CIB's node order
  for (pugi::xml_node n : doc.child("cib").child("configuration").child("nodes").children("node"))
    nodes.push_back(cibxml::sanitizeId("cli-ban-" + rsc + "-on-" + n.attribute("uname").value()));
  // The ban's node's place (a ban of an unknown node after the known ones), the move last.
  auto rank = [&](const std::pair<std::string, std::string>& constraint) {
    if (constraint.first.starts_with("cli-prefer-")) return nodes.size() + 1;
    return static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), constraint.first) -
                                    nodes.begin());
  };
  std::stable_sort(removed.begin(), removed.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  std::string out;
  for (const auto& [id, text] : removed) out += "Removing constraint: " + id + "\n";
  return out;
}

}  // namespace

std::string placementReport(const Edit& edit, const EditContext& context, const std::string& before,
                            const std::string& after) {
  std::string rsc, node;
  bool prefer = false;
  if (const auto* move = std::get_if<ResourceMove>(&edit)) {
    rsc = move->id;
    node = move->node;
    prefer = !node.empty();
  } else if (const auto* ban = std::get_if<ResourceBan>(&edit)) {
    rsc = ban->id;
    node = ban->node;
  } else if (const auto* clear = std::get_if<ResourceClear>(&edit)) {
    return clearReport(clear->id, before, after);
  } else if (const auto* level = std::get_if<FencingLevelAdd>(&edit)) {
    return cibxml::fencingLevelAddReport(*level, before);
  } else {
    return "";
  }
  if (node.empty()) node = context.current_node;
  const std::string id = prefer ? cibxml::sanitizeId("cli-prefer-" + rsc)
                                : cibxml::sanitizeId("cli-ban-" + rsc + "-on-" + node);
  for (const auto& [constraint_id, text] : cliConstraints(after, rsc)) {
    if (constraint_id != id) continue;
    if (!prefer) return banWarning(text, rsc);
    const std::string until = lifetimeLine(text);
    return !until.empty() ? until
                          : "Warning: A move constraint has been created and the resource '" + rsc +
                                "' may or may not move depending on other configuration\n";
  }
  return "";
}

}  // namespace pulse::pcs
