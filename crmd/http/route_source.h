// The facts behind the route checks (route_check.h), gathered on the check server's thread:
// NodeDaemon's snapshot (membership view and quorum) and this node's copy of the CIB, both
// through the thread-safe reads the admin API uses, so a check never waits on the network (it
// may wait for the local CIB thread, at most NodeDaemon::readCib's 2 s, while that thread
// saves a copy; HAProxy's own check timeout then counts it as a failed check).
//
// The CIB's status is read as pcs status reads it (the policy engine's current view), through
// the node's CibViewCache (cib_view_cache.h, shared with /metrics): HAProxy checking every half
// second costs one CIB read and a text comparison, not an engine run.
//
// Thread-safety: one RouteSource belongs to one thread (the check server's); the cache is
// thread-safe.
#pragma once

#include <optional>
#include <string>

#include "crmd/admin/cluster_control.h"
#include "crmd/http/cib_view_cache.h"
#include "crmd/http/route_check.h"

namespace pulse::crmd::http {

class RouteSource {
 public:
  // `node_name`: this node's name when the membership has none for it.
  // `views` must outlive the source.
  RouteSource(const ClusterControl& cluster, std::string node_name, CibViewCache& views)
      : cluster_(cluster), node_name_(std::move(node_name)), views_(views) {}

  RouteFacts facts();

 private:
  const ClusterControl& cluster_;
  const std::string node_name_;
  CibViewCache& views_;
};

}  // namespace pulse::crmd::http
