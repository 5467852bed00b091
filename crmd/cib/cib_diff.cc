// computeDiff/applyDiff: the keyed-element model described in cib_diff.h.
#include "crmd/cib/cib_diff.h"

#include <cstring>
#include <pugixml.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "crmd/cib/cib_version.h"
#include "crmd/cib/cib_xml.h"

namespace pulse::cib {
namespace {

constexpr const char* kConfigurationKey = "/configuration";

bool isSection(const pugi::xml_node& n) {
  return std::strcmp(n.parent().name(), "configuration") == 0 &&
         std::strcmp(n.parent().parent().name(), "cib") == 0;
}

// The key of an element under <configuration>, or "" for an id-less element (a reference
// such as <resource_ref id=...> counts as id-less: its id names another element).
std::string keyOf(const pugi::xml_node& n) {
  if (isSection(n)) return std::string(kConfigurationKey) + "/" + n.name();
  if (isIdReference(n)) return "";
  return n.attribute("id").value();
}

struct Keyed {
  pugi::xml_node node;
  std::string parent;
  std::vector<std::string> path;
};

// Every keyed element of a configuration, in document order, with a map from key.
struct Index {
  std::vector<std::string> order;
  std::unordered_map<std::string, Keyed> by_key;
};

Status indexUnder(const pugi::xml_node& node, const std::string& parent,
                  const std::vector<std::string>& path, Index& index) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string key = keyOf(c);
    if (key.empty()) {
      std::vector<std::string> deeper = path;
      deeper.emplace_back(c.name());
      if (Status s = indexUnder(c, parent, deeper, index); !s) return s;
      continue;
    }
    if (!index.by_key.emplace(key, Keyed{c, parent, path}).second) {
      return Error{"<" + std::string(c.name()) + " id=\"" + key + "\">: duplicate id"};
    }
    index.order.push_back(key);
    if (Status s = indexUnder(c, key, {}, index); !s) return s;
  }
  return {};
}

Result<Index> indexConfiguration(const pugi::xml_document& doc, const char* which) {
  pugi::xml_node configuration = doc.child("cib").child("configuration");
  if (!configuration) return Error{std::string(which) + ": no <cib><configuration>"};
  Index index;
  index.order.emplace_back(kConfigurationKey);
  index.by_key.emplace(kConfigurationKey, Keyed{configuration, "", {}});
  if (Status s = indexUnder(configuration, kConfigurationKey, {}, index); !s) {
    return Error{std::string(which) + ": " + s.error().message};
  }
  return index;
}

// The element's own content: id-less descendants with their attributes and text, and markers
// for the keyed children that `both` holds, i.e. that stay in place (keyed children that come,
// go or move are creates or deletes of their own, not a change of this element).
void ownContent(const pugi::xml_node& n, const std::unordered_set<std::string>& both,
                std::string& out) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      out.append("\"").append(c.value()).append("\"");
      continue;
    }
    if (c.type() != pugi::node_element) continue;
    std::string key = keyOf(c);
    if (!key.empty()) {
      if (both.count(key)) out.append("@").append(key).append(";");
      continue;
    }
    std::set<std::pair<std::string, std::string>> attributes;
    for (pugi::xml_attribute a = c.first_attribute(); a; a = a.next_attribute()) {
      attributes.emplace(a.name(), a.value());
    }
    out.append("<").append(c.name());
    for (const auto& [name, value] : attributes) out.append(" ").append(name + "=" + value);
    out.append(">");
    ownContent(c, both, out);
    out.append("</>");
  }
}

std::map<std::string, std::string> attributeMap(const pugi::xml_node& n) {
  std::map<std::string, std::string> out;
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    out.emplace(a.name(), a.value());
  }
  return out;
}

CibChange change(CibChange::Kind kind, const std::string& key) {
  CibChange c;
  c.kind = kind;
  c.key = key;
  return c;
}

CibChange deletion(const std::string& key, const pugi::xml_node& original) {
  CibChange c = change(CibChange::Kind::kDelete, key);
  c.original_xml = toXml(original);
  return c;
}

std::string joinPath(const std::string& parent, const std::vector<std::string>& path) {
  std::string out = parent;
  for (const std::string& p : path) out += "/" + p;
  return out;
}

}  // namespace

