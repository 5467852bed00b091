// Node criteria: location constraints (with #uname-style rules),
// stickiness, and migration-threshold bans from fail-counts.
#include <algorithm>
#include <cstdlib>

#include "assign.h"
#include "container_fillers.h"
#include "history.h"
#include "node_health.h"
#include "policy-engine/xml_dates.h"
#include "remote_nodes.h"
#include "resource_discovery.h"
#include "rule_eval.h"
#include "why.h"

namespace pulse::pe {

// Pacemaker's pcmk__group_apply_location: the group and its first member get
// the scores; later members of a colocated group only get the node allowed.
void applyLocation(WorkingSet& ws, Resource& r, const std::vector<std::pair<int, Score>>& scores) {
  for (const auto& [node, score] : scores) addLocationScore(r, node, score);
  if (isClone(r)) {
    // A clone's location applies to the clone and to each instance.
    std::vector<int> children = r.children;
    for (int child : children)
      applyLocation(ws, ws.resources[static_cast<std::size_t>(child)], scores);
    return;
  }
  if (r.kind != ResourceConfig::Kind::Group) return;
  bool reset = r.group_colocated;
  bool first = true;
  for (int child : r.children) {
    Resource& member = ws.resources[static_cast<std::size_t>(child)];
    for (const auto& [node, score] : scores) {
      addLocationScore(member, node, (reset && !first) ? 0 : score);
    }
    first = false;
  }
}

namespace {

// shutdown-lock (Pacemaker's pcmk__primitive_shutdown_lock): a resource on a node that is
// shutting down cleanly, or locked there by its history, stays on that node only.
void applyShutdownLocks(WorkingSet& ws) {
  if (!ws.options.shutdown_lock) return;
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive || r.is_stonith) continue;
    if (r.lock_node >= 0) {
      // Started elsewhere even though locked: do not disturb it.
      if (!r.running_on.empty()) r.lock_node = -1;
    } else if (r.running_on.size() == 1) {
      const int n = r.running_on[0];
      const Node& node = ws.nodes[static_cast<std::size_t>(n)];
      if (node.shutdown && !node.unclean) {
        r.lock_node = n;
        auto it = node.attributes.find("shutdown");
        r.lock_time =
            it == node.attributes.end() ? ws.now : parseEpochSeconds(it->second).value_or(ws.now);
      }
    }
    if (r.lock_node < 0) continue;
    for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
      if (static_cast<int>(n) == r.lock_node) continue;
      addLocationScore(r, static_cast<int>(n), -kInfinity);
      noteWhy(ws, r.index, static_cast<int>(n), ReasonKind::Location, -kInfinity, [&] {
        return "shutdown-lock: locked to " + ws.nodes[static_cast<std::size_t>(r.lock_node)].name +
               " while it shuts down";
      });
    }
  }
}

}  // namespace

