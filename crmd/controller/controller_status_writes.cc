// How the DC's controller turns status changes into CIB writes (controller.h): members up and
// down, fenced nodes, shutdown requests, cancelled monitors and action results with their fail
// counts, applied to a copy of the confirmed CIB and submitted as one status write at a time.
//
// Invariants:
//  * At most one status write is in flight; the next waits until it is acknowledged and seen
//    in a CIB (commit), or failed and put back at the head of the queue.
//  * Re-applying a change is harmless: node states and history entries are replaced by id, so
//    a write that may or may not have been applied is simply rebuilt on the newest CIB.
//  * A result's call-id continues the node's sequence in the CIB it is written to (maxCallId).
//  * The fingerprint of a write and of the copy parsed back from its text are equal: that is
//    how the controller tells its own write coming back from another writer's.
#include <algorithm>
#include <cstdlib>
#include <pugixml.hpp>
#include <sstream>
#include <utility>

#include "common/crm_bool.h"
#include "crmd/cib/cib_version.h"
#include "crmd/controller/controller.h"
#include "crmd/controller/controller_xml.h"
#include "policy-engine/op_digest.h"

namespace pulse::crmd {
namespace ctlxml {

std::string nodeIdOf(const Member& m) { return std::to_string(m.id); }

void setNodeState(pugi::xml_node cib, const std::string& id, const std::string& uname, bool up) {
  pugi::xml_node status = cib.child("status") ? cib.child("status") : cib.append_child("status");
  pugi::xml_node ns = status.find_child_by_attribute("node_state", "id", id.c_str());
  if (!ns) {
    ns = status.append_child("node_state");
    ns.append_attribute("id") = id.c_str();
  }
  auto set = [&](const char* name, const std::string& value) {
    pugi::xml_attribute a = ns.attribute(name);
    (a ? a : ns.append_attribute(name)) = value.c_str();
  };
  if (!uname.empty()) set("uname", uname);
  set("in_ccm", up ? "true" : "false");
  set("crmd", up ? "online" : "offline");
  set("join", up ? "member" : "down");
  set("expected", up ? "member" : "down");
  set("crm-debug-origin", "pulse_controller");
}

// Read from the document, never parsed: the <cib> attributes but the three version counters,
// then every child printed raw.
std::string fingerprint(const pugi::xml_node& cib) {
  std::ostringstream text;
  for (pugi::xml_attribute a : cib.attributes()) {
    const std::string_view name = a.name();
    if (name == "admin_epoch" || name == "epoch" || name == "num_updates") continue;
    text << name << '\0' << a.value() << '\0';
  }
  for (pugi::xml_node child : cib.children()) child.print(text, "", pugi::format_raw);
  return text.str();
}

}  // namespace ctlxml

namespace {
using namespace ctlxml;

std::string serialize(const pugi::xml_document& doc) {
  std::ostringstream text;
  doc.save(text, "  ");
  return text.str();
}

// Pacemaker writes a transition uuid into every transition key; one fixed value is enough
// because our engine reads only the action and target-rc fields.
constexpr const char* kTransitionUuid = "b6e3a7a0-9d1c-4c3e-8f43-70756c736521";

// The node_state attribute naming the crmd run its lrm history came from (Member::incarnation).
constexpr const char* kIncarnationAttribute = "pulse-incarnation";

// The highest call-id recorded for `node_id`, so that a new DC continues the node's sequence
// (the engine replays a node's history in call-id order).
int maxCallId(const pugi::xml_node& cib, const std::string& node_id) {
  int max = 0;
  pugi::xml_node ns =
      cib.child("status").find_child_by_attribute("node_state", "id", node_id.c_str());
  for (pugi::xml_node rsc : ns.child("lrm").child("lrm_resources").children("lrm_resource"))
    for (pugi::xml_node op : rsc.children("lrm_rsc_op"))
      max = std::max(max, op.attribute("call-id").as_int());
  return max;
}

// A member's history was written by one run of its crmd, recorded as pulse-incarnation on its
// node_state. A run with another incarnation (a restart, however quick: the member list may not
// even have changed) starts with nothing running under it, and what is really running there is
// unknown: the history is dropped, so the node is probed again before the engine runs
// (Pacemaker's DC likewise replaces a joining node's lrm section). A history without the
// attribute (written before it existed, or the node's first run) is dropped the same way.
// The transient attributes belong to the run before too: above all its "shutdown", which would
// keep every resource off the node for good when no view without the node was recorded in
// between (it came back quickly, or it was the DC, whose own leaving no controller recorded).
void forgetEarlierIncarnation(pugi::xml_node cib, const std::string& id,
                              std::uint64_t incarnation) {
  pugi::xml_node ns = cib.child("status").find_child_by_attribute("node_state", "id", id.c_str());
  const std::string now = std::to_string(incarnation);
  pugi::xml_attribute recorded = ns.attribute(kIncarnationAttribute);
  if (recorded && now == recorded.value()) return;
  while (ns.remove_child("lrm")) {
  }
  while (ns.remove_child("transient_attributes")) {
  }
  (recorded ? recorded : ns.append_attribute(kIncarnationAttribute)) = now.c_str();
}

// Members up; every other node with a node_state down (a node never seen keeps none). With
// fencing on, a node that was expected up is lost, not down: in_ccm=false crmd=offline
// join=down expected=member, which the engine reads as unclean ("peer is no longer part of the
// cluster") until it is fenced; `clean` lists nodes already fenced on request. With fencing
// off the node's history is dropped, as Pacemaker's scheduler ignores the history of an offline
// node then ("not unpacking resource history for offline cluster node"): its resources are
// recovered at once (our engine would otherwise take them for still running there).
void applyMembers(pugi::xml_node cib, const std::vector<Member>& members,
                  const std::set<std::string>& clean) {
  const bool fencing = stonithEnabled(cib);
  std::set<std::string> up;
  for (const Member& m : members) {
    setNodeState(cib, nodeIdOf(m), m.name, true);
    up.insert(nodeIdOf(m));
    if (m.incarnation != 0) forgetEarlierIncarnation(cib, nodeIdOf(m), m.incarnation);
  }
  for (pugi::xml_node ns : cib.child("status").children("node_state")) {
    const std::string id = ns.attribute("id").value();
    if (up.contains(id)) continue;
    // A node that announced its shutdown left cleanly: its resources were moved away first.
    const bool shut_down =
        cib::nodeAttribute(cib, id, "shutdown", cib::AttributeLifetime::kTransient).has_value();
    const bool lost = fencing && !clean.contains(id) && !shut_down &&
                      std::string_view(ns.attribute("expected").value()) == "member";
    setNodeState(cib, id, "", false);
    if (lost) ns.attribute("expected") = "member";
    if (!fencing || shut_down)
      while (ns.remove_child("lrm")) {
      }
    if (shut_down)
      while (ns.remove_child("transient_attributes")) {
      }
  }
}

// After fencing: cleanly down, and what ran there is known to be stopped (Pacemaker erases the
// node's lrm and transient attributes once the fencing is confirmed).
void applyFenced(pugi::xml_node cib, const std::string& id) {
  setNodeState(cib, id, "", false);
  pugi::xml_node ns = cib.child("status").find_child_by_attribute("node_state", "id", id.c_str());
  while (ns.remove_child("lrm")) {
  }
  while (ns.remove_child("transient_attributes")) {
  }
}

// What the controller asks attrd for on a failure (Pacemaker's update_failcount): bump
// fail-count-RSC#OP_INTERVAL and stamp last-failure, so the engine moves the resource away
// instead of retrying in place. A failed stop goes straight to INFINITY, and so does a failed
// start while start-failure-is-fatal (default true). A probe's result is information about
// where the resource is, not a failure of it: not counted.
void countFailure(pugi::xml_node cib, const cib::OperationResult& r, ControllerOutput& out) {
  if (r.operation == "monitor" && r.interval_ms == 0) return;
  const std::string count = cib::failCountName(r.rsc, r.operation, r.interval_ms);
  std::string value = "INFINITY";
  const bool fatal =
      r.operation == "stop" ||
      (r.operation == "start" && crmIsTrue(clusterOption(cib, "start-failure-is-fatal", "true")));
  if (!fatal) {
    auto old = cib::nodeAttribute(cib, r.node_id, count, cib::AttributeLifetime::kTransient);
    long long n = 0;
    if (old) n = *old == "INFINITY" ? 1'000'000 : std::atoll(old->c_str());
    value = n >= 999'999 ? "INFINITY" : std::to_string(n + 1);
  }
  Status s =
      cib::setNodeAttribute(cib, r.node_id, count, value, cib::AttributeLifetime::kTransient);
  if (s)
    s = cib::setNodeAttribute(cib, r.node_id,
                              cib::lastFailureName(r.rsc, r.operation, r.interval_ms),
                              std::to_string(r.last_rc_change), cib::AttributeLifetime::kTransient);
  if (!s) out.log.push_back("cannot count failure of " + r.rsc + ": " + s.error().message);
}

// The digest of a request the engine did not compute one for (a probe, a recurring monitor's
// changed result): its parameters and timeout as requested, the op's parameters from the
// shared copy (read in place).
std::string opDigest(const pugi::xml_node& cib, const ActionRequest& request) {
  const pugi::xml_node op = findOp(findPrimitive(cib, primitiveId(request.resource)),
                                   request.operation, request.interval_ms);
  const pe::OpDigestInput input{
      .params = request.params,
      .task = request.operation,
      .interval_ms = request.interval_ms,
      .op_meta = {{"timeout", std::to_string(request.timeout_ms)}},
      .op_params = nvBlocks(op, "instance_attributes"),
  };
  return pe::computeOpDigests(input, std::nullopt, std::nullopt).all;
}

}  // namespace

ControllerOutput Controller::recordFenceEvent(const cib::FenceEvent& event, ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  queued_.push_back(Change{.fence_event = event});
  step(out);
  return out;
}

cib::OperationResult Controller::historyEntry(const Dispatched& d) const {
  cib::OperationResult r;
  r.node_id = d.node_id;
  r.node_uname = d.request.node;
  r.rsc = d.request.resource;
  r.rsc_class = d.request.rsc_class;
  r.provider = d.request.provider;
  r.type = d.request.type;
  r.operation = d.request.operation;
  r.interval_ms = d.request.interval_ms;
  r.transition_key = std::to_string(d.request.action_id) + ":" + std::to_string(transition_count_) +
                     ":" + std::to_string(d.request.expected_rc) + ":" + kTransitionUuid;
  r.op_digest = d.action.has_agent ? d.action.op_digest : opDigest(cib_->cib(), d.request);
  return r;
}

void Controller::recordPending(const Dispatched& d) {
  const std::string& task = d.request.operation;
  if (!d.action.has_agent || !d.action.record_pending) return;
  // Pacemaker's controld_action_is_recordable: these leave no history of their own.
  if (task == "notify" || task == "cancel" || task == "delete" || task == "meta-data") return;
  // A probe is not recorded pending (Pacemaker's is): its entry would replace the resource's
  // last result (RSC_last_0), and a probe whose result is lost with the DC's term is not probed
  // again (local_executor.h), so the resource would read as not running where it may run.
  if (task == "monitor" && d.request.interval_ms == 0) return;
  cib::OperationResult r = historyEntry(d);
  r.call_id = -1;
  r.rc = cib::kOcfPending;
  r.op_status = cib::kExecPending;
  r.last_rc_change = now_.wall;
  queued_.push_back(Change{.result = std::move(r)});
}

void Controller::recordResult(Dispatched d, const OcfResult& result, ControllerOutput& out) {
  const int action_id = d.request.action_id;
  const bool in_runner = d.in_runner;
  const std::string node = d.request.node;
  const WallSeconds now = now_.wall;  // recorded as last-rc-change
  const bool expected =
      result.exec_status == cib::kExecDone && isExpectedResult(d.action, result.rc);
  const std::string reason =
      expected ? ""
               : d.action.key + " on " + node + " returned rc=" + std::to_string(result.rc) +
                     " status=" + std::to_string(result.exec_status) + " " + result.exit_reason;
  out.log.push_back("result of " + d.action.key + " on " + node +
                    ": rc=" + std::to_string(result.rc) + (expected ? " (expected)" : " (FAILED)"));
  if (d.action.task == "notify") {
    // A clone notification leaves no history (Pacemaker records none), and its failure only
    // is logged: the instances were told, and the transition goes on.
    if (runner_ && in_runner) (void)runner_->complete(action_id, true, "");
    return;
  }
  if (d.action.task == "cancel") {
    // The cancelled monitor's entry is forgotten (Pacemaker's controller deletes it), so the
    // engine no longer counts it as running there: when the instance returns to that role,
    // the monitor is scheduled again. The runner hears of the cancel once that is durable.
    queued_.push_back(
        Change{.cancelled = CancelledMonitor{d.node_id, d.request.resource, d.request.interval_ms},
               .action_id = in_runner ? action_id : -1,
               .expected = expected,
               .reason = reason});
    return;
  }
  cib::OperationResult r = historyEntry(d);
  r.rc = result.rc;
  r.op_status = result.exec_status;
  r.exit_reason = result.exit_reason;
  r.last_rc_change = now;
  r.exec_time_ms = result.exec_ms;
  queued_.push_back(Change{.result = std::move(r),
                           .action_id = in_runner ? action_id : -1,
                           .expected = expected,
                           .reason = reason});
}

ControllerOutput Controller::onWriteReply(std::uint64_t token, const WriteReply& reply,
                                          ControllerTime now) {
  ControllerOutput out;
  if (!dc_) return out;
  now_ = now;
  if (!in_flight_ || in_flight_->token != token) {
    out.log.push_back("ignoring reply to unknown status write " + std::to_string(token));
    return out;
  }
  if (!reply.result) {
    // Certainly not applied, or uncertain: either way rebuild it on the newest CIB. Re-applying
    // an applied change is harmless (node states and history entries are replaced by id).
    out.log.push_back("status write " + std::to_string(token) +
                      " failed: " + reply.result.error().message);
    failed_base_ = in_flight_->base;
    queued_.insert(queued_.begin(), in_flight_->changes.begin(), in_flight_->changes.end());
    in_flight_.reset();
  } else {
    in_flight_->acknowledged = true;
    in_flight_->acknowledged_version = *reply.result;
    if (stamp_.version >= *reply.result) in_flight_->seen = true;
    if (in_flight_->seen) commit(*in_flight_, out);
  }
  step(out);
  return out;
}

void Controller::commit(InFlightWrite& write, ControllerOutput& out) {
  last_committed_fingerprint_ = write.fingerprint;
  std::vector<Change> changes = std::move(write.changes);
  in_flight_.reset();
  for (const Change& c : changes) {
    if (c.action_id < 0 || !runner_) continue;
    if (Status s = runner_->complete(c.action_id, c.expected, c.reason); !s)
      out.log.push_back("runner: " + s.error().message);
    else if (!c.expected)
      out.log.push_back("transition " + std::to_string(transition_count_) +
                        " aborted: " + c.reason);
  }
}

void Controller::flushWrites(ControllerOutput& out, bool retry_now) {
  if (in_flight_ || queued_.empty()) return;
  if (failed_base_ && *failed_base_ == stamp_ && !retry_now) return;
  failed_base_.reset();
  // A copy of the confirmed document (not a parse): the shared one stays as it is.
  pugi::xml_document doc;
  doc.reset(cib_->doc());
  pugi::xml_node cib = doc.child("cib");
  InFlightWrite write{.token = next_token_++, .base = stamp_};
  for (Change& c : queued_) {
    if (c.members) applyMembers(cib, *c.members, c.fenced_left);
    if (!c.fenced_node_id.empty()) applyFenced(cib, c.fenced_node_id);
    if (!c.shutdown_node_id.empty()) {
      if (Status st =
              cib::setNodeAttribute(cib, c.shutdown_node_id, "shutdown", std::to_string(now_.wall),
                                    cib::AttributeLifetime::kTransient);
          !st)
        out.log.push_back("cannot record the shutdown of node " + c.shutdown_node_id + ": " +
                          st.error().message);
    }
    if (c.fence_event) cib::recordFenceEvent(cib, *c.fence_event);
    if (c.cancelled) {
      if (Status s = cib::deleteRecurringHistory(cib, c.cancelled->node_id, c.cancelled->rsc,
                                                 "monitor", c.cancelled->interval_ms);
          !s)
        out.log.push_back("cannot forget the cancelled monitor of " + c.cancelled->rsc + ": " +
                          s.error().message);
    }
    if (c.result) {
      // A pending entry keeps call-id -1 (the engine orders it after every numbered call).
      if (c.result->op_status != cib::kExecPending)
        c.result->call_id = maxCallId(cib, c.result->node_id) + 1;
      if (Status s = cib::recordOperation(cib, *c.result); !s)
        out.log.push_back("cannot record " + c.result->rsc + ": " + s.error().message);
      if (!c.expected) countFailure(cib, *c.result, out);
    }
    write.changes.push_back(std::move(c));
  }
  queued_.clear();
  std::string xml = serialize(doc);
  write.fingerprint = fingerprint(cib);
  out.writes.push_back(StatusWrite{
      write.token,
      CibChange{.kind = CibChange::Kind::kStatus, .base = stamp_, .xml = std::move(xml)}});
  in_flight_ = std::move(write);
}

}  // namespace pulse::crmd
