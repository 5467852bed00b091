// The facts behind the route checks (route_check.h), gathered on the check server's thread:
// NodeDaemon's snapshot (membership view and quorum) and this node's copy of the CIB, both
// through the thread-safe reads the admin API uses, so a check never waits on the network (it
// may wait for the local CIB thread, at most NodeDaemon::readCib's 2 s, while that thread
// saves a copy; HAProxy's own check timeout then counts it as a failed check).
//
// The CIB's status is read as pcs status reads it (the policy engine's current view); that
// view is kept and reused until this node's copy of the CIB changes, so HAProxy checking every
// half second costs one CIB read and a text comparison, not an engine run.
//
// Thread-safety: one RouteSource belongs to one thread (the check server's).
#pragma once

#include <optional>
#include <string>

#include "crmd/admin/cluster_control.h"
#include "crmd/http/route_check.h"

namespace pulse::crmd::http {

class RouteSource {
 public:
  // `node_name`: this node's name when the membership has none for it.
  RouteSource(const ClusterControl& cluster, std::string node_name)
      : cluster_(cluster), node_name_(std::move(node_name)) {}

  RouteFacts facts();

 private:
  const ClusterControl& cluster_;
  const std::string node_name_;
  bool read_ = false;                    // cib_text_ has been read (once per copy: a copy
                                         // the engine refuses is logged once)
  std::string cib_text_;                 // the copy `view_` was read from
  std::optional<pe::ClusterView> view_;  // its current view; nullopt: the engine refused it
};

}  // namespace pulse::crmd::http
