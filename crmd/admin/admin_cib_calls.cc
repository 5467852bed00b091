// The admin API's CIB calls (admin_service.h): CibGet (the confirmed CIB, its stamp and the
// DC) and CibSubmit (a configuration or status write through the DC). Invariants: a write's
// answer comes within 20 s or says "uncertain" (it may or may not have been applied); every
// configuration write, accepted or refused, goes to the event journal with who made it; a
// request acting for a user (cib_user) that the CIB's ACLs restrict reads only what they let
// it read and writes only what they let it write (crmd/cib/cib_acl.h).

#include <grp.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "crmd/admin/admin_service.h"
#include "crmd/admin/status_reply.h"
#include "crmd/cib/cib_acl.h"
#include "crmd/replication/cib_wire.h"

namespace pulse::crmd {

namespace {

// Whether the system group `group` lists `user` as a member (Pacemaker's
// pcmk__is_user_in_group: the group's member list, not the user's primary group).
bool systemGroupHas(std::string_view group, const std::string& user) {
  std::vector<char> buffer(16384);
  struct group entry {};
  struct group* found = nullptr;
  const std::string name(group);
  if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return false;
  }
  for (char** member = found->gr_mem; member != nullptr && *member != nullptr; ++member) {
    if (user == *member) return true;
  }
  return false;
}

AclUser aclUser(const std::string& name) {
  return AclUser{name, [name](std::string_view group) { return systemGroupHas(group, name); }};
}

// The user a request acts for, when the CIB's ACLs restrict it ("" when they do not).
std::string restrictedUser(const std::string& cib_user, const std::string& cib_xml) {
  return aclRequired(cib_user) && aclEnabled(cib_xml) ? cib_user : "";
}

}  // namespace

grpc::Status AdminService::CibGet(grpc::ServerContext* context,
                                  const pulse::admin::CibGetRequest* request,
                                  pulse::admin::CibGetReply* reply) {
  if (grpc::Status s = authorize(*context, "cib get", /*log=*/false); !s.ok()) return s;
  auto snapshot = cluster_.readCib();
  if (!snapshot) {
    return {grpc::StatusCode::FAILED_PRECONDITION, snapshot.error().message};
  }
  fillCibGet(*snapshot, cluster_.snapshot(), *reply);
  if (const std::string user = restrictedUser(request->cib_user(), snapshot->cib.xml);
      !user.empty()) {
    auto filtered = aclFilteredRead(snapshot->cib.xml, aclUser(user));
    if (!filtered) return {grpc::StatusCode::PERMISSION_DENIED, filtered.error().message};
    reply->set_xml(std::move(*filtered));
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::CibSubmit(grpc::ServerContext* context,
                                     const pulse::admin::CibSubmitRequest* request,
                                     pulse::admin::CibSubmitReply* reply) {
  std::string label;
  if (grpc::Status s = authorize(*context, "cib write", true, &label); !s.ok()) return s;
  auto base = fromProto(request->base());
  if (!base) return {grpc::StatusCode::INVALID_ARGUMENT, base.error().message};
  std::string xml = request->xml();
  if (Status allowed = checkAcls(*request, xml, label, *context); !allowed) {
    reply->set_failure("permission_denied");
    reply->set_message("Call cib_replace failed (-13): " + allowed.error().message);
    return grpc::Status::OK;
  }
  CibChange change{
      request->status_only() ? CibChange::Kind::kStatus : CibChange::Kind::kConfiguration, *base,
      std::move(xml)};
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

Status AdminService::checkAcls(const pulse::admin::CibSubmitRequest& request, std::string& xml,
                               const std::string& label, const grpc::ServerContext& context) {
  if (!aclRequired(request.cib_user())) return {};
  auto current = cluster_.readCib();
  // Without a readable copy there are no ACLs to apply; the write itself fails the same way.
  if (!current) return {};
  const std::string user = restrictedUser(request.cib_user(), current->cib.xml);
  if (user.empty()) return {};
  auto scoped = aclScopedWrite(current->cib.xml, xml, request.status_only());
  if (!scoped) return Error{"Permission denied: " + scoped.error().message};
  Status allowed = aclCheckWrite(current->cib.xml, *scoped, aclUser(user));
  if (!allowed) {
    logEvent("cib write for user " + user + " refused: " + allowed.error().message);
    if (!request.status_only()) {
      cluster_.events().record(
          "config", "configuration change refused (permission_denied): " + allowed.error().message,
          callerOf(context, label) + " as " + user);
    }
    return allowed;
  }
  xml = std::move(*scoped);
  return {};
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
