#include "pcs-cli/status_source.h"

#include <algorithm>
#include <ctime>

#include "crmd/client/secure_file.h"
#include "pcs-cli/event_log.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/local_status.h"
#include "pcs-cli/node_client.h"
#include "pcs-cli/status_failures.h"
#include "policy-engine/cib_config.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pcs {
namespace {

// A copy a status may show without asking the DC: one holding every acknowledged write, or
// any copy when there is no DC (no quorum: the node's copy is all there is).
bool showable(const admin::CibGetReply& copy) { return copy.current() || copy.dc() == 0; }

}  // namespace

LiveFacts liveFacts(const admin::ClusterStatusReply& st, const std::string& dc,
                    const peer::CibVersion& version) {
  LiveFacts f;
  f.dc = dc;
  f.cluster_name = st.cluster_name();
  f.quorate = st.quorum().quorate();
  f.enabled = st.enabled();
  const std::string current = versionText(version);
  for (const auto& m : st.members()) {
    if (m.in_view()) f.online.push_back(m.name());
    if (!m.in_view() && m.lost_at_ms() > 0) {
      f.out_of_date.push_back(m.name() + " (lost since " + formatTime(m.lost_at_ms()) +
                              " UTC, holds CIB version " + m.cib_version_at_loss() +
                              "; the cluster is at " + current + ")");
    }
  }
  return f;
}

std::string StatusInput::fingerprint() const {
  std::string out = file + '\n' + cib_xml + '\n';
  if (live) {
    out += live->cluster_name + '\n' + live->dc + '\n' + (live->quorate ? "q" : "-") +
           (live->enabled ? "e" : "-") + '\n';
    for (const std::string& n : live->online) out += n + ' ';
    out += '\n';
    for (const std::string& n : live->out_of_date) out += n + '\n';
  }
  return out;
}

Result<StatusInput> readFileInput(const std::string& path) {
  auto cib = crmd::readFile(path);
  if (!cib.ok()) return Error{"Unable to read " + path + ": " + cib.error().message};
  return StatusInput{std::move(*cib), std::nullopt, path};
}

Result<StatusInput> readLiveInput(const std::string& state_dir, std::chrono::seconds timeout) {
  if (auto here = readLocalStatus(state_dir, timeout)) {
    if (here->has_cib() && showable(here->cib())) {
      const admin::CibGetReply& copy = here->cib();
      return StatusInput{
          copy.xml(),
          liveFacts(here->status(), copy.dc() != 0 ? copy.dc_name() : "", copy.stamp().version()),
          ""};
    }
  }
  PcsOptions pcs;
  pcs.state_dir = state_dir;
  pcs.request_timeout = timeout;
  if (auto local = localNodeName(pcs); local.ok()) {
    if (auto session = connectNode(pcs, *local); session.ok()) {
      auto copy = session->cibGet();
      if (copy.ok() && showable(*copy)) {
        auto st = session->clusterStatus();
        if (st.ok()) {
          return StatusInput{
              copy->xml(),
              liveFacts(*st, copy->dc() != 0 ? copy->dc_name() : "", copy->stamp().version()), ""};
        }
      }
    }
  }
  auto cib = LiveCib::read(pcs);
  if (!cib.ok()) return cib.error();
  auto st = cib->dcSession().clusterStatus();
  if (!st.ok()) return st.error();
  return StatusInput{cib->xml(), liveFacts(*st, cib->dcName(), cib->version()), ""};
}

Result<ClusterStatus> buildStatus(const pugi::xml_document& doc, const StatusInput& input) {
  // A CIB that does not parse goes to the text overload, whose error names the line.
  const pugi::xml_node root = doc.child("cib");
  auto transition = root ? pe::schedule(doc, input.cib_xml) : pe::schedule(input.cib_xml);
  if (!transition.ok()) return transition.error();
  ClusterStatus s;
  s.cluster_name = pe::cibconf::clusterOption(root, "cluster-name", "");
  s.now = std::time(nullptr);
  s.view = transition->current;
  s.file = input.file;
  s.failed_actions = failedActions(root);
  if (const LiveFacts* live = input.live ? &*input.live : nullptr) {
    if (s.cluster_name.empty()) s.cluster_name = live->cluster_name;
    if (!live->dc.empty()) s.dc = live->dc;
    s.quorate = live->quorate;
    s.version = "pulse";
    s.daemon_status = live->enabled ? "active/enabled" : "active/disabled";
    s.out_of_date = live->out_of_date;
    for (pe::NodeView& node : s.view.nodes) {
      const bool member =
          std::find(live->online.begin(), live->online.end(), node.name) != live->online.end();
      // Until the DC records node_state, the membership is the truth about who is up; a node
      // outside it is shown offline, not unclean (nothing is fenced yet).
      node.online = member;
      node.unclean = false;
    }
  }
  return s;
}

}  // namespace pulse::pcs