Result<CibDiff> computeDiff(std::string_view original_xml, std::string_view edited_xml) {
  pugi::xml_document original_doc, edited_doc;
  if (Status s = parseXml(original_doc, original_xml); !s) {
    return Error{"original CIB: " + s.error().message};
  }
  if (Status s = parseXml(edited_doc, edited_xml); !s) {
    return Error{"new CIB: " + s.error().message};
  }
  auto original = indexConfiguration(original_doc, "original CIB");
  if (!original) return original.error();
  auto edited = indexConfiguration(edited_doc, "new CIB");
  if (!edited) return edited.error();
  // Elements that stay where they were: only their order counts in a parent's own content.
  std::unordered_set<std::string> both;
  for (const auto& [key, e] : edited->by_key) {
    auto o = original->by_key.find(key);
    if (o != original->by_key.end() && o->second.parent == e.parent && o->second.path == e.path) {
      both.insert(key);
    }
  }

  // Pass 1: the fate of every element of EDITED, and a new element's previous sibling.
  enum class Fate { kSame, kModified, kReplaced, kMoved, kNew };
  std::unordered_map<std::string, Fate> fate;
  std::unordered_map<std::string, std::string> after;
  std::unordered_map<std::string, std::string> last_child;  // by parent+path
  for (const std::string& key : edited->order) {
    const Keyed& e = edited->by_key.at(key);
    std::string& previous = last_child[joinPath(e.parent, e.path)];
    after[key] = previous;
    previous = key;
    auto found = original->by_key.find(key);
    if (found == original->by_key.end()) {
      fate[key] = Fate::kNew;
      continue;
    }
    const Keyed& o = found->second;
    if (o.parent != e.parent || o.path != e.path ||
        std::strcmp(o.node.name(), e.node.name()) != 0) {
      fate[key] = Fate::kMoved;
      continue;
    }
    std::string own_o, own_e;
    ownContent(o.node, both, own_o);
    ownContent(e.node, both, own_e);
    if (own_o != own_e) {
      fate[key] = Fate::kReplaced;
    } else {
      fate[key] = attributeMap(o.node) == attributeMap(e.node) ? Fate::kSame : Fate::kModified;
    }
  }
  // An element leaves its ORIGINAL place when it is deleted or moved; its whole ORIGINAL
  // subtree goes when it leaves or is replaced. A change inside such a subtree is carried by
  // the ancestor's change and not listed on its own.
  auto leaves = [&](const std::string& key) {
    auto it = fate.find(key);
    return it == fate.end() || it->second == Fate::kMoved;
  };
  auto rewritten = [&](const std::string& key) {
    return leaves(key) || fate.at(key) == Fate::kReplaced;
  };
  auto carriedInOriginal = [&](const std::string& key) {
    for (std::string p = original->by_key.at(key).parent; !p.empty();
         p = original->by_key.at(p).parent) {
      if (rewritten(p)) return true;
    }
    return false;
  };
  auto carriedInEdited = [&](const std::string& key) {
    for (std::string p = edited->by_key.at(key).parent; !p.empty();
         p = edited->by_key.at(p).parent) {
      Fate f = fate.at(p);
      if (f == Fate::kNew || f == Fate::kMoved || f == Fate::kReplaced) return true;
    }
    return false;
  };

  // Pass 2: deletes first (in ORIGINAL's order), then the rest in EDITED's order, so that a
  // moved element leaves its old place before it arrives at its new one.
  CibDiff diff;
  for (const std::string& key : original->order) {
    if (leaves(key) && !carriedInOriginal(key)) {
      diff.changes.push_back(deletion(key, original->by_key.at(key).node));
    }
  }
  for (const std::string& key : edited->order) {
    const Fate f = fate.at(key);
    if (f == Fate::kSame || carriedInEdited(key)) continue;
    const Keyed& e = edited->by_key.at(key);
    if (f == Fate::kNew || f == Fate::kMoved) {
      CibChange c = change(CibChange::Kind::kCreate, key);
      c.parent = e.parent;
      c.path = e.path;
      c.after = after.at(key);
      c.xml = toXml(e.node);
      diff.changes.push_back(std::move(c));
    } else if (f == Fate::kReplaced) {
      CibChange r = change(CibChange::Kind::kReplace, key);
      r.xml = toXml(e.node);
      r.original_xml = toXml(original->by_key.at(key).node);
      diff.changes.push_back(std::move(r));
    } else {
      auto before = attributeMap(original->by_key.at(key).node), now = attributeMap(e.node);
      CibChange m = change(CibChange::Kind::kModify, key);
      for (const auto& [name, value] : now) {
        auto it = before.find(name);
        if (it != before.end() && it->second == value) continue;
        m.attributes[name] = value;
        m.before[name] = it == before.end() ? std::nullopt : std::optional(it->second);
      }
      for (const auto& [name, value] : before) {
        if (!now.count(name)) {
          m.attributes[name] = std::nullopt;
          m.before[name] = value;
        }
      }
      diff.changes.push_back(std::move(m));
    }
  }
  return diff;
}

namespace {

class Applier {
 public:
  explicit Applier(pugi::xml_node configuration) {
    nodes_[kConfigurationKey] = configuration;
    add(configuration);
  }

  Status apply(const CibChange& change) {
    switch (change.kind) {
      case CibChange::Kind::kCreate:
        return create(change);
      case CibChange::Kind::kDelete:
        return remove(change);
      case CibChange::Kind::kModify:
        return modify(change);
      case CibChange::Kind::kReplace:
        return replace(change);
    }
    return {};
  }

