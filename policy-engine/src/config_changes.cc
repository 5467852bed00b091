#include "config_changes.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "common/crm_bool.h"
#include "policy-engine/op_digest.h"

namespace pulse::pe {
namespace {

bool sameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const OperationConfig* opConfig(const Resource& r, const std::string& task,
                                std::int64_t interval_ms) {
  if (r.config == nullptr) return nullptr;
  auto find = [&](const std::string& name) -> const OperationConfig* {
    for (const OperationConfig& op : r.config->ops) {
      if (sameName(op.name, name) && op.interval_ms == interval_ms) return &op;
    }
    return nullptr;
  };
  const OperationConfig* op = find(task);
  if (op == nullptr && (task == "migrate_to" || task == "migrate_from")) op = find("migrate");
  return op;
}

std::vector<const OperationRecord*> sortedByCallId(const ResourceHistory& rh) {
  std::vector<const OperationRecord*> ops;
  for (const OperationRecord& op : rh.ops) ops.push_back(&op);
  std::stable_sort(ops.begin(), ops.end(), [](const OperationRecord* a, const OperationRecord* b) {
    auto key = [](const OperationRecord* o) {
      return o->call_id < 0 ? std::numeric_limits<long long>::max() : o->call_id;
    };
    return key(a) < key(b);
  });
  return ops;
}

// Pacemaker's calculate_active_ops: the last start (or what implies one)
// and the last successful stop.
void activeRange(const std::vector<const OperationRecord*>& ops, int& start, int& stop) {
  start = stop = -1;
  int implied_monitor = -1;
  int implied_clone = -1;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    const OperationRecord& op = *ops[static_cast<std::size_t>(i)];
    if (op.task == "stop" && op.op_status == 0) {
      stop = i;
    } else if (op.task == "start" || op.task == "migrate_from") {
      start = i;
    } else if (implied_monitor <= stop && op.task == "monitor") {
      if (op.rc == 0 || op.rc == 8) implied_monitor = i;
    } else if (op.task == "promote" || op.task == "demote") {
      implied_clone = i;
    }
  }
  if (start == -1) start = implied_clone != -1 ? implied_clone : implied_monitor;
}

}  // namespace

OpDigestInput opDigestInput(const WorkingSet& ws, const Resource& r, const std::string& task,
                            std::int64_t interval_ms) {
  OpDigestInput in;
  if (r.config == nullptr) return in;
  in.params = r.config->params;
  // Instance attributes are inherited from every enclosing group and clone.
  for (int p = r.parent; p >= 0; p = ws.resources[static_cast<std::size_t>(p)].parent) {
    const Resource& parent = ws.resources[static_cast<std::size_t>(p)];
    if (parent.config != nullptr) {
      for (const auto& kv : parent.config->params) in.params.insert(kv);
    }
  }
  in.task = task;
  in.interval_ms = interval_ms;
  std::optional<std::string_view> timeout;
  auto d = ws.cib->op_defaults.find("timeout");
  if (d != ws.cib->op_defaults.end()) timeout = d->second;
  if (const OperationConfig* oc = opConfig(r, task, interval_ms)) {
    if (auto m = oc->meta.find("timeout"); m != oc->meta.end()) timeout = m->second;
    if (auto a = oc->attributes.find("timeout"); a != oc->attributes.end()) timeout = a->second;
    in.op_params = oc->params;
  }
  in.op_meta["timeout"] = normalizedTimeoutMs(timeout);
  in.fence_device = r.is_stonith;
  return in;
}

bool recordPending(const WorkingSet& ws, const Resource& r, const std::string& task,
                   std::int64_t interval_ms) {
  std::optional<std::string_view> value;
  if (auto d = ws.cib->op_defaults.find("record-pending"); d != ws.cib->op_defaults.end())
    value = d->second;
  if (const OperationConfig* oc = opConfig(r, task, interval_ms)) {
    if (auto m = oc->meta.find("record-pending"); m != oc->meta.end()) value = m->second;
    if (auto a = oc->attributes.find("record-pending"); a != oc->attributes.end())
      value = a->second;
  }
  return !value || crmIsTrue(*value);
}

