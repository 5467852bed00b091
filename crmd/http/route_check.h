// The route checks: what a load balancer asks each node so that it sends traffic only to the
// node where a resource runs, as cmonHA's xinetd check on port 9201 and Patroni's REST API
// answer HAProxy's `option httpchk`. 200 means "route here", 503 "do not".
//
// Paths (GET, HEAD, and OPTIONS, which HAProxy's bare `option httpchk` sends):
//   /  /leader  /primary  /master  /read-write   the checked resource (crmd --check-resource)
//        is active here; for a promotable clone, promoted here
//   /replica      a promotable clone: an instance runs here unpromoted (Patroni's /replica: a
//                 running replica, not the leader). Any other resource: this node is online,
//                 not in standby and does not hold it, so it is a healthy member ready to take
//                 over (Patroni's replicas are the members that do not hold the leader key)
//   /read-only    /leader or /replica
//   /health       this node is a member of a quorate partition and has the CIB (crmd runs the
//                 cluster normally); a resource is not needed
//   /resource/NAME, /resource/NAME/leader (/primary), /resource/NAME/replica,
//   /resource/NAME/read-only   the same for the resource NAME, so that several HAProxy
//                 backends share one port
// Anything else 404; so is a leader or replica path for a resource the configuration does not
// have, or a bare path when crmd has no --check-resource (the body says which).
//
// The verdict comes from this node's view of the CIB status: what the cluster recorded running
// here, as `pcs status` shows it. A failed resource, and one being started or stopped here
// (the cluster records a pending operation: pcs status shows "Starting"), do not count as
// active: a client routed here before the start has finished would find no service. A node that is
// not in a quorate partition answers 503 on every path but 404s, so that HAProxy never routes to a
// partitioned former holder; so does a node whose copy of the CIB is not yet the cluster's (a
// powered-off holder that boots and rejoins holds its old copy, which says the resource runs there,
// until the DC's sync replaces it).
//
// The body is one line of JSON: {"node", "resource", "role" (promoted, unpromoted, started,
// starting, stopping, failed, stopped), "quorate", "check", "verdict", "reason"}.
//
// Pure: no I/O, no clock, no threads (route_source.h gathers the facts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crmd/http/http_server.h"
#include "policy-engine/transition.h"

namespace pulse::crmd::http {

inline constexpr std::uint16_t kCheckPort = 9201;  // cmonHA's check port

// What this node knows that the checks need.
struct RouteFacts {
  std::string node;                       // this node's name (its uname in the CIB)
  bool running = false;                   // the cluster runs on this node
  bool member = false;                    // this node is in the installed membership view
  bool quorate = false;                   // ... and that view is quorate
  std::optional<pe::ClusterView> status;  // this node's copy of the CIB status, read as
                                          // pcs status reads it; nullopt without a CIB
  // That copy is the cluster's copy of the installed view (CibSnapshot::current): false on a
  // node that has just rejoined until the DC's sync replaces its old copy, which may still
  // show a resource here that has moved while the node was away.
  bool cib_current = false;
};

// Where a resource stands on one node, worst first.
enum class Placement { Stopped, Failed, Stopping, Starting, Started, Unpromoted, Promoted };
const char* placementName(Placement p);

// `name`'s placement on `node` in `view` (a primitive by id, a group by id: every member must
// run there, a clone by its id or its cloned resource's id: its best instance there), and
// whether it is (in) a promotable clone; nullopt when the view has no such resource.
struct ResourcePlacement {
  Placement placement = Placement::Stopped;
  bool promotable = false;
};
std::optional<ResourcePlacement> placeResource(const pe::ClusterView& view, std::string_view name,
                                               std::string_view node);

// The answer to a check of `path`; `resource` is the checked resource for the bare paths
// (empty: none configured).
Reply routeReply(const RouteFacts& facts, std::string_view path, std::string_view resource);

// A resource id as a path may carry it: 1-200 of [A-Za-z0-9_.:-] (XML ids and clone
// instances); what else a path carries is not looked up.
bool plausibleResourceName(std::string_view name);

}  // namespace pulse::crmd::http