 private:
  void add(const pugi::xml_node& n) {
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      if (std::string key = keyOf(c); !key.empty()) nodes_[key] = c;
      add(c);
    }
  }
  void forget(const pugi::xml_node& n) {
    if (std::string key = keyOf(n); !key.empty()) nodes_.erase(key);
    for (pugi::xml_node c : n.children()) {
      if (c.type() == pugi::node_element) forget(c);
    }
  }
  pugi::xml_node find(const std::string& key) const {
    auto it = nodes_.find(key);
    return it == nodes_.end() ? pugi::xml_node() : it->second;
  }
  static Error conflict(const std::string& key, const std::string& why) {
    return Error{"conflict: element '" + key + "' " + why};
  }
  // The element as it was in ORIGINAL must still be there, unchanged.
  Result<pugi::xml_node> unchanged(const CibChange& change, const char* verb) {
    pugi::xml_node current = find(change.key);
    if (!current) {
      return conflict(change.key,
                      std::string("which the diff ") + verb + " was removed from the current CIB");
    }
    pugi::xml_document original;
    if (Status s = parseXml(original, change.original_xml); !s) return s.error();
    if (!sameTree(current, original.document_element())) {
      return conflict(change.key, std::string("which the diff ") + verb +
                                      " was changed in the current CIB since the original");
    }
    return current;
  }

  Status create(const CibChange& change) {
    pugi::xml_node parent = find(change.parent);
    if (!parent) return conflict(change.parent, "(parent of new '" + change.key + "') is gone");
    if (find(change.key)) return conflict(change.key, "already exists in the current CIB");
    for (const std::string& tag : change.path) {
      pugi::xml_node next = parent.child(tag.c_str());
      parent = next ? next : parent.append_child(tag.c_str());
    }
    pugi::xml_document fresh;
    if (Status s = parseXml(fresh, change.xml); !s) return s;
    pugi::xml_node after = change.after.empty() ? pugi::xml_node() : find(change.after);
    pugi::xml_node added;
    if (change.after.empty()) {
      added = parent.prepend_copy(fresh.document_element());
    } else if (after && after.parent() == parent) {
      added = parent.insert_copy_after(fresh.document_element(), after);
    } else {
      added = parent.append_copy(fresh.document_element());  // its sibling went meanwhile
    }
    nodes_[change.key] = added;
    add(added);
    return {};
  }

  Status remove(const CibChange& change) {
    auto current = unchanged(change, "deletes");
    if (!current) return current.error();
    forget(*current);
    current->parent().remove_child(*current);
    return {};
  }

  Status replace(const CibChange& change) {
    auto current = unchanged(change, "replaces");
    if (!current) return current.error();
    pugi::xml_document fresh;
    if (Status s = parseXml(fresh, change.xml); !s) return s;
    pugi::xml_node added = current->parent().insert_copy_after(fresh.document_element(), *current);
    forget(*current);
    current->parent().remove_child(*current);
    nodes_[change.key] = added;
    add(added);
    return {};
  }

  Status modify(const CibChange& change) {
    pugi::xml_node current = find(change.key);
    if (!current) {
      return conflict(change.key, "which the diff modifies was removed from the current CIB");
    }
    for (const auto& [name, was] : change.before) {
      pugi::xml_attribute a = current.attribute(name.c_str());
      std::optional<std::string> now = a ? std::optional<std::string>(a.value()) : std::nullopt;
      if (now != was) {
        return conflict(change.key, "has attribute '" + name + "' = '" + now.value_or("(none)") +
                                        "' in the current CIB, but '" + was.value_or("(none)") +
                                        "' in the original");
      }
    }
    for (const auto& [name, value] : change.attributes) {
      if (!value) {
        current.remove_attribute(name.c_str());
      } else if (pugi::xml_attribute a = current.attribute(name.c_str())) {
        a.set_value(value->c_str());
      } else {
        current.append_attribute(name.c_str()).set_value(value->c_str());
      }
    }
    return {};
  }

  std::unordered_map<std::string, pugi::xml_node> nodes_;
};

}  // namespace

Result<std::string> applyDiff(std::string_view current_xml, const CibDiff& diff) {
  if (diff.empty()) return std::string(current_xml);
  pugi::xml_document doc;
  if (Status s = parseXml(doc, current_xml); !s) return Error{"current CIB: " + s.error().message};
  pugi::xml_node configuration = doc.child("cib").child("configuration");
  if (!configuration) return Error{"current CIB: no <cib><configuration>"};
  Applier applier(configuration);
  for (const CibChange& change : diff.changes) {
    if (Status s = applier.apply(change); !s) return s.error();
  }
  if (Status s = bumpVersion(doc.child("cib"), ChangeKind::kConfiguration); !s) {
    return Error{"current CIB: " + s.error().message};
  }
  return toXml(doc);
}

std::string describe(const CibDiff& diff) {
  std::string out;
  for (const CibChange& c : diff.changes) {
    switch (c.kind) {
      case CibChange::Kind::kCreate:
        out += "create " + c.key + " under " + joinPath(c.parent, c.path);
        break;
      case CibChange::Kind::kDelete:
        out += "delete " + c.key;
        break;
      case CibChange::Kind::kReplace:
        out += "replace " + c.key;
        break;
      case CibChange::Kind::kModify:
        out += "modify " + c.key + ":";
        for (const auto& [name, value] : c.attributes) {
          out += " " + name + "=" + value.value_or("(removed)") + " (was " +
                 c.before.at(name).value_or("(none)") + ")";
        }
        break;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pulse::cib
