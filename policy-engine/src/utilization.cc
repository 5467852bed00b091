// Node capacity and resource utilization; see utilization.h.
//
// Invariant: Node::capacity holds the node's <utilization> less what every
// resource assigned to it so far consumes (assign.cc consumes on assignment),
// so the checks here see what is left at the moment a resource is placed.
#include "utilization.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>

#include "glib_order.h"
#include "why.h"

namespace pulse::pe {
namespace {

Resource& rsc(WorkingSet& ws, int i) { return ws.resources[static_cast<std::size_t>(i)]; }

bool isGroup(const Resource& r) { return r.kind == ResourceConfig::Kind::Group; }

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::int64_t amount(const Capacity& c, const std::string& name) {
  auto it = c.find(name);
  return it == c.end() ? 0 : it->second;
}

// Pacemaker's colocation check in preview mode: only the roles decide, not
// whether either side is placed yet (callers pass mandatory colocations).
bool affectsLocation(const Resource& dependent, const Resource& primary, const Colocation& c) {
  if (c.dependent_role != Role::Unknown && c.dependent_role != dependent.next_role) return false;
  if (c.primary_role != Role::Unknown && c.primary_role != primary.next_role) return false;
  return true;
}

bool listed(const std::vector<int>& list, int index) {
  return std::find(list.begin(), list.end(), index) != list.end();
}

void collectColocated(WorkingSet& ws, int index, int orig, std::vector<int>& list);

// The resources that must share a node with `index` through mandatory
// colocations, in either direction (pcmk__colocated_resources).
void collectColocatedOwn(WorkingSet& ws, int index, int orig, std::vector<int>& list) {
  if (listed(list, index)) return;
  list.push_back(index);
  const std::vector<int> this_with = rsc(ws, index).this_with;
  for (int ci : this_with) {
    const Colocation& c = ws.colocations[static_cast<std::size_t>(ci)];
    if (c.primary == orig) continue;  // breaks a colocation loop
    if (c.score == kInfinity && affectsLocation(rsc(ws, index), rsc(ws, c.primary), c)) {
      collectColocated(ws, c.primary, orig, list);
    }
  }
  const std::vector<int> with_this = rsc(ws, index).with_this;
  for (int ci : with_this) {
    const Colocation& c = ws.colocations[static_cast<std::size_t>(ci)];
    if (c.dependent == orig) continue;
    if (c.score == kInfinity && affectsLocation(rsc(ws, c.dependent), rsc(ws, index), c)) {
      collectColocated(ws, c.dependent, orig, list);
    }
  }
}

void collectColocated(WorkingSet& ws, int index, int orig, std::vector<int>& list) {
  const Resource& r = rsc(ws, index);
  if (isGroup(r)) {
    // A colocated group's members all share its node; otherwise only the
    // first member follows the group's own colocations.
    const std::vector<int> members = r.children;
    if (r.group_colocated) {
      for (int member : members) collectColocated(ws, member, orig, list);
    } else if (!members.empty()) {
      collectColocated(ws, members.front(), orig, list);
    }
  }
  collectColocatedOwn(ws, index, orig, list);
}

// What `index` adds to the sum for the resources in `all` (only what is not
// placed yet counts: placed resources already consumed their share).
void addUtilization(const WorkingSet& ws, int index, const std::vector<int>& all, Capacity& sum) {
  const Resource& r = ws.resources[static_cast<std::size_t>(index)];
  if (!r.provisional) return;
  if (!isGroup(r)) {
    for (const auto& [name, value] : r.utilization) sum[name] = amount(sum, name) + value;
    return;
  }
  for (int member : r.children) {
    const Resource& m = ws.resources[static_cast<std::size_t>(member)];
    if (m.provisional && !listed(all, member)) addUtilization(ws, member, all, sum);
    if (!r.group_colocated) break;  // only the first member goes with the group
  }
}

bool usable(const WorkingSet& ws, const Resource& r, std::size_t n) {
  return r.allowed[n] && *r.allowed[n] >= 0 && ws.available(static_cast<int>(n));
}

// "cpu=2 memory=512": the amounts of `c`, or with `names` the amounts `c` has of those names
// (0 for a name it lacks), for why.h's notes.
std::string capacityText(const Capacity& c, const Capacity& names) {
  std::string text;
  for (const auto& [name, unused] : names) {
    text += (text.empty() ? "" : " ") + name + "=" + std::to_string(amount(c, name));
  }
  return text.empty() ? "nothing" : text;
}
std::string capacityText(const Capacity& c) { return capacityText(c, c); }

}  // namespace

PlacementStrategy parsePlacementStrategy(const Attributes& cluster_options,
                                         std::vector<std::string>& warnings) {
  auto it = cluster_options.find("placement-strategy");
  if (it == cluster_options.end()) return PlacementStrategy::Default;
  const std::string value = lowered(it->second);
  if (value == "default") return PlacementStrategy::Default;
  if (value == "utilization") return PlacementStrategy::Utilization;
  if (value == "minimal") return PlacementStrategy::Minimal;
  if (value == "balanced") return PlacementStrategy::Balanced;
  warnings.push_back("placement-strategy '" + it->second +
                     "' is not one of default, utilization, minimal, balanced; using 'default'");
  return PlacementStrategy::Default;
}

Capacity parseCapacity(const Attributes& nvpairs, const std::string& owner,
                       std::vector<std::string>& warnings) {
  Capacity out;
  for (const auto& [name, text] : nvpairs) {
    // Leading integer, as strtoll reads it; the amount is an int in Pacemaker.
    std::string_view v = text;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    long long value = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec == std::errc::invalid_argument || ptr == v.data()) {
      warnings.push_back("utilization '" + name + "' of " + owner + " is '" + text +
                         "', not an integer; using 0");
      value = 0;
    } else if (ec == std::errc::result_out_of_range) {
      value = !v.empty() && v.front() == '-' ? INT_MIN : INT_MAX;
    }
    out[name] = std::clamp<long long>(value, INT_MIN, INT_MAX);
  }
  return out;
}

