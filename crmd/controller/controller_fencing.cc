// The DC's decisions around the transition (controller.h): probes before the engine runs,
// fencing of lost nodes and `pcs stonith fence`, and recurring monitors' changed results.
// Pure like controller.cc, whose state it shares.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/crm_bool.h"
#include "crmd/controller/controller.h"
#include "crmd/controller/controller_xml.h"
#include "policy-engine/fencing_topology.h"
#include "policy-engine/op_digest.h"

namespace pulse::crmd {
namespace {
using namespace ctlxml;

// Pacemaker's stonith-timeout default: how long a fence device is given for one request.
constexpr std::int64_t kFenceTimeoutMs = 60000;

struct NodeRef {
  std::string id;
  std::string name;
};

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The uname of node `id` from its node_state, else from <nodes>.
std::string unameOf(const pugi::xml_node& cib, const pugi::xml_node& ns) {
  if (!std::string_view(ns.attribute("uname").value()).empty())
    return ns.attribute("uname").value();
  return cib.child("configuration")
      .child("nodes")
      .find_child_by_attribute("node", "id", ns.attribute("id").value())
      .attribute("uname")
      .value();
}

// Nodes the confirmed CIB records as lost while expected up (see applyMembers), with fencing
// on: exactly the node_states the engine reads as "no longer part of the cluster".
std::vector<NodeRef> uncleanNodes(const pugi::xml_node& cib, const std::vector<Member>& members) {
  std::vector<NodeRef> out;
  if (!stonithEnabled(cib)) return out;
  for (pugi::xml_node ns : cib.child("status").children("node_state")) {
    const std::string id = ns.attribute("id").value();
    const bool member = std::any_of(members.begin(), members.end(),
                                    [&](const Member& m) { return nodeIdOf(m) == id; });
    if (member || crmIsTrue(ns.attribute("in_ccm").value()) ||
        std::string_view(ns.attribute("expected").value()) != "member")
      continue;
    out.push_back({id, unameOf(cib, ns)});
  }
  return out;
}

// pcmk_host_list: names separated by spaces, commas or semicolons.
bool hostListNames(const std::string& list, const std::string& node) {
  constexpr std::string_view kSeparators = " ,;\t\n";
  std::size_t start = 0;
  while ((start = list.find_first_not_of(kSeparators, start)) != std::string::npos) {
    const std::size_t end = std::min(list.find_first_of(kSeparators, start), list.size());
    if (list.compare(start, end - start, node) == 0) return true;
    start = end;
  }
  return false;
}

bool isStonithPrimitive(const pugi::xml_node& n) {
  return std::string_view(n.name()) == "primitive" &&
         std::string_view(n.attribute("class").value()) == "stonith";
}

// Why the stonith primitive `device` may not fence `node` ("" when it may): target-role=Stopped
// makes a device unusable, and pcmk_host_list (when given) must name the node.
std::string unusableFor(const pugi::xml_node& device, const std::string& node) {
  const auto meta = nvBlocks(device, "meta_attributes");
  if (auto role = meta.find("target-role");
      role != meta.end() && equalsIgnoringCase(role->second, "Stopped"))
    return "it is disabled (target-role=Stopped)";
  const auto params = nvBlocks(device, "instance_attributes");
  auto hosts = params.find("pcmk_host_list");
  if (hosts != params.end() && !hostListNames(hosts->second, node))
    return "its pcmk_host_list does not name " + node;
  return "";
}

ActionRequest deviceRequest(const pugi::xml_node& device, const std::string& operation) {
  return ActionRequest{.action_id = 0,
                       .node = "",
                       .resource = device.attribute("id").value(),
                       .rsc_class = "stonith",
                       .provider = "",
                       .type = device.attribute("type").value(),
                       .operation = operation,
                       .interval_ms = 0,
                       .timeout_ms = kFenceTimeoutMs,
                       .params = nvBlocks(device, "instance_attributes"),
                       .meta = nvBlocks(device, "meta_attributes"),
                       .expected_rc = cib::kOcfOk};
}

// The first class="stonith" primitive that may fence `node`, as the request for its agent.
std::optional<ActionRequest> fenceDevice(const pugi::xml_node& cib, const std::string& node,
                                         const std::string& operation) {
  pugi::xml_node device =
      cib.child("configuration").child("resources").find_node([&](const pugi::xml_node& n) {
        return isStonithPrimitive(n) && unusableFor(n, node).empty();
      });
  if (!device) return std::nullopt;
  return deviceRequest(device, operation);
}

// The levels of `node`'s fencing topology (empty: it has none), each with its devices'
// requests, or why the level cannot be tried.
std::vector<FenceLevel> fenceLevels(const pugi::xml_node& cib, const std::string& node,
                                    const std::string& operation) {
  std::vector<FenceLevel> out;
  for (const pe::cibconf::FencingLevel& level : pe::cibconf::fencingLevelsFor(cib, node)) {
    FenceLevel fl{
        .index = pe::cibconf::fencingLevelIndex(level.index), .devices = {}, .unusable = ""};
    for (const std::string& id : level.devices) {
      pugi::xml_node device =
          cib.child("configuration").child("resources").find_node([&](const pugi::xml_node& n) {
            return isStonithPrimitive(n) && id == n.attribute("id").value();
          });
      std::string why = device ? unusableFor(device, node) : "it is not a configured fence device";
      if (!why.empty()) {
        fl.unusable = id + " cannot fence " + node + ": " + why;
        fl.devices.clear();
        break;
      }
      fl.devices.push_back(deviceRequest(device, operation));
    }
    out.push_back(std::move(fl));
  }
  return out;
}

// "level 1 (fence_a), level 2 (fence_b,fence_c)" for the log.
std::string describeLevels(const pugi::xml_node& cib, const std::string& node) {
  std::string text;
  for (const pe::cibconf::FencingLevel& level : pe::cibconf::fencingLevelsFor(cib, node)) {
    std::string devices;
    for (const std::string& d : level.devices) devices += (devices.empty() ? "" : ",") + d;
    text += (text.empty() ? "" : ", ") + std::string("level ") + level.index + " (" + devices + ")";
  }
  return text;
}

// stonith-watchdog-timeout in milliseconds: 0 when watchdog fencing is off (absent, 0 or
// unknown minimum, with `why` saying so); a negative value means the computed minimum.
std::int64_t watchdogWaitMs(const pugi::xml_node& cib, std::int64_t minimum_ms, std::string& why) {
  const std::string value = clusterOption(cib, "stonith-watchdog-timeout", "0");
  const std::size_t start = value.find_first_not_of(" \t");
  if (start != std::string::npos && value[start] == '-') {
    if (minimum_ms > 0) return minimum_ms;
    why = "stonith-watchdog-timeout is negative but the watchdog minimum is not known";
    return 0;
  }
  const std::int64_t ms = std::atoll(pe::normalizedTimeoutMs(value).c_str());
  if (ms <= 0) why = "no fence device and stonith-watchdog-timeout is 0";
  return ms;
}

NodeId parseNodeId(const std::string& id) {
  return static_cast<NodeId>(std::strtoul(id.c_str(), nullptr, 10));
}

}  // namespace

void Controller::probe(ControllerOutput& out) {
  // Only on a confirmed CIB that holds everything this controller knows (node states, results).
  if (!dc_ || !queued_.empty() || in_flight_) return;
  const pugi::xml_node cib = cib_->cib();
  std::vector<pugi::xml_node> primitives;
  cib.child("configuration").child("resources").find_node([&](const pugi::xml_node& n) {
    if (std::string_view(n.name()) == "primitive") primitives.push_back(n);
    return false;
  });
  for (const Member& m : members_) {
    pugi::xml_node lrm = cib.child("status")
                             .find_child_by_attribute("node_state", "id", nodeIdOf(m).c_str())
                             .child("lrm")
                             .child("lrm_resources");
    // Probed again after its join: what it acted on under an earlier DC (a result of it may
    // never have been recorded). Taken whole: a name no longer configured is dropped with it.
    std::set<std::string> again;
    if (auto it = reprobe_.find(m.name); it != reprobe_.end()) {
      again = std::move(it->second);
      reprobe_.erase(it);
    }
    for (const pugi::xml_node& primitive : primitives) {
      const std::string rsc = primitive.attribute("id").value();
      if (lrm.find_child_by_attribute("lrm_resource", "id", rsc.c_str()) && !again.contains(rsc))
        continue;
      const bool outstanding =
          std::any_of(dispatched_.begin(), dispatched_.end(), [&](const auto& d) {
            return !d.second.in_runner && d.second.request.node == m.name &&
                   d.second.request.resource == rsc;
          });
      if (outstanding) continue;
      ActionRequest req{
          .action_id = next_probe_id_++,
          .node = m.name,
          .resource = rsc,
          .rsc_class = primitive.attribute("class").value(),
          .provider = primitive.attribute("provider").value(),
          .type = primitive.attribute("type").value(),
          .operation = "monitor",
          .interval_ms = 0,
          .timeout_ms = durationMs(findOp(primitive, "monitor", 0).attribute("timeout"), 20000),
          .params = nvBlocks(primitive, "instance_attributes"),
          .meta = nvBlocks(primitive, "meta_attributes"),
          .expected_rc = cib::kOcfNotRunning};
      pe::Action action{.id = req.action_id,
                        .key = cib::operationKey(rsc, "monitor", 0),
                        .task = "monitor",
                        .resource = rsc,
                        .node = m.name,
                        .interval_ms = 0,
                        .pseudo = false};
      const std::int64_t deadline =
          now_.monotonic + (req.timeout_ms + 999) / 1000 + kClusterDelaySeconds;
      out.log.push_back("probing " + rsc + " on " + m.name);
      dispatched_[req.action_id] = Dispatched{req, action, nodeIdOf(m), deadline, false};
      out.actions.push_back(std::move(req));
    }
  }
}

bool Controller::waitingForFencing() const {
  return cib_ && !uncleanNodes(cib_->cib(), members_).empty();
}

void Controller::fence(ControllerOutput& out, bool tick) {
  if (!dc_) return;
  const pugi::xml_node cib = cib_->cib();
  std::vector<NodeRef> unclean = uncleanNodes(cib, members_);
  for (const auto& [name, why] : failure_fencing_) {
    auto member = std::find_if(members_.begin(), members_.end(),
                               [&](const Member& m) { return m.name == name; });
    if (member != members_.end()) unclean.push_back({nodeIdOf(*member), name});
  }
  for (const auto& [name, action] : graph_fencing_) {
    const std::string id = cib.child("configuration")
                               .child("nodes")
                               .find_child_by_attribute("node", "uname", name.c_str())
                               .attribute("id")
                               .value();
    const bool listed = std::any_of(unclean.begin(), unclean.end(),
                                    [&](const NodeRef& u) { return u.name == name; });
    if (!id.empty() && !listed) unclean.push_back({id, name});
  }
  // Forget what is settled: recorded clean (or back) and no request outstanding.
  std::erase_if(fencing_, [&](const auto& f) {
    return f.second.state != Fencing::State::kOutstanding &&
           std::none_of(unclean.begin(), unclean.end(),
                        [&](const NodeRef& u) { return u.name == f.first; });
  });
  for (const NodeRef& u : unclean) {
    Fencing& f = fencing_[u.name];
    f.node_id = u.id;
    if (f.state == Fencing::State::kOutstanding || f.state == Fencing::State::kFenced) continue;
    if (f.state == Fencing::State::kFailed && (!tick || now_.monotonic < f.retry_at)) continue;
    FenceRequest req{.node = u.name,
                     .node_id = parseNodeId(u.id),
                     .device = {},
                     .watchdog_wait_ms = 0,
                     .levels = {}};
    std::string why;
    if (auto levels = fenceLevels(cib, u.name, "reboot"); !levels.empty()) {
      req.levels = std::move(levels);
      out.log.push_back("fencing " + u.name +
                        " by its fencing topology: " + describeLevels(cib, u.name));
    } else if (auto device = fenceDevice(cib, u.name, "reboot")) {
      req.device = std::move(*device);
      out.log.push_back("fencing " + u.name + " with " + req.device.resource);
    } else if (failure_fencing_.contains(u.name)) {
      // Still a member: waiting for its watchdog proves nothing, it has no reason to fire.
      why = "no fence device may fence it, and watchdog fencing only covers nodes that left";
    } else if (std::int64_t wait = watchdogWaitMs(cib, watchdog_minimum_ms_, why); wait > 0) {
      req.watchdog_wait_ms = wait;
      out.log.push_back("fencing " + u.name + " by watchdog: assumed down after " +
                        std::to_string(wait) + " ms");
    }
    if (req.levels.empty() && req.device.resource.empty() && req.watchdog_wait_ms <= 0) {
      if (f.state != Fencing::State::kNoMeans)
        out.log.push_back("cannot fence " + u.name + ": " + why);
      f.state = Fencing::State::kNoMeans;
      continue;
    }
    f.state = Fencing::State::kOutstanding;
    out.fencing.push_back(std::move(req));
  }
}

ControllerOutput Controller::onFenceResult(const std::string& node, bool ok,
                                           const std::string& reason, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  auto it = fencing_.find(node);
  if (it == fencing_.end() || it->second.state != Fencing::State::kOutstanding) {
    out.log.push_back("ignoring fencing result for " + node + ": no fencing of it is awaited");
    return out;
  }
  Fencing& f = it->second;
  if (auto graph = graph_fencing_.find(node); graph != graph_fencing_.end()) {
    if (runner_) (void)runner_->complete(graph->second, ok, ok ? "" : "fencing failed: " + reason);
    graph_fencing_.erase(graph);
  }
  if (!ok) {
    f.state = Fencing::State::kFailed;
    f.retry_at = now.monotonic + kFenceRetrySeconds;
    out.log.push_back("fencing " + node + " failed: " + reason + " (retrying in " +
                      std::to_string(kFenceRetrySeconds) + " s)");
    step(out);
    return out;
  }
  out.log.push_back(node + " fenced: recording it down");
  auto member = std::find_if(members_.begin(), members_.end(),
                             [&](const Member& m) { return m.name == node; });
  if (member != members_.end()) {
    fenced_members_[f.node_id] = member->incarnation;  // its leaving will not make it unclean
    // What ran there died with it: its results, should one still arrive (sent as its agents
    // were killed, before its crmd was), describe the run that was powered off, whose history
    // is erased now. Its actions count as lost, like those of a node that left.
    for (auto d = dispatched_.begin(); d != dispatched_.end();) {
      if (d->second.request.node != node) {
        ++d;
        continue;
      }
      out.log.push_back(std::string(d->second.in_runner ? "action " : "probe ") +
                        d->second.action.key + " on " + node + " lost: the node was fenced");
      if (runner_ && d->second.in_runner) (void)runner_->complete(d->first, false, "node fenced");
      d = dispatched_.erase(d);
    }
  }
  queued_.push_back(Change{.fenced_node_id = f.node_id});
  f.state = Fencing::State::kFenced;
  abortTransition(node + " fenced", out);
  step(out);
  return out;
}

ControllerOutput Controller::requestFence(const std::string& node, bool off, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) {
    out.log.push_back("cannot fence " + node + ": this node is not the DC");
    return out;
  }
  now_ = now;
  const pugi::xml_node cib = cib_->cib();
  std::string id;
  for (const Member& m : members_)
    if (m.name == node) id = nodeIdOf(m);
  if (id.empty())
    id = cib.child("configuration")
             .child("nodes")
             .find_child_by_attribute("node", "uname", node.c_str())
             .attribute("id")
             .value();
  if (id.empty()) {
    out.log.push_back("cannot fence " + node + ": not a node of this cluster");
    return out;
  }
  if (auto it = fencing_.find(node);
      it != fencing_.end() && it->second.state == Fencing::State::kOutstanding) {
    out.log.push_back("cannot fence " + node + ": it is already being fenced");
    return out;
  }
  const std::string operation = off ? "off" : "reboot";
  if (std::vector<FenceLevel> levels = fenceLevels(cib, node, operation); !levels.empty()) {
    out.log.push_back("fencing " + node + " (" + operation +
                      ") by its fencing topology: " + describeLevels(cib, node) + " on request");
    fencing_[node] = Fencing{.state = Fencing::State::kOutstanding, .node_id = id, .retry_at = 0};
    FenceRequest req{.node = node,
                     .node_id = parseNodeId(id),
                     .device = {},
                     .watchdog_wait_ms = 0,
                     .levels = std::move(levels)};
    req.device.operation = operation;  // no device: only the action the levels carry out
    out.fencing.push_back(std::move(req));
    return out;
  }
  std::optional<ActionRequest> device = fenceDevice(cib, node, operation);
  if (!device) {
    out.log.push_back("cannot fence " + node + ": no fence device may fence it");
    return out;
  }
  out.log.push_back("fencing " + node + " (" + operation + ") with " + device->resource +
                    " on request");
  fencing_[node] = Fencing{.state = Fencing::State::kOutstanding, .node_id = id, .retry_at = 0};
  out.fencing.push_back(FenceRequest{.node = node,
                                     .node_id = parseNodeId(id),
                                     .device = std::move(*device),
                                     .watchdog_wait_ms = 0,
                                     .levels = {}});
  return out;
}

