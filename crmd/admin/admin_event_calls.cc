// The admin API's journal call (admin_service.h): ClusterEvents, what pcs cluster events reads
// (event_journal.h), and callerOf, how a change is recorded (the token's holder and where the
// call came from). Invariant: a reply holds at most 10000 events (1000 unless asked) and says
// when it was cut short.

#include <algorithm>
#include <cstdint>
#include <string>

#include "crmd/admin/admin_service.h"

namespace pulse::crmd {

grpc::Status AdminService::ClusterEvents(grpc::ServerContext* context,
                                         const pulse::admin::ClusterEventsRequest* request,
                                         pulse::admin::ClusterEventsReply* reply) {
  // Polled by pcs cluster events --follow: authorized but not logged.
  if (grpc::Status s = authorize(*context, "cluster events", /*log=*/false); !s.ok()) return s;
  constexpr std::uint32_t kDefaultLimit = 1000;
  constexpr std::uint32_t kMaxLimit = 10000;
  const std::uint32_t limit =
      request->limit() == 0 ? kDefaultLimit : std::min(request->limit(), kMaxLimit);
  bool truncated = false;
  reply->set_node_name(node_name_);
  for (const ClusterEvent& e : cluster_.events().since(request->since_ms(), limit, &truncated)) {
    pulse::admin::ClusterEvent* out = reply->add_events();
    out->set_at_ms(e.at_ms);
    out->set_kind(e.kind);
    out->set_text(e.text);
    out->set_who(e.who);
  }
  reply->set_truncated(truncated);
  return grpc::Status::OK;
}

std::string AdminService::callerOf(const grpc::ServerContext& context,
                                   const std::string& label) const {
  std::string holder = "local admin (this node's tools)";
  if (label == kHostAuthLabel) {
    holder = "hacluster (pcs host auth token)";
  } else if (label.starts_with("node:")) {
    holder = "cluster node " + label.substr(5) + " (its node token)";
  } else if (!label.empty()) {
    holder = label + " token";
  }
  const std::string client = clientOf(context);
  // The local socket's peer has no address: it is a program on this node.
  return holder + " from " +
         (client.starts_with("unix:") ? node_name_ + " (local socket)" : client);
}

}  // namespace pulse::crmd
