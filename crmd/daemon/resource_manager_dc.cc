// ResourceManager on the DC (resource_manager_impl.h): the Controller's outputs carried out in
// order (log, saved engine input, status writes to the CIB service, actions to the nodes,
// fencing), the results the nodes report, the controller's tick, and have-watchdog recorded
// once per term. Invariants: a result from another DC term (session) is never taken for the
// answer to an action of this one; a write's reply is posted, never handled inside submit().

#include <boost/asio/post.hpp>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include "common/invariants.h"
#include "common/log.h"
#include "crmd/daemon/resource_manager_impl.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

// The controller's action timers and write retries need no finer grain.
constexpr std::chrono::seconds kTick{1};

// `confirmed` with crm_config's have-watchdog set to `value`, or nothing when it already is.
// Reads the shared copy in place and copies it (no parse) only to change it.
std::optional<std::string> withHaveWatchdog(const ParsedCib& confirmed, bool value) {
  const char* text = value ? "true" : "false";
  const pugi::xml_node current =
      confirmed.cib()
          .child("configuration")
          .child("crm_config")
          .find_child_by_attribute("cluster_property_set", "id", "cib-bootstrap-options")
          .find_child_by_attribute("nvpair", "name", "have-watchdog");
  if (current && std::string_view(current.attribute("value").value()) == text) return std::nullopt;
  pugi::xml_document doc;
  doc.reset(confirmed.doc());
  pugi::xml_node config = doc.child("cib").child("configuration");
  pugi::xml_node crm_config = config.child("crm_config");
  if (!crm_config) crm_config = config.prepend_child("crm_config");
  pugi::xml_node set =
      crm_config.find_child_by_attribute("cluster_property_set", "id", "cib-bootstrap-options");
  if (!set) {
    set = crm_config.append_child("cluster_property_set");
    set.append_attribute("id") = "cib-bootstrap-options";
  }
  pugi::xml_node nv = set.find_child_by_attribute("nvpair", "name", "have-watchdog");
  if (!nv) {
    nv = set.append_child("nvpair");
    nv.append_attribute("id") = "cib-bootstrap-options-have-watchdog";
    nv.append_attribute("name") = "have-watchdog";
    nv.append_attribute("value");
  }
  nv.attribute("value") = text;
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

}  // namespace

void ResourceManager::Impl::onReport(const peer::ActionReport& report) {
  if (!dc_active) return;  // lost with the old DC term; the new one probes
  const ActionRequest request = rm::fromSpec(report.action());
  const OcfResult result{report.rc(), report.exec_status(), report.exit_reason(), report.exec_ms()};
  if (report.session() == session && !report.monitor_change() && request.action_id >= 0) {
    carryOut(
        controller.onActionResult(request.action_id, request.node, result, rm::controllerNow()));
  } else {
    carryOut(controller.onMonitorResult(request, result, rm::controllerNow()));
  }
}

void ResourceManager::Impl::onJoinAnswer(NodeId from, const peer::JoinAnswer& answer) {
  if (!dc_active || answer.session() != session) return;
  const auto* node = options.config.findNode(from);
  if (!node) return;
  carryOut(controller.onJoinAnswer(rm::nameOf(*node),
                                   {answer.resources().begin(), answer.resources().end()},
                                   rm::controllerNow()));
}

void ResourceManager::Impl::queryJoin(const std::string& node) {
  if (node == self_name) {
    // Posted: carryOut is on the stack. The answer is for this term only.
    asio::post(io, [weak = weak_from_this(), asked = session] {
      auto self = weak.lock();
      if (!self || self->stopped || !self->dc_active || self->session != asked) return;
      self->flushOutbox();  // its own results first, as a member's go before its answer
      std::vector<std::string> resources;
      if (self->local) resources = self->local->joinAnswer();
      self->carryOut(
          self->controller.onJoinAnswer(self->self_name, resources, rm::controllerNow()));
    });
    return;
  }
  const auto* member = options.config.findNodeByName(node);
  if (member == nullptr) return;
  peer::PeerEnvelope envelope;
  envelope.set_from(options.self);
  envelope.mutable_join_query()->set_session(session);
  options.send(member->id, std::move(envelope));
}

