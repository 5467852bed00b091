// Drives the DC controller by hand for its tests: a fake replica confirms each status write
// (version num_updates + 1, as CibReplica does for kind status) and the test plays the
// executors and the fencer. Small conformance-independent CIBs: three nodes, one Dummy.
//
// Invariant: every output of the controller goes through take(), so `executed`, `probed`,
// `fencing` and `log` are the complete history a test asserts on.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "crmd/cib/parsed_cib.h"
#include "crmd/controller/controller.h"
#include "tests/fixtures/cib_fixtures.h"

namespace pulse::crmd {

inline constexpr WallSeconds kNow = 1'700'000'000;

inline const std::string kCib = fixtures::cibXml(
    {.cib_attributes = R"(crm_feature_set="3.16.2" validate-with="pacemaker-3.7" epoch="5" )"
                       R"(num_updates="0" admin_epoch="0" have-quorum="1")",
     .resources = R"(      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d1-params">
          <nvpair id="d1-params-state" name="state" value="/run/d1.state"/>
        </instance_attributes>
        <operations>
          <op id="d1-monitor-10s" name="monitor" interval="10s" timeout="30s"/>
        </operations>
      </primitive>
)"});

inline const std::vector<Member> kMembers = {{1, "n1"}, {2, "n2"}, {3, "n3"}};

// `xml` parsed as the CIB service would hand it to the controller.
inline CibRef parsed(const std::string& xml, CibStamp stamp) {
  auto cib = ParsedCib::parse(xml, stamp);
  EXPECT_TRUE(cib.ok()) << (cib ? "" : cib.error().message);
  return cib ? *cib : nullptr;
}

inline std::string describe(const ActionRequest& a) {
  return a.operation + "_" + std::to_string(a.interval_ms) + " " + a.resource + " on " + a.node;
}

// Node `id`'s node_state in a CIB document.
inline pugi::xml_node nodeState(const pugi::xml_document& doc, const std::string& id) {
  return doc.child("cib").child("status").find_child_by_attribute("node_state", "id", id.c_str());
}

// kMembers but `name`.
inline std::vector<Member> without(const std::string& name) {
  std::vector<Member> rest;
  for (const Member& m : kMembers)
    if (m.name != name) rest.push_back(m);
  return rest;
}

// Probes find nothing running; everything else succeeds.
inline int healthy(const ActionRequest& a) { return a.expected_rc; }

struct Harness {
  Controller ctl;
  std::string xml = kCib;
  CibStamp stamp{RingId{4, 1}, CibVersion{0, 5, 0}};
  std::deque<StatusWrite> writes;
  std::vector<ActionRequest> actions;  // handed out, not yet answered
  std::vector<std::string> executed;   // every transition action ever handed out, described
  std::vector<std::string> probed;     // every probe ever handed out, described
  std::vector<FenceRequest> fencing;   // every fence request ever made
  std::vector<std::string> engine_inputs;
  std::vector<std::string> log;
  // Join queries not answered yet; take() answers them at once (nothing to probe again)
  // unless a test holds them to answer itself.
  std::vector<std::string> joins;
  bool answer_joins = true;
  int copies = 0;  // confirmed copies handed to the controller, each parsed once (here)

  // The confirmed copy (xml, stamp), parsed as the CIB service does once per copy.
  CibRef copy() {
    ++copies;
    return parsed(xml, stamp);
  }

  void take(ControllerOutput out) {
    for (auto& w : out.writes) writes.push_back(std::move(w));
    for (auto& a : out.actions) {
      (a.action_id >= Controller::kFirstProbeId ? probed : executed).push_back(describe(a));
      actions.push_back(std::move(a));
    }
    for (auto& f : out.fencing) fencing.push_back(std::move(f));
    if (out.engine_input) engine_inputs.push_back(std::move(*out.engine_input));
    for (auto& l : out.log) log.push_back(std::move(l));
    for (auto& j : out.join_queries) joins.push_back(std::move(j));
    if (Status s = ctl.checkInvariants(); !s) ADD_FAILURE() << s.error().message;
    if (!answer_joins) return;
    std::vector<std::string> asked = std::move(joins);
    joins.clear();
    for (const std::string& node : asked) take(ctl.onJoinAnswer(node, {}, kNow));
  }
  bool logged(const std::string& text) const {
    for (const auto& l : log)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  void becomeDc(std::vector<Member> members = kMembers) {
    take(ctl.onBecameDc(copy(), std::move(members), kNow));
  }
  // DC, node states confirmed, every probe answered "not running" and durable.
  void startUp(std::vector<Member> members = kMembers) {
    becomeDc(std::move(members));
    confirmWrites();
    answer(healthy);
    confirmWrites();
  }
  // Confirms the writes the controller submitted, as the replica would.
  void confirmWrites() {
    while (!writes.empty()) {
      StatusWrite w = std::move(writes.front());
      writes.pop_front();
      ASSERT_EQ(w.change.kind, CibChange::Kind::kStatus);
      ASSERT_EQ(w.change.base, stamp) << "a write must be built on the newest confirmed CIB";
      stamp.version.num_updates += 1;
      xml = w.change.xml;
      take(ctl.onWriteReply(w.token, WriteReply{w.token, stamp.version}, kNow));
      take(ctl.onCibChanged(copy(), kNow));
    }
  }
  // Answers every action handed out so far with rc(action).
  void answer(const std::function<int(const ActionRequest&)>& rc) {
    answerWith([&](const ActionRequest& a) { return OcfResult{rc(a), 0, "", 5}; });
  }
  // Answers every action handed out so far with the executor's whole result.
  void answerWith(const std::function<OcfResult(const ActionRequest&)>& result) {
    std::vector<ActionRequest> now = std::move(actions);
    actions.clear();
    for (const auto& a : now) take(ctl.onActionResult(a.action_id, a.node, result(a), kNow));
  }
  // Runs the loop until it stops handing out work.
  void settle(const std::function<int(const ActionRequest&)>& rc) {
    for (int i = 0; i < 50 && (!writes.empty() || !actions.empty()); ++i) {
      confirmWrites();
      answer(rc);
    }
  }
};

inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// kCib with fencing on, `options` added to crm_config and `resources` to the resources.
inline std::string fencingCib(const std::string& options, const std::string& resources) {
  std::string xml = replaced(kCib, R"(name="stonith-enabled" value="false"/>)",
                             R"(name="stonith-enabled" value="true"/>)" + options);
  return replaced(xml, "</resources>", resources + "</resources>");
}

// Three devices; only the last may fence n1..n3: the first lists another host, the second is
// stopped by its target-role.
inline const std::string kDevices = R"(
      <primitive id="fence-n9" class="stonith" type="fence_ipmilan">
        <instance_attributes id="fn9-params">
          <nvpair id="fn9-hosts" name="pcmk_host_list" value="n9"/>
        </instance_attributes>
      </primitive>
      <primitive id="fence-stopped" class="stonith" type="fence_ipmilan">
        <meta_attributes id="fs-meta">
          <nvpair id="fs-role" name="target-role" value="Stopped"/>
        </meta_attributes>
      </primitive>
      <primitive id="fence1" class="stonith" type="fence_dummy">
        <instance_attributes id="f1-params">
          <nvpair id="f1-hosts" name="pcmk_host_list" value="n1,n2 n3"/>
          <nvpair id="f1-mode" name="mode" value="pass"/>
        </instance_attributes>
      </primitive>
)";

// The node the last "start_0 RSC" went to.
inline std::string startedOn(const Harness& h, const std::string& rsc) {
  const std::string prefix = "start_0 " + rsc + " on ";
  std::string node;
  for (const std::string& e : h.executed)
    if (e.rfind(prefix, 0) == 0) node = e.substr(prefix.size());
  return node;
}

// How many entries of `list` start with `prefix`.
inline std::size_t count(const std::vector<std::string>& list, const std::string& prefix) {
  return static_cast<std::size_t>(std::count_if(
      list.begin(), list.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }));
}

inline pugi::xml_node op(const pugi::xml_document& doc, const std::string& node_id,
                         const std::string& op_id) {
  return doc.child("cib")
      .child("status")
      .find_child_by_attribute("node_state", "id", node_id.c_str())
      .child("lrm")
      .child("lrm_resources")
      .find_child_by_attribute("lrm_resource", "id", "d1")
      .find_child_by_attribute("lrm_rsc_op", "id", op_id.c_str());
}

}  // namespace pulse::crmd