ControllerOutput Controller::onMonitorResult(const ActionRequest& monitor, const OcfResult& result,
                                             ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  auto member = std::find_if(members_.begin(), members_.end(),
                             [&](const Member& m) { return m.name == monitor.node; });
  if (member == members_.end()) {
    out.log.push_back("ignoring monitor result of " + monitor.resource + " from " + monitor.node +
                      ": not a member");
    return out;
  }
  if (auto fenced = fenced_members_.find(nodeIdOf(*member));
      fenced != fenced_members_.end() && fenced->second == member->incarnation) {
    // Pacemaker discards what a fenced node's earlier run reports: recording it would bring
    // back the history the fencing erased (a monitor killed with the node, as a failure).
    out.log.push_back("ignoring monitor result of " + monitor.resource + " from " + monitor.node +
                      ": it was fenced and has not left yet");
    return out;
  }
  now_ = now;
  pe::Action action{
      .id = monitor.action_id,
      .key = cib::operationKey(monitor.resource, monitor.operation, monitor.interval_ms),
      .task = monitor.operation,
      .resource = monitor.resource,
      .node = monitor.node,
      .interval_ms = monitor.interval_ms,
      .pseudo = false,
      .expected_rc = monitor.expected_rc};
  const bool failed = result.exec_status != cib::kExecDone || !isExpectedResult(action, result.rc);
  recordResult(Dispatched{monitor, action, nodeIdOf(*member), 0, false}, result, out);
  if (failed) abortTransition(action.key + " failed on " + monitor.node, out);
  step(out);
  return out;
}

}  // namespace pulse::crmd