std::optional<Error> applyNodeCriteria(WorkingSet& ws) {
  applyNodeHealth(ws);  // before the constraints, as Pacemaker creates them first
  const Cib& cib = *ws.cib;
  applyShutdownLocks(ws);
  for (const LocationConstraint& lc : cib.locations) {
    int index = ws.findResource(lc.rsc);
    if (index < 0) {
      return Error{"<rsc_location id=\"" + lc.id + "\"> (line " + std::to_string(lc.line) +
                   "): resource '" + lc.rsc + "' does not exist"};
    }
    Resource& r = ws.resources[static_cast<std::size_t>(index)];
    // A location for the promoted role only weighs which instances are promoted.
    bool promoted_only = !lc.role.empty() && parseRole(lc.role) == Role::Promoted;
    if (!lc.role.empty() && parseRole(lc.role) != Role::Started && !promoted_only) {
      ws.warnings.push_back("location " + lc.id + ": role-specific locations are not supported");
      continue;
    }
    std::vector<std::pair<int, Score>> scores;
    std::vector<std::pair<int, Score>> promoted_scores;
    if (!lc.node.empty()) {
      int node = ws.findNode(lc.node);
      if (node < 0) {
        ws.warnings.push_back("location " + lc.id + " names unknown node '" + lc.node + "'");
        continue;
      }
      (promoted_only ? promoted_scores : scores).emplace_back(node, lc.score);
    } else {
      for (const Rule& rule : lc.rules) {
        bool promoted_rule =
            promoted_only || (!rule.role.empty() && parseRole(rule.role) == Role::Promoted);
        if (!rule.role.empty() && parseRole(rule.role) != Role::Started && !promoted_rule) continue;
        for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
          RuleContext context{ws.now, &ws.nodes[n].attributes, r.config, &r.meta};
          Attributes params;  // value-source=param sees the parameters on this node
          if (r.config != nullptr && !r.config->param_sets.empty()) {
            params = paramsOnNode(*r.config, ws.nodes[n].attributes, ws.now);
            context.params = &params;
          }
          if (!ruleHolds(rule, context)) continue;
          Score score = rule.score;
          if (!rule.score_attribute.empty()) {
            auto it = ws.nodes[n].attributes.find(rule.score_attribute);
            if (it == ws.nodes[n].attributes.end()) continue;
            score = parseScore(it->second).value_or(0);
          }
          (promoted_rule ? promoted_scores : scores).emplace_back(static_cast<int>(n), score);
        }
      }
    }
    applyLocation(ws, r, scores);
    // (Each score is copied for the lambda: clang 14 cannot capture a structured binding.)
    for (const auto& [node, node_score] : scores) {
      const Score score = node_score;
      noteWhy(ws, index, node, ReasonKind::Location, score,
              [&] { return "location constraint " + lc.id + " (score " + scoreText(score) + ")"; });
    }
    for (const auto& [node, node_score] : promoted_scores) {
      const Score score = node_score;
      noteWhy(ws, index, node, ReasonKind::Promotion, score, [&] {
        return "location constraint " + lc.id + " for the Promoted role (score " +
               scoreText(score) + ")";
      });
    }
    if (!promoted_only) markDiscovery(ws, r, scores, lc.discovery);
    for (const auto& [node, score] : promoted_scores) {
      ws.promoted_locations.push_back({index, node, score});
    }
  }
  // Stickiness: a managed primitive active on exactly one node prefers it.
  for (Resource& r : ws.resources) {
    if (r.kind != ResourceConfig::Kind::Primitive) continue;
    if (!r.managed || r.stickiness < 1 || r.running_on.size() != 1) continue;
    int node = r.running_on[0];
    if (!ws.options.symmetric && !r.allowed[static_cast<std::size_t>(node)]) continue;
    addLocationScore(r, node, r.stickiness);
    noteWhy(ws, r.index, node, ReasonKind::Stickiness, r.stickiness,
            [&] { return "resource-stickiness " + scoreText(r.stickiness) + " (it runs there)"; });
  }
  // migration-threshold: a node where the fail-count reached it is banned. A container's
  // count includes the failures of the resources inside it (its fillers).
  std::vector<std::vector<const Resource*>> fillers(ws.resources.size());
  for (const Resource& r : ws.resources) {
    if (r.container >= 0) fillers[static_cast<std::size_t>(r.container)].push_back(&r);
  }
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    for (Resource& r : ws.resources) {
      if (r.kind != ResourceConfig::Kind::Primitive) continue;
      // Ignored failures do not count towards the threshold either.
      if (r.migration_threshold <= 0 || r.failure_ignored) continue;
      if (ws.failcountCleared(r.index, static_cast<int>(n))) continue;
      Score fc = failCount(ws, r, static_cast<int>(n));
      for (const Resource* filler : fillers[static_cast<std::size_t>(r.index)]) {
        fc += failCount(ws, *filler, static_cast<int>(n));
      }
      if (fc <= 0) continue;
      if (fc < r.migration_threshold) continue;
      // A failed anonymous clone instance forces the whole clone away.
      int clone = cloneOf(ws, r.index);
      bool anonymous = clone >= 0 && !ws.resources[static_cast<std::size_t>(clone)].unique;
      Resource& banned = anonymous ? ws.resources[static_cast<std::size_t>(clone)] : r;
      addLocationScoreToAll(ws, banned, static_cast<int>(n), -kInfinity);
      noteWhy(ws, banned.index, static_cast<int>(n), ReasonKind::FailCount, -kInfinity, [&] {
        std::string text = "fail count " + scoreText(fc) + " of " + r.history_id +
                           " reached migration-threshold " + scoreText(r.migration_threshold);
        if (r.failure_timeout_s > 0) {
          text += " (failure-timeout " + std::to_string(r.failure_timeout_s) + "s)";
        } else {
          text += " (no failure-timeout: until `pcs resource cleanup " + r.history_id + "`)";
        }
        return text;
      });
    }
  }
  applyExclusiveDiscovery(ws);
  keepOffRemoteNodes(ws);
  keepFillersOnTheirRemoteNodes(ws);
  return std::nullopt;
}

}  // namespace pulse::pe