void ResourceManager::Impl::carryOut(ControllerOutput out) {
  checkAfterEvent(controller, "controller");
  for (const std::string& line : out.log) logEvent("controller: " + line);
  if (out.engine_input) {
    ++transitions;
    saveEngineInput(*out.engine_input);
  }
  for (StatusWrite& write : out.writes) {
    const std::uint64_t token = write.token;
    cib.submit(std::move(write.change), [weak = weak_from_this(), token](WriteReply reply) {
      // Posted: the reply may come from inside submit(), in the middle of this loop.
      if (auto self = weak.lock())
        asio::post(self->io, [self, token, reply = std::move(reply)] {
          if (!self->stopped && self->dc_active)
            self->carryOut(self->controller.onWriteReply(token, reply, rm::controllerNow()));
        });
    });
  }
  for (const std::string& node : out.join_queries) queryJoin(node);
  for (const ActionRequest& action : out.actions) dispatch(action);
  for (const FenceRequest& request : out.fencing) startFencing(request);
  std::lock_guard lock(idle_mutex);
  idle_on =
      dc_active && controller.idle() ? std::optional<CibStamp>(confirmed_stamp) : std::nullopt;
}

void ResourceManager::Impl::saveEngineInput(const std::string& cib_xml) {
  if (!engine_inputs) {
    auto store = EngineInputStore::open(options.state_dir + "/pengine");
    if (!store) {
      logEvent("controller: cannot keep engine inputs: " + store.error().message);
      return;
    }
    engine_inputs.emplace(std::move(*store));
  }
  const std::uint64_t next = engine_inputs->nextSequence();
  auto path = engine_inputs->save(asDcEngineInput(cib_xml, std::to_string(options.self)));
  if (!path) {
    logEvent("controller: cannot save the engine input: " + path.error().message);
  } else if (engine_inputs->nextSequence() == next && !path->empty()) {
    logEvent("controller: engine input unchanged since " + *path + ": not saved again");
  } else if (!path->empty()) {
    logEvent("controller: engine input saved as " + *path);
  }
}

void ResourceManager::Impl::dispatch(const ActionRequest& action) {
  if (action.node == self_name) {
    if (local) local->execute(action, session);
    return;
  }
  const auto* node = options.config.findNodeByName(action.node);
  if (node == nullptr) {
    logEvent("controller: no node named " + action.node + " for " + action.resource);
    return;
  }
  peer::PeerEnvelope envelope;
  envelope.set_from(options.self);
  envelope.mutable_execute()->set_session(session);
  *envelope.mutable_execute()->mutable_action() = rm::toSpec(action);
  options.send(node->id, std::move(envelope));
}

void ResourceManager::Impl::recordWatchdog(const ParsedCib& confirmed) {
  if (watchdog_write_pending) return;
  auto xml = withHaveWatchdog(confirmed, options.watchdog_armed);
  if (!xml) return;
  watchdog_write_pending = true;
  cib.submit(CibChange{CibChange::Kind::kConfiguration, confirmed.stamp(), std::move(*xml)},
             [weak = weak_from_this()](WriteReply reply) {
               auto self = weak.lock();
               if (!self) return;
               self->watchdog_write_pending = false;
               if (reply.result) {
                 logEvent("resources: recorded have-watchdog=" +
                          std::string(self->options.watchdog_armed ? "true" : "false"));
               }
             });
}

void ResourceManager::Impl::scheduleTick() {
  tick_timer.expires_after(kTick);
  tick_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped) return;
    if (self->dc_active) self->carryOut(self->controller.onTick(rm::controllerNow()));
    self->flushOutbox();
    self->scheduleTick();
  });
}

}  // namespace pulse::crmd
