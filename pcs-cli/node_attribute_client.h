// How crm_attribute, crm_master and crm_node reach the cluster: through this node's own crmd,
// with the local-admin token crmd writes at every start (crmd/admin/admin_server.h), so that
// resource agents running as root on the node need no pcs token.
//
// - The state directory is $PULSE_STATE_DIR (crmd exports it to agents), else /var/lib/pulse.
// - Reads (queries, crm_node) use this node's own copy of the CIB and its membership status.
// - Writes go through the DC, as every CIB write does: the DC's copy is read, edited and
//   written back on the stamp it was read at; a write on a stale copy is read and redone (up to
//   the timeout). When this node is not the DC, the DC is reached with this node's known-hosts
//   entry for it (pcs cluster setup gives every node one).
//
// Every failure is an Error saying what was wrong (crmd not running, not in a cluster, no DC).
// Not thread-safe; one per program run.
#pragma once

#include <chrono>
#include <functional>
#include <pugixml.hpp>
#include <string>

#include "admin.pb.h"
#include "common/result.h"

namespace pulse::pcs {

// $PULSE_STATE_DIR, else /var/lib/pulse.
std::string toolStateDir();

class LocalNode {
 public:
  LocalNode(std::string state_dir, std::chrono::seconds timeout)
      : state_dir_(std::move(state_dir)), timeout_(timeout) {}

  // The name crmd runs under (<state dir>/node-name); no connection needed.
  Result<std::string> name() const;
  // This node's membership view (ClusterStatus of its own crmd).
  Result<admin::ClusterStatusReply> status() const;
  // This node's copy of the CIB.
  Result<std::string> cib() const;

  // Reads the DC's CIB, calls `edit` on its <cib> element and, when `edit` returns true (it
  // changed something), writes the result through the DC: a status-only write (num_updates)
  // when `status_only`, else a configuration change. Redone on a stale copy until the timeout.
  // An Error from `edit` is returned as it is, with nothing written.
  Status update(const std::function<Result<bool>(pugi::xml_node cib)>& edit, bool status_only);

 private:
  std::string state_dir_;
  std::chrono::seconds timeout_;
};

}  // namespace pulse::pcs
