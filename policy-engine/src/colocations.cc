// Colocations as the assignment uses them: the configured rsc_colocation constraints, a
// colocated group's members each with the one before it, and a guest node's connection with
// its container; each kept on both resources' lists in Pacemaker 2.1.5's order.
#include "assign.h"
#include "clone_assign.h"
#include "container_fillers.h"

namespace pulse::pe {
namespace {

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

// Variant rank as Pacemaker orders colocations (clone above group above primitive).
int variantRank(const Resource& r) { return isClone(r) ? 2 : (isGroup(r) ? 1 : 0); }

int compareBy(const Resource& a, const Resource& b) {
  if (a.priority != b.priority) return a.priority > b.priority ? -1 : 1;
  if (variantRank(a) != variantRank(b)) return variantRank(a) > variantRank(b) ? -1 : 1;
  // Promotable clones before other clones (a compatibility rule Pacemaker 2.1.5 keeps): it
  // decides which primary is placed first when a resource is colocated with two clones.
  if (isClone(a) && a.promotable != b.promotable) return a.promotable ? -1 : 1;
  return a.id.compare(b.id);
}

void insertSorted(WorkingSet& ws, std::vector<int>& list, int coloc, bool by_primary) {
  auto other = [&](int c) -> const Resource& {
    const Colocation& col = ws.colocations[static_cast<std::size_t>(c)];
    return ws.resources[static_cast<std::size_t>(by_primary ? col.primary : col.dependent)];
  };
  // GLib's g_list_insert_sorted puts the new element before the first one it does not
  // compare greater than: among ties (same other resource), the colocation unpacked last
  // comes first.
  auto it = list.begin();
  while (it != list.end() && compareBy(other(*it), other(coloc)) < 0) ++it;
  list.insert(it, coloc);
}

void addColocation(WorkingSet& ws, Colocation c) {
  if (c.score == 0) return;
  int index = static_cast<int>(ws.colocations.size());
  int dependent = c.dependent;
  int primary = c.primary;
  ws.colocations.push_back(std::move(c));
  insertSorted(ws, rsc(ws, dependent).this_with, index, true);
  insertSorted(ws, rsc(ws, primary).with_this, index, false);
}

}  // namespace

void insertColocation(WorkingSet& ws, std::vector<int>& list, int coloc, bool by_primary) {
  insertSorted(ws, list, coloc, by_primary);
}

std::optional<Error> unpackColocations(WorkingSet& ws) {
  for (const ColocationConstraint& cc : ws.cib->colocations) {
    int d = ws.findResource(cc.rsc);
    int p = ws.findResource(cc.with_rsc);
    auto where = "<rsc_colocation id=\"" + cc.id + "\"> (line " + std::to_string(cc.line) + ")";
    if (d < 0) return Error{where + ": resource '" + cc.rsc + "' does not exist"};
    if (p < 0) return Error{where + ": resource '" + cc.with_rsc + "' does not exist"};
    if (d == p) return Error{where + ": a resource cannot be colocated with itself"};
    if (cc.score == 0) continue;  // Pacemaker ignores a colocation scoring 0 (a missing score)
    Colocation c;
    c.id = cc.id;
    c.dependent = d;
    c.primary = p;
    c.score = cc.score;
    c.dependent_role = cc.rsc_role.empty() ? Role::Unknown : parseRole(cc.rsc_role);
    c.primary_role = cc.with_rsc_role.empty() ? Role::Unknown : parseRole(cc.with_rsc_role);
    if (c.dependent_role == Role::Started) c.dependent_role = Role::Unknown;
    if (c.primary_role == Role::Started) c.primary_role = Role::Unknown;
    c.node_attribute = cc.node_attribute;
    auto critical = rsc(ws, d).meta.find("critical");
    if (critical != rsc(ws, d).meta.end() && critical->second == "false") c.influence = false;
    if (cc.influence) c.influence = *cc.influence;  // the constraint's own influence wins
    addColocation(ws, std::move(c));
  }
  // A colocated group (cloned ones too): each member is colocated with the one before it.
  for (std::size_t top = 0; top < ws.resources.size(); ++top) {
    const Resource& g = ws.resources[top];
    if (!isGroup(g) || !g.group_colocated) continue;
    for (std::size_t i = 1; i < g.children.size(); ++i) {
      Colocation c;
      c.id = "group:internal_colocation";
      c.dependent = g.children[i];
      c.primary = g.children[i - 1];
      c.score = kInfinity;
      addColocation(ws, std::move(c));
    }
  }
  // A guest's connection runs where its container runs, and so does a filler (unless its
  // container is a remote node's, where it is kept instead).
  for (const Resource& r : ws.resources) {
    if (r.container < 0 || (r.remote_node < 0 && fillerRemoteConnection(ws, r) >= 0)) continue;
    Colocation c;
    c.id = "resource-with-container";
    c.dependent = r.index;
    c.primary = r.container;
    c.score = kInfinity;
    addColocation(ws, std::move(c));
  }
  return std::nullopt;
}

}  // namespace pulse::pe
