// Clone notifications: Pacemaker 2.1.5's pe__clone_notif_pseudo_ops, collect_resource_data,
// add_notif_keys and create_notify_actions, on a plan whose flags are settled.
#include "notifications.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/crm_bool.h"

namespace pulse::pe {
namespace {

using Meta = std::map<std::string, std::string>;

// One instance (a primitive under the clone) and the node it is listed with.
struct Entry {
  std::string rsc;
  std::string node;  // empty: none (an inactive instance)
  friend bool operator<(const Entry& a, const Entry& b) {
    return std::tie(a.rsc, a.node) < std::tie(b.rsc, b.node);
  }
};

// What the notifications of one clone say (Pacemaker's notify_data_t lists).
struct Lists {
  std::vector<Entry> start, stop, promote, demote, active, inactive, promoted, unpromoted;
};

class Notifier {
 public:
  Notifier(const WorkingSet& ws, ActionPlan& plan, int clone)
      : ws_(ws), plan_(plan), clone_(clone) {}

  void run() {
    collectLeaves(clone_);
    for (int leaf : leaves_) collect(leaf);
    const Meta keys = variables();
    // The clone's own ordering is demote, stop, start, promote: each phase's notifications
    // come after the previous phase's (Pacemaker orders confirmed-post before the next pre).
    const std::pair<const char*, const char*> phases[] = {
        {"demote", "demoted"}, {"stop", "stopped"}, {"start", "running"}, {"promote", "promoted"}};
    int previous_done = -1;
    for (const auto& [task, complete] : phases) {
      const int done = phase(task, complete, keys);
      if (done < 0) continue;
      if (previous_done >= 0) edge(previous_done, pre_of_last_, kOrderOptional);
      previous_done = done;
    }
  }

 private:
  const Resource& rsc(int i) const { return ws_.resources[static_cast<std::size_t>(i)]; }
  PlannedAction& act(int i) { return plan_.actions[static_cast<std::size_t>(i)]; }
  std::string nodeName(int n) const { return ws_.nodes[static_cast<std::size_t>(n)].name; }

  void collectLeaves(int index) {
    if (rsc(index).children.empty()) {
      leaves_.push_back(index);
      return;
    }
    for (int c : rsc(index).children) collectLeaves(c);
  }

  // The instance's role now, and what it does in this transition (required, runnable actions;
  // a stop on an unclean node counts too: the fencing implies it).
  void collect(int leaf) {
    const Resource& r = rsc(leaf);
    const std::string node = r.running_on.empty() ? "" : nodeName(r.running_on.front());
    const Entry entry{r.id, node};
    switch (r.role) {
      case Role::Started:
        lists_.active.push_back(entry);
        break;
      case Role::Unpromoted:
        lists_.unpromoted.push_back(entry);
        lists_.active.push_back(entry);
        break;
      case Role::Promoted:
        lists_.promoted.push_back(entry);
        lists_.active.push_back(entry);
        break;
      default:
        lists_.inactive.push_back(entry);
        break;
    }
    for (int id : plan_.by_resource[static_cast<std::size_t>(leaf)]) {
      const PlannedAction& a = act(id);
      if (a.optional || a.node < 0 || a.interval_ms != 0) continue;
      const bool unclean_stop =
          a.task == "stop" && ws_.nodes[static_cast<std::size_t>(a.node)].unclean;
      if ((a.pseudo || !a.runnable) && !unclean_stop) continue;
      const Entry e{r.id, nodeName(a.node)};
      if (a.task == "start") lists_.start.push_back(e);
      if (a.task == "stop") lists_.stop.push_back(e);
      if (a.task == "promote") lists_.promote.push_back(e);
      if (a.task == "demote") lists_.demote.push_back(e);
    }
  }

