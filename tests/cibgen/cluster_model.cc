#include "cluster_model.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "cluster_features.h"

namespace pulse::cibgen {
namespace {

// The model's own random stream (the knobs of the differential profile use another one).
constexpr uint64_t kModelStream = 0x6d6f64656cULL;
// Features added after tier1 draw from their own stream (see cluster_features.h).
constexpr uint64_t kFeatureStream = 0x6665617475726573ULL;

// A count of `rate * base`, with the fractional part drawn so that the mean is exact.
int scaledCount(Rng& rng, double rate, int base) {
  const double x = rate * base;
  const double whole = std::floor(x);
  return static_cast<int>(whole) + (rng.chance(x - whole) ? 1 : 0);
}

std::string finiteScore(Rng& rng, bool negative) {
  const int value = rng.range(1, 40) * 25;
  return std::to_string(negative ? -value : value);
}

// INFINITY, -INFINITY, a positive or a negative finite score, with these relative weights.
std::string drawScore(Rng& rng, std::initializer_list<double> weights) {
  switch (rng.weighted(weights)) {
    case 0:
      return "INFINITY";
    case 1:
      return "-INFINITY";
    case 2:
      return finiteScore(rng, false);
    default:
      return finiteScore(rng, true);
  }
}

class ModelBuilder {
 public:
  ModelBuilder(const GeneratorOptions& options, const Knobs& knobs)
      : rng_(options.seed ^ kModelStream), features_(options.seed ^ kFeatureStream) {
    model_.seed = options.seed;
    model_.feature_set = options.feature_set;
    model_.knobs = knobs;
    buildNodes(std::max(1, options.nodes));
    buildPrimitives(std::max(1, options.resources));
    buildGroups();
    buildClones(model_, features_);
    buildFencing(model_, features_);
    buildRuleContext(model_, features_);
    collectUnits();
    buildLocations();
    buildColocations();
    buildOrders();
    buildSetConstraints(model_, features_, units_, rank_);
    buildTickets(model_, features_, units_);
    buildHistory();
  }

  ClusterModel take() { return std::move(model_); }

 private:
  const Knobs& knobs() const { return model_.knobs; }

  void buildNodes(int count) {
    int online = 0;
    for (int i = 1; i <= count; ++i) {
      NodeModel node;
      node.id = i;
      node.uname = "node" + std::to_string(i);
      node.online = !rng_.chance(knobs().offline_node);
      node.standby = rng_.chance(knobs().standby_node);
      online += node.online ? 1 : 0;
      model_.nodes.push_back(std::move(node));
    }
    if (online == 0) {
      model_.nodes[rng_.below(model_.nodes.size())].online = true;
      online = 1;
    }
    // Majority quorum, with corosync's two_node exception.
    model_.have_quorum = online * 2 > count || (count == 2 && online == 1);
  }

  MetaModel drawMeta(double scale) {
    static const std::string kStickiness[] = {"0", "50", "100", "200", "INFINITY"};
    static const std::string kThreshold[] = {"1", "2", "3"};
    MetaModel meta;
    if (rng_.chance(knobs().target_role_stopped * scale)) {
      meta.target_role = "Stopped";
    } else if (rng_.chance(0.03 * scale)) {
      meta.target_role = "Started";
    }
    if (rng_.chance(knobs().own_stickiness * scale)) {
      meta.stickiness = rng_.choose(kStickiness, {1, 1, 2, 1, 1});
    }
    if (rng_.chance(knobs().own_migration_threshold * scale)) {
      meta.migration_threshold = rng_.choose(kThreshold, {2, 1, 1});
    }
    if (rng_.chance(knobs().own_priority * scale)) {
      meta.priority = std::to_string(rng_.range(1, 10));
    }
    return meta;
  }

  void buildPrimitives(int count) {
    static const int kIntervals[] = {10, 20, 30};
    for (int i = 1; i <= count; ++i) {
      PrimitiveModel p;
      p.id = "rsc" + std::to_string(i);
      p.provider = rng_.chance(0.5) ? "heartbeat" : "pacemaker";
      p.monitor_interval_s = rng_.choose(kIntervals, {7, 2, 1});
      p.meta = drawMeta(1.0);
      model_.primitives.push_back(std::move(p));
    }
  }

