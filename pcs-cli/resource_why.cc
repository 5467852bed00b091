#include "pcs-cli/resource_why.h"

#include <algorithm>
#include <vector>

#include "pcs-cli/wait_idle.h"
#include "policy-engine/policy_engine.h"
#include "policy-engine/score.h"

namespace pulse::pcs {
namespace {

// Where a resource (any member or instance) is active in `view`, as "Role node" pairs.
void activeIn(const pe::ResourceView& view, std::vector<std::pair<pe::Role, std::string>>& out) {
  for (const std::string& node : view.nodes) {
    std::pair<pe::Role, std::string> at{view.role, node};
    if (std::find(out.begin(), out.end(), at) == out.end()) out.push_back(at);
  }
  for (const pe::ResourceView& m : view.members) activeIn(m, out);
}

std::vector<std::pair<pe::Role, std::string>> activeIn(const std::vector<pe::ResourceView>& views,
                                                       const std::string& id) {
  std::vector<std::pair<pe::Role, std::string>> out;
  if (const pe::ResourceView* view = findView(views, id)) activeIn(*view, out);
  return out;
}

// The reasons of `rsc`: its own, else (a clone's primitive named without an instance number, as
// crm_resource accepts it) the clone's.
const pe::ResourceReasons* reasonsFor(const pe::Transition& t, const std::string& rsc) {
  for (const pe::ResourceReasons& r : t.reasons) {
    if (r.resource == rsc) return &r;
  }
  for (const pe::ResourceReasons& r : t.reasons) {
    if (r.resource.starts_with(rsc + ":") && !r.parent.empty()) {
      for (const pe::ResourceReasons& p : t.reasons) {
        if (p.resource == r.parent) return &p;
      }
    }
  }
  return nullptr;
}

std::string scoreOn(const pe::NodeScore& s) {
  std::string text = s.node + " " + (s.score ? pe::scoreText(*s.score) : "not allowed");
  if (!s.available) text += " (unavailable)";
  return text;
}

// "n1", "n1, n2", or "every node but n5" when a reason holds on all nodes but a few.
std::string nodesText(const std::vector<pe::NodeView>& all, const std::vector<std::string>& nodes) {
  if (std::find(nodes.begin(), nodes.end(), "every node") != nodes.end()) return "every node";
  std::vector<std::string> others;
  for (const pe::NodeView& n : all) {
    if (std::find(nodes.begin(), nodes.end(), n.name) == nodes.end()) others.push_back(n.name);
  }
  const auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  };
  if (nodes.size() > 3 && others.size() <= 3) {
    return others.empty() ? "every node" : "every node but " + join(others);
  }
  return join(nodes);
}

}  // namespace

Result<std::string> resourceWhy(const std::string& cib_xml, const std::string& rsc,
                                const std::string& node, std::int64_t now) {
  pe::ScheduleOptions options;
  options.now = now;
  options.with_reasons = true;
  auto t = pe::schedule(cib_xml, options);
  if (!t.ok()) return t.error();
  const pe::ResourceReasons* why = reasonsFor(*t, rsc);
  if (why == nullptr) return Error{"Resource '" + rsc + "' not found"};
  if (!node.empty() && std::none_of(t->current.nodes.begin(), t->current.nodes.end(),
                                    [&](const pe::NodeView& n) { return n.name == node; })) {
    return Error{"Node '" + node + "' not found"};
  }
  const std::string& id = why->resource;
  const auto here = [&](const std::string& n) { return node.empty() || n == node; };
  std::string out;
  // Pacemaker 2.1.5's line.
  const auto now_active = activeIn(t->current.resources, id);
  const bool running = std::any_of(now_active.begin(), now_active.end(),
                                   [&](const auto& a) { return here(a.second); });
  out += "Resource " + id + " is " + (running ? "" : "not ") + "running" +
         (node.empty() ? "" : " on host " + node) + "\n";
  // Where this transition leaves it.
  std::string next;
  for (const auto& [role, n] : activeIn(t->revised.resources, id)) {
    if (here(n)) next += (next.empty() ? "" : ", ") + std::string(pe::roleName(role)) + " on " + n;
  }
  out += "  Scheduled: " +
         (next.empty() ? std::string("not running") + (node.empty() ? "" : " on " + node) : next) +
         "\n";
  // The reasons, each once (a clone's instances share most of theirs), one line per reason
  // with the nodes it holds on.
  out += "  Reasons:\n";
  std::vector<std::pair<std::string, std::vector<std::string>>> lines;  // text, its nodes
  for (const pe::PlacementReason& r : why->reasons) {
    if (!r.node.empty() && !here(r.node)) continue;
    std::string text = r.text;
    // A colocation's text names its own score; what it changed here is its effect.
    if (r.kind == pe::ReasonKind::Colocation && r.score != 0) {
      text += std::string(" (") + (r.score > 0 ? "+" : "") + pe::scoreText(r.score) + ")";
    }
    if (!r.resource.empty() && r.resource != id) text += " [on " + r.resource + "]";
    auto it =
        std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == text; });
    if (it == lines.end()) it = lines.insert(lines.end(), {text, {}});
    const std::string where = r.node.empty() ? "every node" : r.node;
    if (std::find(it->second.begin(), it->second.end(), where) == it->second.end()) {
      it->second.push_back(where);
    }
  }
  const std::size_t listed = lines.size();
  for (const auto& [text, nodes] : lines) {
    out += "    " + nodesText(t->current.nodes, nodes) + ": " + text + "\n";
  }
  if (listed == 0) out += "    none recorded: nothing keeps it from any node\n";
  for (const pe::ResourceReasons::Scores& s : why->scores) {
    std::string line;
    for (const pe::NodeScore& n : s.nodes) {
      if (here(n.node)) line += (line.empty() ? "" : ", ") + scoreOn(n);
    }
    // Placed on a node but not scheduled there: its start cannot run (quorum, an order).
    const auto after = activeIn(t->revised.resources, s.resource);
    const bool held =
        !s.assigned.empty() && std::none_of(after.begin(), after.end(),
                                            [&](const auto& a) { return a.second == s.assigned; });
    out += "  Scores of " + s.resource + ": " + line +
           "; chosen: " + (s.assigned.empty() ? "none" : s.assigned) +
           (held ? " (its start cannot run)" : "") + "\n";
  }
  return out;
}

}  // namespace pulse::pcs
