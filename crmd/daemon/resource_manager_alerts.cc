// ResourceManager's alerts (resource_manager_impl.h, alert_runner.h): which node sends which
// alert, as in Pacemaker:
//   node       every node, for each member that joins ("member") or leaves ("lost") its view
//   resource   the node that ran the operation, for each result it reports (a recurring
//              monitor only when its result changes; a probe only when it found something
//              unexpected, as execd does)
//   fencing    every node, as Pacemaker's fencer tells every node's controller: for each
//              fencing operation that completes in the fencing history (fence_history.h),
//              seen in the first local CIB copy that records its result
//   attribute  the DC (Pacemaker's attribute writer), for each node attribute of the status
//              section that changes between two CIB copies (set, changed or removed: "")
// The alert configuration is re-read from each new local CIB copy.

#include <algorithm>

#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace {

// (node name, attribute) -> value for every transient node attribute in `cib`'s status.
std::map<std::pair<std::string, std::string>, std::string> transientAttributes(
    const pugi::xml_node& cib) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (pugi::xml_node state : cib.child("status").children("node_state")) {
    const std::string node = state.attribute("uname").as_string();
    for (pugi::xml_node set : state.child("transient_attributes").children("instance_attributes")) {
      for (pugi::xml_node pair : set.children("nvpair")) {
        out[{node, pair.attribute("name").as_string()}] = pair.attribute("value").as_string();
      }
    }
  }
  return out;
}

}  // namespace

void ResourceManager::Impl::alertsOnCib(const CibRef& copy) {
  if (!alerts || !copy || copy == alerts_cib) return;
  // The first copy a node holds is its starting point, not a change.
  const bool first = alerts_cib == nullptr;
  alerts_cib = copy;
  alerts->setAlerts(readAlerts(copy->cib()));
  auto now = transientAttributes(copy->cib());
  if (dc_active && !first && !alerts->empty()) {
    for (const auto& [key, value] : now) {
      auto before = attribute_values.find(key);
      if (before != attribute_values.end() && before->second == value) continue;
      alertAttribute(key.first, key.second, value);
    }
    for (const auto& [key, value] : attribute_values) {
      if (!now.contains(key)) alertAttribute(key.first, key.second, "");
    }
  }
  attribute_values = std::move(now);
  std::set<std::string> completed;
  for (const cib::FenceEvent& e : cib::readFenceHistory(copy->cib())) {
    if (e.state == cib::FenceEvent::State::kPending) continue;
    completed.insert(e.id);
    if (!first && !fence_alerted.contains(e.id)) alertFencing(e);
  }
  fence_alerted = std::move(completed);
}

void ResourceManager::Impl::alertAttribute(const std::string& node, const std::string& name,
                                           const std::string& value) {
  AlertEvent event;
  event.kind = AlertKind::kAttribute;
  event.node = node;
  for (const membership::ClusterNode& n : options.config.nodes) {
    if (rm::nameOf(n) == node) event.nodeid = static_cast<std::uint32_t>(n.id);
  }
  event.attribute_name = name;
  event.attribute_value = value;
  alerts->send(event);
}

void ResourceManager::Impl::alertMembers(const std::vector<Member>& before,
                                         const std::vector<Member>& after) {
  if (!alerts || alerts->empty()) return;
  const auto contains = [](const std::vector<Member>& list, NodeId id) {
    return std::any_of(list.begin(), list.end(), [&](const Member& m) { return m.id == id; });
  };
  const auto send = [&](const Member& m, const char* state) {
    AlertEvent event;
    event.kind = AlertKind::kNode;
    event.node = m.name;
    event.nodeid = static_cast<std::uint32_t>(m.id);
    event.desc = state;
    alerts->send(event);
  };
  for (const Member& m : after) {
    if (!contains(before, m.id)) send(m, "member");
  }
  for (const Member& m : before) {
    if (!contains(after, m.id)) send(m, "lost");
  }
}

void ResourceManager::Impl::alertResult(const LocalResult& r) {
  if (!alerts || alerts->empty() || r.request.operation == "cancel") return;
  const bool probe = r.request.operation == "monitor" && r.request.interval_ms == 0;
  if (probe && r.result.exec_status == 0 && r.result.rc == r.request.expected_rc) return;
  AlertEvent event;
  event.kind = AlertKind::kResource;
  event.node = r.request.node;
  event.rsc = r.request.resource;
  event.task = r.request.operation;
  event.interval_ms = r.request.interval_ms;
  event.target_rc = r.request.expected_rc;
  event.status = r.result.exec_status;
  event.rc = r.result.rc;
  event.exec_time_ms = r.result.exec_ms;
  // As execd describes a result: the OCF code's name when the agent answered, else the
  // execution status's.
  event.desc = r.result.exec_status == 0
                   ? std::string(ocfCodeName(ocfCodeFromExitStatus(r.result.rc)))
               : r.result.exec_status == 1 ? "Cancelled"
               : r.result.exec_status == 2 ? "Timed Out"
               : r.result.exec_status == 7 ? "Not installed"
                                           : "Error";
  alerts->send(event);
}

void ResourceManager::Impl::alertFencing(const cib::FenceEvent& fenced) {
  if (!alerts || alerts->empty()) return;
  const bool ok = fenced.state == cib::FenceEvent::State::kDone;
  AlertEvent event;
  event.kind = AlertKind::kFencing;
  event.node = fenced.target;
  event.task = fenced.action;
  event.rc = ok ? 0 : 1;
  // Pacemaker's stonith__event_description, without the operation's reference.
  event.desc = "Operation " + fenced.action + " of " + fenced.target + " by " + fenced.delegate +
               " for " + fenced.client + "@" + fenced.origin + ": " +
               (ok ? "OK" : "Error (" + fenced.exit_reason + ")");
  alerts->send(event);
}

}  // namespace pulse::crmd