  // Groups take runs of consecutive primitives, so the XML order stays the primitive order.
  void buildGroups() {
    const double g = std::clamp(knobs().grouped, 0.0, 0.99);
    const int max_size = std::max(2, knobs().max_group_size);
    const double mean_size = (2.0 + max_size) / 2.0;
    const double p_start = g / (mean_size * (1.0 - g) + g);
    const int count = static_cast<int>(model_.primitives.size());
    for (int i = 0; i < count;) {
      const int left = count - i;
      if (left >= 2 && rng_.chance(p_start)) {
        const int size = rng_.range(2, std::min(max_size, left));
        GroupModel group;
        group.id = "grp" + std::to_string(model_.groups.size() + 1);
        group.meta = drawMeta(0.5);
        for (int k = 0; k < size; ++k) {
          model_.primitives[i + k].group = static_cast<int>(model_.groups.size());
          group.members.push_back(i + k);
        }
        model_.groups.push_back(std::move(group));
        i += size;
      } else {
        ++i;
      }
    }
  }

  // Every top-level resource but the fence device (which no constraint names).
  void collectUnits() {
    for (size_t i = 0; i < model_.primitives.size(); ++i) {
      const PrimitiveModel& p = model_.primitives[i];
      if (p.agent_class == "stonith") continue;
      if (p.group < 0) {
        const int clone = p.clone;
        units_.push_back(
            {clone >= 0 ? model_.clones[clone].id : p.id, -1, static_cast<int>(i), clone});
      } else if (model_.groups[p.group].members.front() == static_cast<int>(i)) {
        const int clone = model_.groups[p.group].clone;
        units_.push_back(
            {clone >= 0 ? model_.clones[clone].id : model_.groups[p.group].id, p.group, -1, clone});
      }
    }
  }

  void buildLocations() {
    const int count = scaledCount(rng_, knobs().locations_per_resource,
                                  static_cast<int>(model_.primitives.size()));
    const bool asymmetric = !knobs().symmetric_cluster;
    for (int k = 1; k <= count; ++k) {
      LocationModel loc;
      if (!model_.groups.empty() && rng_.chance(0.1)) {
        const GroupModel& group = rng_.pick(model_.groups);
        loc.rsc = model_.primitives[rng_.pick(group.members)].id;
        // A member of a cloned group is placed through its clone.
        if (group.clone >= 0) loc.rsc = model_.clones[group.clone].id;
      } else {
        loc.rsc = rng_.pick(units_).id;
      }
      loc.node = rng_.pick(model_.nodes).uname;
      loc.score = asymmetric ? drawScore(rng_, {0.25, 0.1, 0.5, 0.15})
                             : drawScore(rng_, {0.15, 0.15, 0.4, 0.3});
      loc.rule = rng_.chance(knobs().rule_locations);
      loc.negate = loc.rule && rng_.chance(0.2);
      decorateRule(model_, features_, loc);
      loc.id = "loc" + std::to_string(k) + "-" + loc.rsc;
      model_.locations.push_back(std::move(loc));
    }
  }

  void buildColocations() {
    if (units_.size() < 2) return;
    const int count = scaledCount(rng_, knobs().colocations_per_resource,
                                  static_cast<int>(model_.primitives.size()));
    std::set<std::pair<size_t, size_t>> seen;
    for (int attempt = 0; attempt < count * 4 && static_cast<int>(seen.size()) < count; ++attempt) {
      const size_t a = rng_.below(units_.size());
      const size_t b = rng_.below(units_.size());
      if (a == b || !seen.insert({a, b}).second) continue;
      ColocationModel col;
      col.rsc = units_[a].id;
      col.with_rsc = units_[b].id;
      col.score = drawScore(rng_, {0.35, 0.15, 0.35, 0.15});
      decorateColocation(model_, features_, col);
      col.id = "col" + std::to_string(seen.size()) + "-" + col.rsc + "-" + col.with_rsc;
      model_.colocations.push_back(std::move(col));
    }
  }

