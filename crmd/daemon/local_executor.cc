#include "crmd/daemon/local_executor.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/log.h"
#include "crmd/executor/ocf.h"
#include "crmd/metrics/runtime_stats.h"

namespace pulse::crmd {
namespace {

constexpr int kExecDone = 0, kExecCancelled = 1, kExecTimeout = 2, kExecError = 4,
              kExecNotInstalled = 7;
constexpr int kOcfGenericError = 1, kOcfNotInstalled = 5;

// The primitive's class (ocf, lsb, systemd, service); a request without one is ocf's.
std::string agentClass(const ActionRequest& r) { return r.rsc_class.empty() ? "ocf" : r.rsc_class; }

bool isProbe(const ActionRequest& r) { return r.operation == "monitor" && r.interval_ms == 0; }

std::string describe(const ActionRequest& r) {
  return r.resource + "_" + r.operation + "_" + std::to_string(r.interval_ms);
}

}  // namespace

std::optional<std::string> journalText(const LocalResult& r) {
  if (r.request.interval_ms != 0 && !r.monitor_change) return std::nullopt;
  const std::string every =
      r.request.interval_ms > 0 ? " (every " + std::to_string(r.request.interval_ms) + " ms)" : "";
  const bool as_expected = r.result.rc == r.request.expected_rc && r.result.exec_status == 0;
  return r.request.operation + every + " " + r.request.resource +
         ": rc=" + std::to_string(r.result.rc) + (as_expected ? " ok" : " FAILED") + " (" +
         std::to_string(r.result.exec_ms) + " ms)" +
         (r.result.exit_reason.empty() ? "" : ": " + r.result.exit_reason);
}

int execStatusCode(ExecStatus status) {
  switch (status) {
    case ExecStatus::kDone:
      return kExecDone;
    case ExecStatus::kTimedOut:
      return kExecTimeout;
    case ExecStatus::kNotInstalled:
      return kExecNotInstalled;
    case ExecStatus::kCancelled:
      return kExecCancelled;
    case ExecStatus::kError:
      break;
  }
  return kExecError;
}

LocalExecutor::LocalExecutor(boost::asio::io_context& io, Executor::Options options, Report report)
    : io_(io), executor_(io, std::move(options)), report_(std::move(report)) {}

std::vector<std::string> LocalExecutor::joinAnswer() {
  std::set<std::string> answer = std::move(touched_);
  touched_.clear();
  answer.insert(unprobed_.begin(), unprobed_.end());
  unprobed_ = answer;
  return {answer.begin(), answer.end()};
}

void LocalExecutor::execute(const ActionRequest& request, std::uint64_t session) {
  // A recurring monitor's first result only arms it (a lost one is scheduled again); a probe
  // or a cancel changes nothing here. Everything else may change what runs here. (A probe's
  // result lost too leaves the history as it was: the probe is taken as done all the same,
  // or every join would probe everything again.)
  if (isProbe(request)) {
    unprobed_.erase(request.resource);
  } else if (request.interval_ms == 0 && request.operation != "cancel") {
    touched_.insert(request.resource);
  }
  if (request.rsc_class == "stonith") {
    // A fence device runs nowhere: "started" means this node may be asked to use it.
    int rc = 0;
    if (request.operation == "start") {
      fence_devices_.insert(request.resource);
    } else if (request.operation == "stop") {
      fence_devices_.erase(request.resource);
    } else if (request.operation == "monitor") {
      rc = fence_devices_.contains(request.resource) ? 0 : 7;
    }
    OcfResult result;
    result.rc = rc;
    LocalResult r{request, result, false, session};
    boost::asio::post(io_, [report = report_, r] { report(r); });
    return;
  }
  if (request.operation == "stop") executor_.cancelAll(request.resource);
  if (request.operation == "cancel") {
    // The engine cancels a monitor of the role an instance leaves (promote, demote). Cancelling
    // one that is not scheduled (this crmd restarted since) is done all the same.
    const bool was = executor_.cancel(request.resource, "monitor",
                                      std::chrono::milliseconds(request.interval_ms));
    logEvent("executor: " + describe(request) + (was ? " done" : " (was not scheduled)"));
    LocalResult r{request, OcfResult{}, false, session};
    boost::asio::post(io_, [report = report_, r] { report(r); });
    return;
  }
  Operation op;
  op.resource = request.resource;
  op.agent = AgentName{request.provider, request.type, agentClass(request)};
  op.action = request.operation;
  op.interval = std::chrono::milliseconds(request.interval_ms);
  op.timeout = std::chrono::milliseconds(request.timeout_ms > 0 ? request.timeout_ms : 20000);
  op.params = request.params;
  op.meta = request.meta;
  op.meta["on_node"] = request.node;  // OCF_RESKEY_CRM_meta_on_node, as Pacemaker sets it
  op.expected = static_cast<OcfCode>(request.expected_rc);
  logEvent("executor: " + describe(request) + " starting");
  auto first = std::make_shared<bool>(true);
  Status queued = executor_.execute(std::move(op),
                                    [this, request, session, first](const OperationResult& result) {
                                      const bool change = !*first;
                                      *first = false;
                                      finish(request, session, result, change);
                                    });
  if (!queued) {
    logEvent("executor: cannot run " + describe(request) + ": " + queued.error().message);
    OcfResult failed;
    failed.rc = kOcfGenericError;
    failed.exec_status = kExecError;
    if (!checkAgentName(AgentName{request.provider, request.type, agentClass(request)})) {
      // No file can have this name, so no such agent is installed anywhere: report it as
      // OCF_ERR_INSTALLED, which a probe turns into "stopped here, cannot run here" instead
      // of a failure that needs a stop (which would fail the same way).
      failed.rc = kOcfNotInstalled;
      failed.exec_status = kExecNotInstalled;
    }
    failed.exit_reason = queued.error().message;
    LocalResult r{request, failed, false, session};
    boost::asio::post(io_, [report = report_, r] { report(r); });
  }
}

void LocalExecutor::finish(const ActionRequest& request, std::uint64_t session,
                           const OperationResult& result, bool change) {
  const AgentResult& a = result.agent;
  OcfResult r;
  r.exec_status = execStatusCode(a.status);
  if (a.status == ExecStatus::kDone) {
    r.rc = a.exit_status >= 0 ? a.exit_status : kOcfGenericError;
  } else {
    r.rc = a.code == OcfCode::kUnknown ? kOcfGenericError : static_cast<int>(a.code);
  }
  r.exit_reason =
      a.exit_reason.empty() && a.status != ExecStatus::kDone ? a.message : a.exit_reason;
  r.exec_ms = a.runtime.count();
  metrics::runtimeStats().action(request.operation).observe(a.runtime);
  logEvent("executor: " + describe(request) + " rc=" + std::to_string(r.rc) + " status=" +
           std::string(execStatusName(a.status)) + " (" + std::to_string(r.exec_ms) + " ms)" +
           (change ? " [monitor changed]" : "") + (a.message.empty() ? "" : ": " + a.message));
  track(request, r.rc, r.exec_status == kExecDone);
  if (change) touched_.insert(request.resource);
  report_(LocalResult{request, r, change, session});
}

void LocalExecutor::track(const ActionRequest& request, int rc, bool done) {
  const bool running_rc = rc == 0 || rc == 8;
  if (request.operation == "stop") {
    if (done && rc == 0) active_.erase(request.resource);
    return;
  }
  if (request.operation == "start" || request.operation == "promote" ||
      request.operation == "demote" || request.operation == "monitor") {
    if (done && running_rc) {
      auto it = active_.find(request.resource);
      // Keep the start's request (its parameters are what a stop needs).
      if (it == active_.end() || request.operation == "start") active_[request.resource] = request;
    } else if (done && rc == 7 && isProbe(request)) {
      active_.erase(request.resource);
    }
  }
}

std::size_t LocalExecutor::activeCount(const Managed& managed) const {
  return static_cast<std::size_t>(std::count_if(
      active_.begin(), active_.end(), [&](const auto& entry) { return managed(entry.first); }));
}

std::size_t LocalExecutor::stopAll(const std::string& why, const Managed& managed) {
  std::size_t n = 0;
  const auto active = active_;
  for (const auto& [rsc, started] : active) {
    if (!managed(rsc)) {
      logEvent("executor: leaving " + rsc + " running (" + why + "; it is not managed)");
      continue;
    }
    ActionRequest stop = started;
    stop.action_id = -1;
    stop.operation = "stop";
    stop.interval_ms = 0;
    stop.expected_rc = 0;
    logEvent("executor: stopping " + rsc + " (" + why + ")");
    execute(stop, 0);
    ++n;
  }
  return n;
}

}  // namespace pulse::crmd