  // "a b c" of the entries sorted, one per instance; " " when there are none.
  static std::pair<std::string, std::string> words(std::vector<Entry> list, bool need_node) {
    std::sort(list.begin(), list.end());
    std::string names, nodes, last;
    for (const Entry& e : list) {
      if (need_node && e.node.empty()) continue;
      if (e.rsc == last) continue;
      last = e.rsc;
      names += (names.empty() ? "" : " ") + e.rsc;
      if (need_node) nodes += (nodes.empty() ? "" : " ") + e.node;
    }
    return {names.empty() ? " " : names, nodes.empty() ? " " : nodes};
  }

  Meta variables() const {
    Meta keys;
    auto put = [&](const std::string& what, const std::vector<Entry>& list) {
      auto [names, nodes] = words(list, true);
      keys["notify_" + what + "_resource"] = names;
      keys["notify_" + what + "_uname"] = nodes;
    };
    put("stop", lists_.stop);
    put("start", lists_.start);
    put("demote", lists_.demote);
    put("promote", lists_.promote);
    put("active", lists_.active);
    put("unpromoted", lists_.unpromoted);
    put("slave", lists_.unpromoted);  // the deprecated names agents still read
    put("promoted", lists_.promoted);
    put("master", lists_.promoted);
    keys["notify_inactive_resource"] = words(lists_.inactive, false).first;
    // Nodes the clone may run on, by name; every node of the cluster, in its order.
    std::vector<std::string> available, all;
    const NodeScores& allowed = rsc(clone_).allowed;
    for (std::size_t n = 0; n < ws_.nodes.size(); ++n) {
      all.push_back(ws_.nodes[n].name);
      if (n < allowed.size() && allowed[n]) available.push_back(ws_.nodes[n].name);
    }
    std::sort(available.begin(), available.end());
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const std::string& w : v) out += (out.empty() ? "" : " ") + w;
      return out.empty() ? std::string(" ") : out;
    };
    keys["notify_available_uname"] = join(available);
    keys["notify_all_uname"] = join(all);
    return keys;
  }

  int pseudo(const std::string& key, const std::string& task, bool runnable) {
    PlannedAction a;
    a.id = static_cast<int>(plan_.actions.size());
    a.key = key;
    a.task = task;
    a.rsc = clone_;
    a.optional = false;
    a.runnable = runnable;
    a.pseudo = true;
    plan_.actions.push_back(std::move(a));
    plan_.by_resource[static_cast<std::size_t>(clone_)].push_back(plan_.actions.back().id);
    return plan_.actions.back().id;
  }

  void edge(int first, int then, std::uint32_t flags) {
    addPlanEdge(plan_, first, then, flags, "notifications of " + rsc(clone_).id);
  }