  // Start edges go forward in `rank`, stop edges backward, and there are no start->stop edges,
  // so the explicit orderings (and their symmetric inverses) can never form a cycle.
  void buildOrders() {
    if (units_.size() < 2) return;
    std::vector<size_t>& rank = rank_;
    rank.resize(units_.size());
    for (size_t i = 0; i < rank.size(); ++i) rank[i] = i;
    rng_.shuffle(rank);
    const int count =
        scaledCount(rng_, knobs().orders_per_resource, static_cast<int>(model_.primitives.size()));
    std::set<std::pair<size_t, size_t>> seen;
    for (int attempt = 0; attempt < count * 4 && static_cast<int>(seen.size()) < count; ++attempt) {
      size_t a = rng_.below(units_.size());
      size_t b = rng_.below(units_.size());
      if (a == b) continue;
      if (rank[a] > rank[b]) std::swap(a, b);  // now a comes first for start edges
      if (!seen.insert({a, b}).second) continue;
      OrderModel order;
      static const std::string kKinds[] = {"", "Mandatory", "Optional", "Serialize"};
      const double serialize = std::clamp(knobs().serialize_orders, 0.0, 1.0);
      const double other = 1.0 - serialize;
      order.kind = rng_.choose(kKinds, {0.4 * other, 0.3 * other, 0.3 * other, serialize});
      // Pacemaker 2.1.5 keeps a Serialize input on the unrunnable start of a resource that is
      // being stopped, so its own transition never completes ("Transition failed: terminated").
      // Keep Serialize to resources that are less likely to be stopped that way.
      if (order.kind == "Serialize" && (!serializable(units_[a]) || !serializable(units_[b]))) {
        order.kind = "Optional";
      }
      const size_t actions = order.kind == "Serialize" ? 0 : rng_.weighted({0.7, 0.1, 0.1, 0.1});
      order.first = units_[a].id;
      order.then = units_[b].id;
      if (actions == 1) {
        order.first_action = order.then_action = "start";
      } else if (actions == 2) {
        std::swap(order.first, order.then);
        order.first_action = order.then_action = "stop";
      } else if (actions == 3) {
        if (rng_.chance(0.5)) std::swap(order.first, order.then);
        order.first_action = "stop";
        order.then_action = "start";
      }
      if (actions >= 2) {
        // The symmetric inverse of an order on stops is an order on starts that Pacemaker 2.1.5
        // makes mandatory without making it block the "then" start: when the "first" start is
        // unrunnable its own transition stalls. Stop orders are one-way.
        order.symmetrical = "false";
      } else if (order.kind != "Serialize") {
        static const std::string kSymmetrical[] = {"", "true", "false"};
        order.symmetrical = rng_.choose(kSymmetrical, {0.6, 0.2, 0.2});
      }
      decorateOrder(model_, features_, order);
      order.id = "ord" + std::to_string(seen.size()) + "-" + order.first + "-" + order.then;
      model_.orders.push_back(std::move(order));
    }
  }

  // Not told to stop and not a colocation dependent (see buildOrders).
  bool serializable(const Unit& unit) const {
    if (unit.clone >= 0) return false;
    const auto stopped = [](const MetaModel& meta) { return meta.target_role == "Stopped"; };
    if (unit.primitive >= 0 && stopped(model_.primitives[unit.primitive].meta)) return false;
    if (unit.group >= 0) {
      const GroupModel& g = model_.groups[unit.group];
      if (stopped(g.meta)) return false;
      for (int m : g.members) {
        if (stopped(model_.primitives[m].meta)) return false;
      }
    }
    for (const ColocationModel& c : model_.colocations) {
      if (c.rsc == unit.id) return false;
    }
    return true;
  }

  int pickRunNode() {
    std::vector<int> eligible, standby, online;
    for (size_t i = 0; i < model_.nodes.size(); ++i) {
      const NodeModel& n = model_.nodes[i];
      if (!n.online) continue;
      online.push_back(static_cast<int>(i));
      (n.standby ? standby : eligible).push_back(static_cast<int>(i));
    }
    if (!unclean_.empty() && features_.chance(0.3)) return features_.pick(unclean_);
    if (!standby.empty() && (eligible.empty() || rng_.chance(knobs().running_on_standby))) {
      return rng_.pick(standby);
    }
    return eligible.empty() ? rng_.pick(online) : rng_.pick(eligible);
  }

