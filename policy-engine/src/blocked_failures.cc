#include "blocked_failures.h"

#include <vector>

namespace pulse::pe {

void disregardBlockedFailureTimeouts(WorkingSet& ws) {
  for (Resource& r : ws.resources) {
    if (r.failure_timeout_s <= 0 || r.config == nullptr ||
        r.kind != ResourceConfig::Kind::Primitive) {
      continue;
    }
    std::vector<const OperationConfig*> blocking;
    for (const OperationConfig& op : r.config->ops) {
      auto it = op.attributes.find("on-fail");
      if (it != op.attributes.end() && it->second == "block") blocking.push_back(&op);
    }
    if (blocking.empty()) continue;
    for (const NodeStateRecord& st : ws.cib->node_states) {
      int node = ws.findNode(st.id);
      if (node < 0) continue;
      auto failures = ws.nodes[static_cast<std::size_t>(node)].failures.find(r.history_id);
      if (failures == ws.nodes[static_cast<std::size_t>(node)].failures.end() ||
          failures->second.count <= 0) {
        continue;
      }
      for (const ResourceHistory& rh : st.resources) {
        if (rh.id != r.history_id) continue;
        for (const OperationRecord& rec : rh.ops) {
          for (const OperationConfig* op : blocking) {
            if (rec.task != op->name || rec.interval_ms != op->interval_ms) continue;
            const bool unexpected = !rec.has_target_rc || rec.rc != rec.target_rc;
            if (rec.is_last_failure || (rec.interval_ms > 0 && unexpected)) {
              r.failure_timeout_s = 0;
            }
          }
        }
      }
    }
  }
}

}  // namespace pulse::pe
