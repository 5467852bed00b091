// The ACL evaluator (cib_acl.h). Flags live in a map beside the document (pugixml nodes carry
// no private data); they are computed once per document, and a node removed from the document
// is never looked up again.

#include "crmd/cib/cib_acl.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <pugixml.hpp>
#include <sstream>
#include <vector>

namespace pulse::crmd {
namespace {

enum Flag : std::uint8_t { kRead = 1, kWrite = 2, kDeny = 4 };

struct Permission {
  std::uint8_t mode = 0;
  std::string xpath;
};

using Flags = std::map<const void*, std::uint8_t>;

std::uint8_t flagsOf(const Flags& flags, pugi::xml_node node) {
  const auto it = flags.find(node.internal_object());
  return it == flags.end() ? 0 : it->second;
}

std::uint8_t modeOf(std::string_view kind) {
  if (kind == "read") return kRead;
  if (kind == "write") return kWrite;
  if (kind == "deny") return kDeny;
  return 0;
}

// Pacemaker's create_acl: the xpath as given, else one built from reference, object-type and
// attribute.
void addPermission(pugi::xml_node entry, std::uint8_t mode, std::vector<Permission>& out) {
  if (mode == 0) return;
  const std::string xpath = entry.attribute("xpath").value();
  const std::string ref = entry.attribute("reference").value();
  const std::string tag = entry.attribute("object-type").value();
  const std::string attr = entry.attribute("attribute").value();
  if (!xpath.empty()) {
    out.push_back({mode, xpath});
    return;
  }
  if (ref.empty() && tag.empty() && attr.empty()) return;
  std::string built = "//" + (tag.empty() ? std::string("*") : tag);
  if (!ref.empty() && !attr.empty()) {
    built += "[@id='" + ref + "' and @" + attr + "]";
  } else if (!ref.empty()) {
    built += "[@id='" + ref + "']";
  } else if (!attr.empty()) {
    built += "[@" + attr + "]";
  }
  out.push_back({mode, built});
}

// Pacemaker's parse_acl_entry: an entry's roles (and, in the older acl_user schema, its own
// read/write/deny children).
void addEntry(pugi::xml_node acls, pugi::xml_node entry, std::vector<Permission>& out) {
  for (pugi::xml_node child : entry.children()) {
    const std::string_view name = child.name();
    if (name == "role" || name == "role_ref") {
      const pugi::xml_node role =
          acls.find_child_by_attribute("acl_role", "id", child.attribute("id").value());
      for (pugi::xml_node p : role.children("acl_permission")) {
        addPermission(p, modeOf(p.attribute("kind").value()), out);
      }
    } else if (name == "acl_permission") {
      addPermission(child, modeOf(child.attribute("kind").value()), out);
    } else {
      addPermission(child, modeOf(name), out);
    }
  }
}

// Every permission that applies to `user`, from the CIB whose ACLs are in force.
std::vector<Permission> permissionsFor(const pugi::xml_document& acl_source, const AclUser& user) {
  std::vector<Permission> out;
  const pugi::xml_node acls = acl_source.child("cib").child("configuration").child("acls");
  for (pugi::xml_node entry : acls.children()) {
    const std::string_view name = entry.name();
    const std::string id = entry.attribute("id").value();
    if (name == "acl_target" || name == "acl_user") {
      const std::string target = entry.attribute("name") ? entry.attribute("name").value() : id;
      if (target == user.name) addEntry(acls, entry, out);
    } else if (name == "acl_group") {
      const std::string group = entry.attribute("name") ? entry.attribute("name").value() : id;
      if (!group.empty() && user.in_group(group)) addEntry(acls, entry, out);
    }
  }
  return out;
}

// The elements `xpath` selects in `doc`: an attribute or text selects its element, the document
// its root. A bad xpath selects nothing (Pacemaker logs it and goes on).
std::vector<pugi::xml_node> select(const pugi::xml_document& doc, const std::string& xpath) {
  std::vector<pugi::xml_node> out;
  try {
    const pugi::xpath_query query(xpath.c_str());
    for (const pugi::xpath_node& match : query.evaluate_node_set(doc)) {
      pugi::xml_node node = match.attribute() ? match.parent() : match.node();
      if (node.type() == pugi::node_document) node = node.first_child();
      if (node.type() != pugi::node_element) node = node.parent();
      if (node.type() == pugi::node_element) out.push_back(node);
    }
  } catch (const std::exception&) {
    out.clear();
  }
  return out;
}

Flags applyPermissions(const pugi::xml_document& doc, const std::vector<Permission>& permissions) {
  Flags flags;
  for (const Permission& p : permissions) {
    for (pugi::xml_node node : select(doc, p.xpath)) flags[node.internal_object()] |= p.mode;
  }
  return flags;
}

// Pacemaker's test_acl_mode on one element's own flags.
bool grants(std::uint8_t own, std::uint8_t wanted) {
  if (own & kDeny) return false;
  if (wanted == kRead) return (own & (kRead | kWrite)) != 0;
  return (own & kWrite) != 0;
}

// Pacemaker's pcmk__check_acl: the nearest ancestor-or-self that grants decides, unless a deny
// is met first.
bool allowed(const Flags& flags, pugi::xml_node node, std::uint8_t wanted) {
  for (; node && node.type() == pugi::node_element; node = node.parent()) {
    const std::uint8_t own = flagsOf(flags, node);
    if (grants(own, wanted)) return true;
    if (own & kDeny) return false;
  }
  return false;
}

// Pacemaker's purge_xml_attributes: keeps a readable element whole; strips any other to its id,
// keeping it only when something below it is readable. False when `node` was removed.
bool purge(const Flags& flags, pugi::xml_node node) {
  if (grants(flagsOf(flags, node), kRead)) return true;
  for (pugi::xml_attribute a = node.first_attribute(); a;) {
    const pugi::xml_attribute next = a.next_attribute();
    if (std::string_view(a.name()) != "id") node.remove_attribute(a);
    a = next;
  }
  bool readable_children = false;
  for (pugi::xml_node child = node.first_child(); child;) {
    const pugi::xml_node next = child.next_sibling();
    if (child.type() == pugi::node_element) readable_children |= purge(flags, child);
    child = next;
  }
  if (!readable_children) node.parent().remove_child(node);
  return readable_children;
}

Error denied(const AclUser& user, std::string_view what) {
  return Error{"Permission denied: ACLs do not let user '" + user.name + "' " + std::string(what)};
}

// Pacemaker's pcmk__element_xpath: /cib/configuration/resources/primitive[@id='vip'].
std::string pathOf(pugi::xml_node node) {
  std::string path;
  for (; node && node.type() == pugi::node_element; node = node.parent()) {
    std::string step = "/" + std::string(node.name());
    if (const pugi::xml_attribute id = node.attribute("id")) {
      step += "[@id='" + std::string(id.value()) + "']";
    }
    path = step + path;
  }
  return path;
}

// The cluster's own attributes of <cib>: every write changes them, none is the writer's choice.
bool bookkeeping(pugi::xml_node node, std::string_view attribute) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "epoch",         "num_updates", "cib-last-written", "update-origin",
      "update-client", "update-user", "have-quorum",      "dc-uuid"};
  return std::string_view(node.name()) == "cib" && !node.parent().parent() &&
         std::find(kNames.begin(), kNames.end(), attribute) != kNames.end();
}