  int pickOtherOnline(int avoid) {
    std::vector<int> others;
    for (size_t i = 0; i < model_.nodes.size(); ++i) {
      if (model_.nodes[i].online && static_cast<int>(i) != avoid) {
        others.push_back(static_cast<int>(i));
      }
    }
    return others.empty() ? avoid : rng_.pick(others);
  }

  void buildHistory() {
    const size_t node_count = model_.nodes.size();
    model_.history.assign(model_.primitives.size() * node_count, History::kNone);
    model_.fail_count.assign(model_.history.size(), 0);
    for (size_t n = 0; n < node_count; ++n) {
      if (model_.nodes[n].unclean) unclean_.push_back(static_cast<int>(n));
    }
    std::vector<int> run_node(model_.primitives.size(), -1);
    std::vector<char> clone_active(model_.history.size(), 0);
    std::vector<Unit> units = units_;
    for (size_t r = 0; r < model_.primitives.size(); ++r) {
      if (model_.primitives[r].agent_class == "stonith") {
        units.push_back({model_.primitives[r].id, -1, static_cast<int>(r), -1});
      }
    }
    for (const Unit& unit : units) {
      if (unit.clone >= 0) {
        placeCloneInstances(model_, features_, model_.clones[unit.clone], knobs().running,
                            clone_active);
        continue;
      }
      if (!rng_.chance(knobs().running)) continue;
      const int node = pickRunNode();
      if (unit.primitive >= 0) {
        run_node[unit.primitive] = node;
        continue;
      }
      const std::vector<int>& members = model_.groups[unit.group].members;
      const int size = static_cast<int>(members.size());
      const int started = rng_.chance(0.8) ? size : rng_.range(1, size);
      for (int k = 0; k < started; ++k) {
        run_node[members[k]] = rng_.chance(knobs().split_group) ? pickOtherOnline(node) : node;
      }
    }
    for (size_t r = 0; r < model_.primitives.size(); ++r) {
      for (size_t n = 0; n < node_count; ++n) {
        if (!model_.nodes[n].online && !model_.nodes[n].unclean) continue;
        const size_t at = r * node_count + n;
        if (static_cast<int>(n) == run_node[r] || clone_active[at]) {
          drawActive(at);
        } else {
          drawInactive(at);
        }
      }
    }
    promoteInstances(model_, features_);
  }

  void drawActive(size_t at) {
    History& h = model_.history[at];
    const double x = rng_.unit();
    const Knobs& k = knobs();
    if (x < k.failed_monitor) {
      h = rng_.chance(0.5) ? History::kMonitorError : History::kMonitorStopped;
      model_.fail_count[at] = static_cast<uint8_t>(rng_.range(1, 3));
    } else if (x < k.failed_monitor + k.recovered) {
      h = History::kRecovered;
      model_.fail_count[at] = static_cast<uint8_t>(rng_.range(1, 2));
    } else if (x < k.failed_monitor + k.recovered + k.failed_start) {
      h = History::kStartFailedLive;
    } else {
      h = History::kRunning;
    }
  }

  void drawInactive(size_t at) {
    History& h = model_.history[at];
    const Knobs& k = knobs();
    if (rng_.chance(k.unprobed)) {
      h = History::kNone;
    } else if (rng_.chance(k.stopped_history)) {
      h = History::kStopped;
      // Sometimes it left after a monitor failure, whose record and fail-count remain.
      if (rng_.chance(0.3)) model_.fail_count[at] = static_cast<uint8_t>(rng_.range(1, 2));
    } else if (rng_.chance(k.failed_start)) {
      h = History::kStartFailed;
    } else if (rng_.chance(k.not_installed)) {
      h = History::kNotInstalled;
    } else {
      h = History::kProbed;
    }
  }

  Rng rng_;
  Rng features_;
  ClusterModel model_;
  std::vector<Unit> units_;
  std::vector<size_t> rank_;  // of units_, for start orderings (see buildOrders)
  std::vector<int> unclean_;  // node indexes
};

}  // namespace

ClusterModel buildModel(const GeneratorOptions& options, const Knobs& knobs) {
  return ModelBuilder(options, knobs).take();
}

}  // namespace pulse::cibgen
