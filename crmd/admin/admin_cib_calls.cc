// The admin API's CIB calls (admin_service.h): CibGet (the confirmed CIB, its stamp and the
// DC) and CibSubmit (a configuration or status write through the DC). Invariants: a write's
// answer comes within 20 s or says "uncertain" (it may or may not have been applied); every
// configuration write, accepted or refused, goes to the event journal with who made it.

#include <chrono>
#include <future>
#include <optional>
#include <string>

#include "crmd/admin/admin_service.h"
#include "crmd/admin/status_reply.h"
#include "crmd/replication/cib_wire.h"

namespace pulse::crmd {

grpc::Status AdminService::CibGet(grpc::ServerContext* context, const pulse::admin::CibGetRequest*,
                                  pulse::admin::CibGetReply* reply) {
  if (grpc::Status s = authorize(*context, "cib get", /*log=*/false); !s.ok()) return s;
  auto snapshot = cluster_.readCib();
  if (!snapshot) {
    return {grpc::StatusCode::FAILED_PRECONDITION, snapshot.error().message};
  }
  fillCibGet(*snapshot, cluster_.snapshot(), *reply);
  return grpc::Status::OK;
}

grpc::Status AdminService::CibSubmit(grpc::ServerContext* context,
                                     const pulse::admin::CibSubmitRequest* request,
                                     pulse::admin::CibSubmitReply* reply) {
  std::string label;
  if (grpc::Status s = authorize(*context, "cib write", true, &label); !s.ok()) return s;
  auto base = fromProto(request->base());
  if (!base) return {grpc::StatusCode::INVALID_ARGUMENT, base.error().message};
  CibChange change{
      request->status_only() ? CibChange::Kind::kStatus : CibChange::Kind::kConfiguration, *base,
      request->xml()};
  auto future = cluster_.submitCib(std::move(change));
  if (!future) return {grpc::StatusCode::FAILED_PRECONDITION, future.error().message};
  // The replica answers once every member holds the write, or the view changes; a member
  // that stops answering is removed by the membership within token + consensus.
  if (future->wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    reply->set_failure("uncertain");
    reply->set_message(
        "no answer from the CIB service within 20 s; the write may or may "
        "not have been applied");
    return grpc::Status::OK;
  }
  const WriteReply result = future->get();
  reply->set_dc(result.dc);
  reply->set_dc_name(nodeName(result.dc == membership::kNoNode ? std::optional<NodeId>()
                                                               : std::optional<NodeId>(result.dc)));
  if (result.result) {
    reply->set_ok(true);
    *reply->mutable_version() = toProto(*result.result);
    logEvent("cib write accepted: version " + toString(*result.result));
    if (!request->status_only()) {
      cluster_.events().record("config",
                               "configuration changed: CIB version " + toString(*result.result),
                               callerOf(*context, label));
    }
    return grpc::Status::OK;
  }
  if (!request->status_only()) {
    cluster_.events().record("config",
                             "configuration change refused (" + failureName(result.failure) +
                                 "): " + result.result.error().message,
                             callerOf(*context, label));
  }
  reply->set_failure(failureName(result.failure));
  reply->set_message(result.result.error().message);
  return grpc::Status::OK;
}

std::string AdminService::nodeName(std::optional<NodeId> id) const {
  return memberName(cluster_.snapshot(), id);
}

std::string AdminService::failureName(WriteFailure failure) {
  switch (failure) {
    case WriteFailure::kNone:
      return "";
    case WriteFailure::kNotDc:
      return "not_dc";
    case WriteFailure::kNoQuorum:
      return "no_quorum";
    case WriteFailure::kNoDc:
      return "no_dc";
    case WriteFailure::kBusy:
      return "busy";
    case WriteFailure::kStaleBase:
      return "stale_base";
    case WriteFailure::kNotApplied:
      return "not_applied";
    case WriteFailure::kNotStored:
      return "not_stored";
    case WriteFailure::kUncertain:
      return "uncertain";
  }
  return "unknown";
}

}  // namespace pulse::crmd