// The old child `proposed` stands for: same name and id, or for elements without an id the
// same name at the same position among its id-less namesakes.
pugi::xml_node counterpart(pugi::xml_node parent, pugi::xml_node child, int position) {
  const pugi::xml_attribute id = child.attribute("id");
  int seen = 0;
  for (pugi::xml_node c : parent.children(child.name())) {
    if (id) {
      const pugi::xml_attribute other = c.attribute("id");
      if (other && std::string_view(other.value()) == id.value()) return c;
    } else if (!c.attribute("id") && seen++ == position) {
      return c;
    }
  }
  return {};
}

int positionOf(pugi::xml_node child) {
  if (child.attribute("id")) return 0;
  int position = 0;
  for (pugi::xml_node c = child.previous_sibling(child.name()); c;
       c = c.previous_sibling(child.name())) {
    if (!c.attribute("id")) ++position;
  }
  return position;
}

bool onlyId(pugi::xml_node node) {
  for (pugi::xml_attribute a : node.attributes()) {
    if (std::string_view(a.name()) != "id") return false;
  }
  return true;
}

bool underAcls(pugi::xml_node node) {
  for (; node; node = node.parent()) {
    if (std::string_view(node.name()) == "acls") return true;
  }
  return false;
}

struct WriteCheck {
  const Flags& old_flags;
  const Flags& new_flags;
  const AclUser& user;