  // One phase (task, e.g. "start", completed by the clone's `complete`, e.g. "running"):
  // returns its confirmed-post pseudo-action, or -1 when nothing of it happens.
  int phase(const std::string& task, const std::string& complete, const Meta& keys) {
    const std::vector<Entry>& doing = task == "start"     ? lists_.start
                                      : task == "stop"    ? lists_.stop
                                      : task == "promote" ? lists_.promote
                                                          : lists_.demote;
    const PlannedAction* action = findAction(plan_, clone_, task, -1);
    const PlannedAction* done = findAction(plan_, clone_, complete, -1);
    if (doing.empty() || action == nullptr || done == nullptr) return -1;
    const int action_id = action->id, done_id = done->id;
    const bool post_runnable = done->runnable;
    const std::string& id = rsc(clone_).id;
    const int pre = pseudo(id + "_pre_notify_" + task + "_0", "notify", true);
    const int pre_done = pseudo(id + "_confirmed-pre_notify_" + task + "_0", "notified", true);
    const int post = pseudo(id + "_post_notify_" + complete + "_0", "notify", post_runnable);
    const int post_done =
        pseudo(id + "_confirmed-post_notify_" + complete + "_0", "notified", post_runnable);
    edge(pre, pre_done, kOrderOptional);
    edge(pre_done, action_id, kOrderOptional);
    edge(done_id, post, kOrderImpliesThen);
    edge(post, post_done, kOrderImpliesThen);
    edge(pre_done, post, kOrderOptional);
    pre_of_last_ = pre;

    Meta meta = keys;
    meta["notify_operation"] = task;
    for (int leaf : leaves_) {
      const Resource& r = rsc(leaf);
      // The variables go with the instance's own actions of this task too.
      for (int a : actionsWithTask(plan_, leaf, task, -1)) {
        if (!act(a).optional) plan_.notify_meta[a] = keys;
      }
      // Read before notify() adds actions (which moves the plan's actions).
      const PlannedAction* stop = findAction(plan_, leaf, "stop", -1);
      const bool stays = stop == nullptr || stop->optional;
      if ((task == "stop" || task == "demote") && r.role != Role::Stopped &&
          r.role != Role::Unknown) {
        for (int n : r.running_on) {
          if (ws_.nodes[static_cast<std::size_t>(n)].unclean) continue;  // fenced, not told
          notify(leaf, n, "pre", task, pre, pre_done, meta);
          if (task == "demote" || stays)
            postNotify(leaf, n, task, post, post_done, meta, post_runnable);
        }
      }
      if ((task == "start" || task == "promote") && r.next_role != Role::Stopped &&
          r.next_role != Role::Unknown && r.assigned_to >= 0) {
        const PlannedAction* start = findAction(plan_, leaf, "start", r.assigned_to);
        const bool started = start == nullptr || start->optional;
        if (task != "start" || started)
          notify(leaf, r.assigned_to, "pre", task, pre, pre_done, meta);
        postNotify(leaf, r.assigned_to, task, post, post_done, meta, post_runnable);
      }
    }
    return post_done;
  }

  void postNotify(int leaf, int node, const std::string& task, int post, int post_done,
                  const Meta& meta, bool runnable) {
    if (!runnable) return;
    notify(leaf, node, "post", task, post, post_done, meta);
    // The instance's recurring monitors start once every post-notification is done.
    for (int id : plan_.by_resource[static_cast<std::size_t>(leaf)]) {
      if (act(id).task == "monitor" && act(id).interval_ms > 0) edge(post_done, id, kOrderOptional);
    }
  }

  // LEAF_TYPE_notify_TASK_0 on `node`, between the phase's pseudo-actions.
  void notify(int leaf, int node, const std::string& type, const std::string& task, int before,
              int after, Meta meta) {
    if (!ws_.nodes[static_cast<std::size_t>(node)].online) return;
    PlannedAction a;
    a.id = static_cast<int>(plan_.actions.size());
    a.key = rsc(leaf).id + "_" + type + "_notify_" + task + "_0";
    a.task = "notify";
    a.rsc = leaf;
    a.node = node;
    a.optional = false;
    a.runnable = true;
    const int id = a.id;
    plan_.actions.push_back(std::move(a));
    plan_.by_resource[static_cast<std::size_t>(leaf)].push_back(id);
    meta["notify_type"] = type;
    meta["notify_key_type"] = type;
    meta["notify_key_operation"] = type == "pre" ? task : completeOf(task);
    plan_.notify_meta[id] = std::move(meta);
    edge(before, id, kOrderOptional);
    edge(id, after, kOrderOptional);
  }

  static std::string completeOf(const std::string& task) {
    if (task == "start") return "running";
    if (task == "stop") return "stopped";
    return task + "d";  // promoted, demoted
  }

  const WorkingSet& ws_;
  ActionPlan& plan_;
  int clone_;
  std::vector<int> leaves_;
  Lists lists_;
  int pre_of_last_ = -1;
};

}  // namespace

void addNotifications(const WorkingSet& ws, ActionPlan& plan) {
  for (std::size_t i = 0; i < ws.resources.size(); ++i) {
    const Resource& r = ws.resources[i];
    if (!isClone(r)) continue;
    auto notify = r.meta.find("notify");
    if (notify == r.meta.end() || !crmIsTrue(notify->second)) continue;
    Notifier(ws, plan, static_cast<int>(i)).run();
  }
}

}  // namespace pulse::pe
