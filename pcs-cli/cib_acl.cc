// `pcs acl` on the CIB (cib_acl.h), following pcs 0.11's pcs/acl.py (the command line) and
// pcs/lib/cib/acl.py (the edits). Ids are pcs's: an acl_target's id is a user name, not an XML
// id, so it neither collides with nor reserves any other id.

#include "pcs-cli/cib_acl.h"

#include <algorithm>
#include <cctype>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include "pcs-cli/cib_edit.h"
#include "pcs-cli/cib_xml.h"

namespace pulse::pcs {
namespace {

using cibxml::Cib;

struct Permission {
  std::string kind, scope, value;  // read|write|deny, xpath|id, the xpath or the id
};

// Words and flags of one `pcs acl` command.
struct Words {
  std::vector<std::string> args;
  bool autodelete = false;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Error usage(const std::string& command) {
  return Error{"invalid usage of 'pcs acl " + command + "', see pcs acl --help"};
}

std::string typeName(std::string_view tag) {
  if (tag == "acl_group") return "ACL group";
  if (tag == "acl_permission") return "ACL permission";
  if (tag == "acl_role") return "ACL role";
  if (tag == "acl_target") return "ACL user";
  if (tag == "primitive") return "resource";
  if (tag == "master") return "clone";
  return std::string(tag);
}

// pcs's get_configuration_elements_by_id: elements outside the status whose id is `id`; an
// acl_target's, role's, obj_ref's and resource_ref's id is a reference, not an id.
pugi::xml_node configElementById(pugi::xml_node cib, std::string_view id) {
  for (pugi::xml_node section : cib.children()) {
    if (section.type() != pugi::node_element || std::string_view(section.name()) == "status") {
      continue;
    }
    const pugi::xml_node found = section.find_node([&](pugi::xml_node n) {
      const std::string_view tag = n.name();
      if (n.type() != pugi::node_element || tag == "acl_target" || tag == "role" ||
          tag == "obj_ref" || tag == "resource_ref") {
        return false;
      }
      return id == n.attribute("id").value();
    });
    if (found) return found;
  }
  return {};
}

bool idTaken(const Cib& cib, std::string_view id) { return configElementById(cib.cib, id); }

// pcs's find_unique_id with that id rule.
std::string aclUniqueId(const Cib& cib, const std::string& candidate) {
  std::string id = candidate;
  for (int counter = 1; idTaken(cib, id); ++counter) id = candidate + "-" + std::to_string(counter);
  return id;
}

// pcs's find_element_by_tag_and_id under <acls>: the element with one of `tags` and `id`, or an
// Error saying the id is missing or another element's. With `none_if_unused`, an id nothing
// uses gives a null node instead.
Result<pugi::xml_node> find(const Cib& cib, pugi::xml_node acls,
                            const std::vector<std::string_view>& tags, std::string_view id,
                            bool none_if_unused = false) {
  const pugi::xml_node found = acls.find_node([&](pugi::xml_node n) {
    return std::find(tags.begin(), tags.end(), std::string_view(n.name())) != tags.end() &&
           id == n.attribute("id").value();
  });
  if (found) return found;
  std::vector<std::string> names;
  for (std::string_view t : tags) names.push_back(typeName(t));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string types;
  std::string with_articles;
  for (const std::string& n : names) {
    types += (types.empty() ? "" : "/") + n;
    with_articles +=
        (with_articles.empty() ? "" : "/") + std::string(n.starts_with("ACL") ? "an " : "a ") + n;
  }
  if (const pugi::xml_node other = configElementById(cib.cib, id)) {
    return Error{"'" + std::string(id) + "' is not " + with_articles};
  }
  if (none_if_unused) return pugi::xml_node();
  return Error{types + " '" + std::string(id) + "' does not exist"};
}

// pcs's argv_to_permission_info_list: (read|write|deny) (xpath|id) VALUE triples.
Result<std::vector<Permission>> permissions(const std::vector<std::string>& words, std::size_t from,
                                            const std::string& command) {
  if ((words.size() - from) % 3 != 0) return usage(command);
  std::vector<Permission> out;
  for (std::size_t i = from; i < words.size(); i += 3) {
    Permission p{lower(words[i]), lower(words[i + 1]), words[i + 2]};
    if ((p.kind != "read" && p.kind != "write" && p.kind != "deny") ||
        (p.scope != "xpath" && p.scope != "id")) {
      return usage(command);
    }
    out.push_back(std::move(p));
  }
  return out;
}

// pcs's validate_permissions: an id scope must name an existing id.
Status validatePermissions(const Cib& cib, const std::vector<Permission>& list) {
  for (const Permission& p : list) {
    if (p.scope == "id" && !idTaken(cib, p.value)) {
      return Error{"id '" + p.value + "' does not exist"};
    }
  }
  return {};
}

void addPermissions(const Cib& cib, pugi::xml_node role, const std::vector<Permission>& list) {
  for (const Permission& p : list) {
    pugi::xml_node perm = role.append_child("acl_permission");
    perm.append_attribute("id") =
        aclUniqueId(cib, std::string(role.attribute("id").as_string("role")) + "-" + p.kind)
            .c_str();
    perm.append_attribute("kind") = p.kind.c_str();
    perm.append_attribute(p.scope == "xpath" ? "xpath" : "reference") = p.value.c_str();
  }
}

Result<pugi::xml_node> createRole(Cib& cib, pugi::xml_node acls, const std::string& id,
                                  const std::string& description) {
  if (Status s = cibxml::validateId(id, "ACL role"); !s) return s.error();
  if (idTaken(cib, id)) return Error{"'" + id + "' already exists"};
  pugi::xml_node role = acls.append_child("acl_role");
  role.append_attribute("id") = id.c_str();
  if (!description.empty()) role.append_attribute("description") = description.c_str();
  return role;
}

// pcs's _assign_role: the role must exist and not be assigned yet.
Status assignRole(const Cib& cib, pugi::xml_node acls, const std::string& role_id,
                  pugi::xml_node target) {
  auto role = find(cib, acls, {"acl_role"}, role_id);
  if (!role) return role.error();
  const std::string id = role->attribute("id").value();
  if (target.find_child_by_attribute("role", "id", id.c_str())) {
    return Error{"Role '" + id + "' is already assigned to '" + target.attribute("id").value() +
                 "'"};
  }
  target.append_child("role").append_attribute("id") = id.c_str();
  return {};
}

Status unassignRole(pugi::xml_node target, const std::string& role_id, bool autodelete) {
  bool found = false;
  while (pugi::xml_node r = target.find_child_by_attribute("role", "id", role_id.c_str())) {
    target.remove_child(r);
    found = true;
  }
  if (!found) {
    return Error{"Role '" + role_id + "' is not assigned to '" + target.attribute("id").value() +
                 "'"};
  }
  if (autodelete && !target.child("role")) target.parent().remove_child(target);
  return {};
}

// pcs's find_target_or_group: a user first; any other element's id is refused as not a user.
Result<pugi::xml_node> targetOrGroup(const Cib& cib, pugi::xml_node acls, const std::string& id) {
  auto target = find(cib, acls, {"acl_target"}, id, true);
  if (!target || *target) return target;
  return find(cib, acls, {"acl_group", "acl_target"}, id);
}

// `role assign|unassign ROLE [to|from] [user|group] NAME`: the target element the words name.
Result<pugi::xml_node> assignee(const Cib& cib, pugi::xml_node acls,
                                const std::vector<std::string>& a, const std::string& keyword,
                                const std::string& command) {
  std::string kind;
  std::string name;
  if (a.size() == 4) {
    name = a[3];
  } else if (a.size() == 5 && a[3] == keyword) {
    name = a[4];
  } else if (a.size() == 5 && (a[3] == "user" || a[3] == "group")) {
    kind = a[3];
    name = a[4];
  } else if (a.size() == 6 && a[3] == keyword && (a[4] == "user" || a[4] == "group")) {
    kind = a[4];
    name = a[5];
  } else {
    return usage(command);
  }
  if (kind == "user") return find(cib, acls, {"acl_target"}, name);
  if (kind == "group") return find(cib, acls, {"acl_group"}, name);
  return targetOrGroup(cib, acls, name);
}

Status roleCommand(Cib& cib, pugi::xml_node acls, const Words& w) {
  const std::vector<std::string>& a = w.args;
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (sub == "create") {
    if (a.size() < 3) return usage("role create");
    std::size_t next = 3;
    std::string description;
    const std::string key = "description=";
    if (a.size() > 3 && a[3].starts_with(key) && a[3].size() > key.size()) {
      description = a[3].substr(key.size());
      next = 4;
    }
    auto list = permissions(a, next, "role create");
    if (!list) return list.error();
    if (!list->empty()) {
      if (Status s = validatePermissions(cib, *list); !s) return s;
    }
    auto role = createRole(cib, acls, a[2], description);
    if (!role) return role.error();
    addPermissions(cib, *role, *list);
    return {};
  }
  if (sub == "delete" || sub == "remove") {
    if (a.size() != 3) return usage("role delete");
    auto role = find(cib, acls, {"acl_role"}, a[2]);
    if (!role) return role.error();
    acls.remove_child(*role);
    std::vector<pugi::xml_node> refs;
    for (pugi::xpath_node r : acls.select_nodes(".//role")) {
      if (a[2] == r.node().attribute("id").value()) refs.push_back(r.node());
    }
    for (pugi::xml_node r : refs) {
      pugi::xml_node owner = r.parent();
      owner.remove_child(r);
      if (w.autodelete && owner.select_nodes(".//role").empty()) {
        owner.parent().remove_child(owner);
      }
    }
    return {};
  }
  if (sub == "assign" || sub == "unassign") {
    const bool assign = sub == "assign";
    if (a.size() < 4) return usage("role " + sub);
    auto target = assignee(cib, acls, a, assign ? "to" : "from", "role " + sub);
    if (!target) return target.error();
    if (assign) return assignRole(cib, acls, a[2], *target);
    return unassignRole(*target, a[2], w.autodelete);
  }
  return usage("role");
}

// `user|group create NAME [ROLE...]` and `user|group delete|remove NAME`.
Status targetCommand(Cib& cib, pugi::xml_node acls, const Words& w) {
  const std::vector<std::string>& a = w.args;
  const bool user = a[0] == "user";
  const char* tag = user ? "acl_target" : "acl_group";
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (sub == "create") {
    if (a.size() < 3) return usage(a[0] + " create");
    const std::string& id = a[2];
    if (user) {
      if (acls.find_child_by_attribute("acl_target", "id", id.c_str())) {
        return Error{"'" + id + "' already exists"};
      }
    } else {
      if (Status s = cibxml::validateId(id, "ACL group"); !s) return s;
      if (idTaken(cib, id)) return Error{"'" + id + "' already exists"};
    }
    pugi::xml_node target = acls.append_child(tag);
    target.append_attribute("id") = id.c_str();
    for (std::size_t i = 3; i < a.size(); ++i) {
      if (Status s = assignRole(cib, acls, a[i], target); !s) return s;
    }
    return {};
  }
  if (sub == "delete" || sub == "remove") {
    if (a.size() != 3) return usage(a[0] + " delete");
    auto target = find(cib, acls, {tag}, a[2]);
    if (!target) return target.error();
    target->parent().remove_child(*target);
    return {};
  }
  return usage(a[0]);
}

Status permissionCommand(Cib& cib, pugi::xml_node acls, const Words& w) {
  const std::vector<std::string>& a = w.args;
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (sub == "add") {
    if (a.size() < 6) return usage("permission add");
    auto list = permissions(a, 3, "permission add");
    if (!list) return list.error();
    if (Status s = validatePermissions(cib, *list); !s) return s;
    auto role = find(cib, acls, {"acl_role"}, a[2], true);
    if (!role) return role.error();
    if (!*role) {
      role = createRole(cib, acls, a[2], "");
      if (!role) return role.error();
    }
    addPermissions(cib, *role, *list);
    return {};
  }
  if (sub == "delete" || sub == "remove") {
    if (a.size() != 3) return usage("permission delete");
    auto permission = find(cib, acls, {"acl_permission"}, a[2]);
    if (!permission) return permission.error();
    permission->parent().remove_child(*permission);
    return {};
  }
  return usage("permission");
}

// The flags each command takes (pcs's ensure_only_supported): --autodelete for role delete and
// unassign, nothing else.
Result<Words> split(const std::vector<std::string>& words) {
  Words w;
  for (const std::string& word : words) {
    if (!word.starts_with("-")) w.args.push_back(word);
  }
  const bool autodelete_allowed =
      w.args.size() > 1 && w.args[0] == "role" &&
      (w.args[1] == "delete" || w.args[1] == "remove" || w.args[1] == "unassign");
  for (const std::string& word : words) {
    if (!word.starts_with("-")) continue;
    if (word == "--autodelete" && autodelete_allowed) {
      w.autodelete = true;
      continue;
    }
    return Error{"Specified option '" + word + "' is not supported in this command"};
  }
  return w;
}

}  // namespace

bool aclIsView(const std::vector<std::string>& words) {
  return words.empty() || words[0] == "config" || words[0] == "show";
}

Result<std::string> applyAcl(const std::string& cib_xml, const std::vector<std::string>& words) {
  auto w = split(words);
  if (!w) return w.error();
  const std::vector<std::string>& a = w->args;
  if (a.empty()) return usage("");
  if (a[0] == "enable" || a[0] == "disable") {
    if (a.size() != 1) return usage(a[0]);
    return applyEdit(cib_xml, PropertySet{{{"enable-acl", a[0] == "enable" ? "true" : "false"}}});
  }
  Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  pugi::xml_node acls = cibxml::section(cib, "acls");
  Status done;
  if (a[0] == "role") {
    done = roleCommand(cib, acls, *w);
  } else if (a[0] == "user" || a[0] == "group") {
    done = targetCommand(cib, acls, *w);
  } else if (a[0] == "permission") {
    done = permissionCommand(cib, acls, *w);
  } else {
    return usage(a[0]);
  }
  if (!done) return done.error();
  return cibxml::finish(cib);
}

Result<std::string> aclConfig(const std::string& cib_xml) {
  Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  auto enabled = clusterProperty(cib_xml, "enable-acl");
  if (!enabled) return enabled.error();
  const std::string value = lower(*enabled);
  const bool on =
      value == "true" || value == "on" || value == "yes" || value == "y" || value == "1";
  std::ostringstream out;
  out << (on ? "ACLs are enabled" : "ACLs are disabled, run 'pcs acl enable' to enable") << "\n\n";
  const pugi::xml_node acls = cib.configuration.child("acls");
  for (const char* tag : {"acl_target", "acl_group"}) {
    for (pugi::xml_node t : acls.children(tag)) {
      out << (std::string_view(tag) == "acl_target" ? "User: " : "Group: ")
          << t.attribute("id").value() << "\n  Roles:";
      for (pugi::xml_node r : t.children("role")) {
        if (*r.attribute("id").value() != '\0') out << " " << r.attribute("id").value();
      }
      out << "\n";
    }
  }
  for (pugi::xml_node role : acls.children("acl_role")) {
    out << "Role: " << role.attribute("id").value() << "\n";
    if (*role.attribute("description").value() != '\0') {
      out << "  Description: " << role.attribute("description").value() << "\n";
    }
    for (pugi::xml_node p : role.children("acl_permission")) {
      out << "  Permission: " << p.attribute("kind").value();
      if (p.attribute("xpath")) {
        out << " xpath " << p.attribute("xpath").value();
      } else if (p.attribute("reference")) {
        out << " id " << p.attribute("reference").value();
      }
      out << " (" << p.attribute("id").value() << ")\n";
    }
  }
  return out.str();
}

}  // namespace pulse::pcs