  // Pacemaker's pcmk__apply_creation_acl: scaffolding is implicitly allowed, anything else
  // needs write rights; its children are checked the same way.
  Status created(pugi::xml_node node) const {
    if (!(onlyId(node) && !underAcls(node)) && !allowed(new_flags, node, kWrite)) {
      return denied(user, "create " + pathOf(node));
    }
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (Status s = created(child); !s) return s;
    }
    return {};
  }

  Status compare(pugi::xml_node before, pugi::xml_node after) const {
    bool changed = false;
    for (pugi::xml_attribute a : after.attributes()) {
      if (bookkeeping(after, a.name())) continue;
      const pugi::xml_attribute old = before.attribute(a.name());
      changed |= !old || std::string_view(old.value()) != a.value();
    }
    for (pugi::xml_attribute a : before.attributes()) {
      if (!bookkeeping(before, a.name()) && !after.attribute(a.name())) changed = true;
    }
    if (changed && !allowed(new_flags, after, kWrite)) {
      return denied(user, "change " + pathOf(after));
    }
    // Order among siblings is configuration too (it breaks placement ties and orders a
    // group's members): a child placed before one it used to follow has moved, which needs
    // write rights on it, as Pacemaker marks a moved child changed.
    std::map<pugi::xml_node_struct*, int> old_index;
    int index = 0;
    for (pugi::xml_node child : before.children()) {
      if (child.type() == pugi::node_element) old_index[child.internal_object()] = index++;
    }
    int latest = -1;
    for (pugi::xml_node child : after.children()) {
      if (child.type() != pugi::node_element) continue;
      const pugi::xml_node old = counterpart(before, child, positionOf(child));
      if (!old) {
        if (Status s = created(child); !s) return s;
        continue;
      }
      const int was = old_index[old.internal_object()];
      if (was < latest && !allowed(new_flags, child, kWrite)) {
        return denied(user, "move " + pathOf(child));
      }
      latest = std::max(latest, was);
      if (Status s = compare(old, child); !s) return s;
    }
    for (pugi::xml_node child : before.children()) {
      if (child.type() != pugi::node_element) continue;
      if (counterpart(after, child, positionOf(child))) continue;
      if (!allowed(old_flags, child, kWrite)) return denied(user, "delete " + pathOf(child));
    }
    return {};
  }
};

}  // namespace

bool aclRequired(std::string_view user) {
  return !user.empty() && user != "root" && user != "hacluster";
}

bool aclEnabled(std::string_view cib_xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(cib_xml.data(), cib_xml.size())) return false;
  for (pugi::xml_node set : doc.child("cib")
                                .child("configuration")
                                .child("crm_config")
                                .children("cluster_property_set")) {
    const pugi::xml_node nv = set.find_child_by_attribute("nvpair", "name", "enable-acl");
    if (!nv) continue;
    std::string value = nv.attribute("value").value();
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return value == "true" || value == "on" || value == "yes" || value == "y" || value == "1";
  }
  return false;
}

Result<std::string> aclFilteredRead(std::string_view cib_xml, const AclUser& user) {
  pugi::xml_document doc;
  if (!doc.load_buffer(cib_xml.data(), cib_xml.size())) {
    return Error{"Permission denied: the CIB does not parse, so its ACLs cannot be applied"};
  }
  const std::vector<Permission> permissions = permissionsFor(doc, user);
  const Flags flags = applyPermissions(doc, permissions);
  const pugi::xml_node root = doc.document_element();
  for (const Permission& p : permissions) {
    if (p.mode != kDeny) continue;
    // Deepest first: purging an element removes only its own subtree, so every match still
    // to come is attached.
    std::vector<pugi::xml_node> matches = select(doc, p.xpath);
    std::reverse(matches.begin(), matches.end());
    for (pugi::xml_node match : matches) {
      if (!purge(flags, match) && match == root) {
        return denied(user, "read any part of the CIB");
      }
    }
  }
  if (!doc.document_element() || !purge(flags, doc.document_element())) {
    return denied(user, "read any part of the CIB");
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
  return out.str();
}

Status aclCheckWrite(std::string_view current_xml, std::string_view proposed_xml,
                     const AclUser& user) {
  pugi::xml_document before;
  pugi::xml_document after;
  if (!before.load_buffer(current_xml.data(), current_xml.size()) ||
      !after.load_buffer(proposed_xml.data(), proposed_xml.size())) {
    return Error{"Permission denied: a CIB does not parse, so its ACLs cannot be applied"};
  }
  const std::vector<Permission> permissions = permissionsFor(before, user);
  const Flags old_flags = applyPermissions(before, permissions);
  const Flags new_flags = applyPermissions(after, permissions);
  const WriteCheck check{old_flags, new_flags, user};
  const pugi::xml_node old_root = before.document_element();
  const pugi::xml_node new_root = after.document_element();
  if (!new_root) return denied(user, "delete the CIB");
  if (!old_root || std::string_view(old_root.name()) != new_root.name()) {
    return check.created(new_root);
  }
  return check.compare(old_root, new_root);
}

Result<std::string> aclScopedWrite(std::string_view current_xml, std::string_view proposed_xml,
                                   bool status_only) {
  pugi::xml_document current;
  pugi::xml_document proposed;
  if (!current.load_buffer(current_xml.data(), current_xml.size()) ||
      !proposed.load_buffer(proposed_xml.data(), proposed_xml.size())) {
    return Error{"the CIB does not parse"};
  }
  const char* section = status_only ? "status" : "configuration";
  pugi::xml_node root = current.child("cib");
  const pugi::xml_node replacement = proposed.child("cib").child(section);
  if (!root || !replacement) {
    return Error{std::string("the CIB written has no <") + section + "> section"};
  }
  const pugi::xml_node old = root.child(section);
  if (old) {
    root.insert_copy_before(replacement, old);
    root.remove_child(old);
  } else {
    root.append_copy(replacement);
  }
  std::ostringstream out;
  current.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
  return out.str();
}

}  // namespace pulse::crmd