int compareNodeCapacities(const Capacity& a, const Capacity& b) {
  int result = 0;
  auto vote = [&](std::int64_t x, std::int64_t y) {
    if (x > y) --result;
    if (x < y) ++result;
  };
  for (const auto& [name, value] : a) vote(value, amount(b, name));
  for (const auto& [name, value] : b) {
    if (!a.contains(name)) vote(0, value);
  }
  return result;
}

void consumeCapacity(Capacity& node, const Capacity& used) {
  for (const auto& [name, value] : used) {
    auto it = node.find(name);
    node[name] = it == node.end() ? 0 : it->second - value;
  }
}

void releaseCapacity(Capacity& node, const Capacity& used) {
  for (const auto& [name, value] : used) node[name] = amount(node, name) + value;
}

bool haveEnoughCapacity(const Capacity& node, const Capacity& required) {
  return std::all_of(required.begin(), required.end(),
                     [&](const auto& kv) { return kv.second <= amount(node, kv.first); });
}

std::vector<int> pacemakerNodeOrder(const WorkingSet& ws) {
  std::vector<int> order(ws.nodes.size());
  for (std::size_t n = 0; n < order.size(); ++n) order[n] = static_cast<int>(n);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return numericStrcasecmp(ws.nodes[static_cast<std::size_t>(a)].name,
                             ws.nodes[static_cast<std::size_t>(b)].name) < 0;
  });
  return order;
}

std::vector<int> nodeTableOrder(const WorkingSet& ws) {
  const std::vector<int> listed_order = pacemakerNodeOrder(ws);
  std::vector<std::string> ids;
  for (int n : listed_order) ids.push_back(ws.nodes[static_cast<std::size_t>(n)].id);
  std::vector<int> order;
  for (int position : hashIterationOrder(ids)) {
    order.push_back(listed_order[static_cast<std::size_t>(position)]);
  }
  return order;
}

int banInsufficientCapacity(WorkingSet& ws, int index, const std::vector<int>& node_table) {
  if (ws.options.placement_strategy == PlacementStrategy::Default) return -1;
  std::vector<int> colocated;
  collectColocated(ws, index, index, colocated);
  if (!listed(colocated, index)) colocated.push_back(index);
  Capacity unplaced;
  for (int member : colocated) addUtilization(ws, member, colocated, unplaced);

  Resource& r = rsc(ws, index);
  bool any_capable = false;
  int most_capable = -1;
  // Ties keep the first node met, so the walk follows Pacemaker's table.
  for (int node : node_table) {
    const auto n = static_cast<std::size_t>(node);
    if (!usable(ws, r, n)) continue;
    const Capacity& left = ws.nodes[n].capacity;
    if (haveEnoughCapacity(left, unplaced)) any_capable = true;
    if (most_capable < 0 ||
        compareNodeCapacities(left, ws.nodes[static_cast<std::size_t>(most_capable)].capacity) <
            0) {
      most_capable = static_cast<int>(n);
    }
  }
  // With room for all of them somewhere, nodes without it are out; else only
  // nodes without room for this resource alone are.
  const Capacity& needed = any_capable ? unplaced : r.utilization;
  for (std::size_t n = 0; n < r.allowed.size(); ++n) {
    if (usable(ws, r, n) && !haveEnoughCapacity(ws.nodes[n].capacity, needed)) {
      addLocationScore(r, static_cast<int>(n), -kInfinity);
      noteWhy(ws, index, static_cast<int>(n), ReasonKind::Utilization, -kInfinity, [&] {
        return "not enough capacity (placement-strategy): needs " + capacityText(needed) +
               (any_capable ? " with what is colocated with it" : "") + ", the node has " +
               capacityText(ws.nodes[n].capacity, needed) + " left";
      });
    }
  }
  return any_capable ? -1 : most_capable;
}

}  // namespace pulse::pe
