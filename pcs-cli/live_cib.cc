#include "pcs-cli/live_cib.h"

#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include "crmd/client/known_hosts.h"

namespace pulse::pcs {
namespace {

constexpr std::string_view kTryAgain = "; try again in a moment";

}  // namespace

std::string noDcReason(NodeSession& session) {
  const std::string generic = "no DC in this partition (no quorum, or an election is in progress)";
  auto status = session.clusterStatus();
  if (!status || !status->running()) return generic;
  const admin::QuorumInfo& q = status->quorum();
  if (q.quorate()) {
    return "no DC in this partition yet (an election is in progress)" + std::string(kTryAgain);
  }
  std::string missing;
  for (const admin::MemberInfo& m : status->members()) {
    if (!m.in_view()) missing += (missing.empty() ? "" : ", ") + m.name();
  }
  // A configuration change needs the majority: a minority that wrote could diverge from it.
  return "no DC in this partition: it has no quorum (" + std::to_string(q.total_votes()) + " of " +
         std::to_string(q.expected_votes()) + " expected votes, " + std::to_string(q.quorum()) +
         " needed" + (missing.empty() ? std::string() : "; not in this partition: " + missing) +
         "), and configuration changes are made only in a partition with quorum";
}

std::string versionText(const peer::CibVersion& v) {
  return std::to_string(v.admin_epoch()) + "." + std::to_string(v.epoch()) + "." +
         std::to_string(v.num_updates());
}

LiveCib::LiveCib(NodeSession dc, admin::CibGetReply reply, std::string dc_name)
    : dc_(std::move(dc)), reply_(std::move(reply)), dc_name_(std::move(dc_name)) {}

Result<LiveCib> LiveCib::read(const PcsOptions& options) {
  // A DC re-synchronises the CIB after every view change (a few round trips); pcs waits for
  // that rather than failing, up to the request timeout.
  const auto deadline = std::chrono::steady_clock::now() + options.request_timeout;
  for (;;) {
    auto cib = readOnce(options);
    if (cib || !cib.error().message.ends_with(kTryAgain) ||
        std::chrono::steady_clock::now() >= deadline) {
      return cib;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<LiveCib> LiveCib::readOnce(const PcsOptions& options) {
  auto local = localNodeName(options);
  if (!local) return local.error();
  // The local node first; when it does not answer (crmd down, node cut off), each other known
  // host in turn, so that pcs still reaches the cluster. Each try is bounded by the request
  // timeout, and every node that failed is named on stderr.
  std::vector<std::string> candidates{*local};
  if (auto hosts = crmd::allHosts(options.state_dir); hosts) {
    for (const crmd::KnownHost& h : *hosts) {
      if (h.node != *local) candidates.push_back(h.node);
    }
  }
  std::optional<NodeSession> session;
  std::optional<admin::CibGetReply> here;
  std::string first_error;
  for (const std::string& node : candidates) {
    auto s = connectNode(options, node);
    auto reply = s ? s->cibGet() : Result<admin::CibGetReply>(s.error());
    if (reply) {
      session.emplace(std::move(*s));
      here.emplace(std::move(*reply));
      *local = node;
      break;
    }
    const std::string why = "Unable to get status from node " + node + ": " + reply.error().message;
    if (first_error.empty()) first_error = why;
    if (candidates.size() > 1) std::cerr << "Error: " << why << "\n";
  }
  if (!here) return Error{first_error};
  if (here->dc() == 0) return Error{"Unable to get the cluster's CIB: " + noDcReason(*session)};
  if (here->is_dc()) {
    if (!here->ready()) {
      return Error{"Unable to get the cluster's CIB: the DC (" + *local +
                   ") is still synchronising it" + std::string(kTryAgain)};
    }
    const std::string name = here->dc_name();
    return LiveCib(std::move(*session), std::move(*here), name);
  }
  auto dc = connectNode(options, here->dc_name());
  if (!dc) return dc.error();
  auto reply = dc->cibGet();
  if (!reply) {
    return Error{"Unable to get the CIB from the DC " + here->dc_name() + ": " +
                 reply.error().message};
  }
  if (!reply->is_dc() || !reply->ready()) {
    return Error{"Unable to get the cluster's CIB: " + here->dc_name() +
                 " is not (or not yet) a ready DC" + std::string(kTryAgain)};
  }
  return LiveCib(std::move(*dc), std::move(*reply), here->dc_name());
}

Result<CibWriteOutcome> LiveCib::write(const std::string& xml, bool status_only) {
  admin::CibSubmitRequest request;
  request.set_status_only(status_only);
  *request.mutable_base() = reply_.stamp();
  request.set_xml(xml);
  auto reply = dc_.cibSubmit(request);
  if (!reply) return Error{"Unable to write the CIB on " + dc_name_ + ": " + reply.error().message};
  if (reply->ok()) {
    return CibWriteOutcome{false, versionText(reply->version()), reply->version()};
  }
  // Certainly not applied, and worth another read-edit-write: the CIB moved on, or the
  // membership changed before the write started.
  if (reply->failure() == "stale_base" || reply->failure() == "not_applied") {
    return CibWriteOutcome{true, "", {}};
  }
  return Error{"Unable to write the CIB: " + reply->message()};
}

}  // namespace pulse::pcs