DigestCheck compareDigests(const WorkingSet& ws, const Resource& r, const OperationRecord& op) {
  if (r.config == nullptr) return DigestCheck::Unknown;
  OpDigestInput in = opDigestInput(ws, r, op.task, op.interval_ms);
  in.feature_set = !op.feature_set.empty() ? op.feature_set : ws.cib->feature_set;
  OpDigests digests = computeOpDigests(
      in,
      op.extra().op_force_restart ? std::optional<std::string_view>(*op.extra().op_force_restart)
                                  : std::nullopt,
      op.extra().op_secure_params ? std::optional<std::string_view>(*op.extra().op_secure_params)
                                  : std::nullopt);
  bool extra_params = op.interval_ms == 0 && !in.op_params.empty();
  DigestCheck check = DigestCheck::Match;
  if (!op.extra().restart_digest.empty() && digests.restart != op.extra().restart_digest) {
    check = DigestCheck::Restart;
  } else if (op.op_digest.empty()) {
    check = DigestCheck::Unknown;
  } else if (digests.all != op.op_digest) {
    check = extra_params ? DigestCheck::Restart : DigestCheck::All;
  }
  // In a sanitized CIB only private parameters may differ: the secure digest decides.
  if (check != DigestCheck::Match && ws.sanitized && !op.extra().secure_digest.empty() &&
      digests.secure == op.extra().secure_digest) {
    check = DigestCheck::Match;
  }
  return check;
}

ConfigChanges checkConfigChanges(const WorkingSet& ws) {
  ConfigChanges out;
  for (const NodeStateRecord& st : ws.cib->node_states) {
    int node = ws.findNode(st.id);
    if (node < 0 && !st.uname.empty()) node = ws.findNode(st.uname);
    if (node < 0) continue;
    for (const ResourceHistory& rh : st.resources) {
      int index = ws.historyOwner(node, rh.id);
      if (index < 0 || rh.ops.empty()) continue;
      const Resource& r = ws.resources[static_cast<std::size_t>(index)];
      if (r.kind != ResourceConfig::Kind::Primitive) continue;
      const bool active =
          std::find(r.running_on.begin(), r.running_on.end(), node) != r.running_on.end();
      // An agent (class, provider or type) other than the one that ran here: restarted where
      // active (pcmk__rsc_agent_changed).
      if (r.config != nullptr && r.managed && ws.nodes[static_cast<std::size_t>(node)].online &&
          (rh.cls != r.config->cls || rh.provider != r.config->provider ||
           rh.type != r.config->type)) {
        if (r.is_stonith) out.unfence.emplace_back(node, "Device definition changed");
        if (active) {
          out.forced.push_back({index, "stop", 0});
          continue;
        }
      }
      if (!active) continue;
      auto ops = sortedByCallId(rh);
      int start = 0, stop = 0;
      activeRange(ops, start, stop);
      if (start < stop) continue;  // stopped there
      for (int i = std::max(start, 0); i < static_cast<int>(ops.size()); ++i) {
        const OperationRecord& op = *ops[static_cast<std::size_t>(i)];
        bool relevant = op.interval_ms > 0 || op.task == "monitor" || op.task == "start" ||
                        op.task == "promote" || op.task == "migrate_from";
        if (!relevant) continue;
        if (op.interval_ms > 0 && opConfig(r, op.task, op.interval_ms) == nullptr) continue;
        std::string task = op.task;
        if (op.interval_ms == 0 &&
            (task == "monitor" || task == "migrate_from" || task == "promote")) {
          task = "start";
        }
        DigestCheck check = compareDigests(ws, r, op);
        if (r.is_stonith && op.interval_ms == 0 && check != DigestCheck::Match) {
          out.unfence.emplace_back(
              node, !op.extra().restart_digest.empty() && check != DigestCheck::Restart
                        ? "Device parameters changed (reload)"
                        : "Device parameters changed");
        }
        if (check == DigestCheck::Restart) {
          out.forced.push_back({index, task, op.interval_ms});
        } else if (check == DigestCheck::All || check == DigestCheck::Unknown) {
          if (op.interval_ms > 0) {
            out.forced.push_back({index, task, op.interval_ms});
          } else if (!op.extra().restart_digest.empty()) {
            // A start still pending when the definition changed: restart, not reload.
            if (r.managed && !r.failed && r.start_pending) {
              out.forced.push_back({index, "stop", 0});
            } else if (r.managed && !r.failed) {
              out.reloads.emplace_back(index, node);
            }
          } else {
            out.forced.push_back({index, task, op.interval_ms});
          }
        }
      }
    }
  }
  return out;
}

}  // namespace pulse::pe
