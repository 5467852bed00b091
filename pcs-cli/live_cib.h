// The cluster's live CIB as pcs sees it: read from the DC (whose copy is authoritative), edited
// locally, written back through the DC with the stamp it was read at (optimistic concurrency:
// a write on a stale copy is refused, and the caller may read again and redo its edit).
#pragma once

#include <optional>
#include <string>

#include "admin.pb.h"
#include "common/result.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {

struct CibWriteOutcome {
  bool stale = false;  // the CIB changed since it was read: read again and redo the edit
  std::string version;
  peer::CibVersion written;  // what --wait compares later reads against
};

// Why a partition has no DC, from `session`'s membership: its quorum (votes, the quorum
// needed, the nodes outside the partition), or an election still running.
std::string noDcReason(NodeSession& session);

// "admin_epoch.epoch.num_updates", as pcs and crm_mon print a CIB version.
std::string versionText(const peer::CibVersion& v);

class LiveCib {
 public:
  // Asks the local node who the DC is, then reads the DC's copy, waiting (up to the request
  // timeout) while the DC is still synchronising after a view change. Errors say why (cluster
  // not running here, no quorum, no DC yet, DC unreachable).
  static Result<LiveCib> read(const PcsOptions& options);

  const std::string& xml() const { return reply_.xml(); }
  const std::string& dcName() const { return dc_name_; }
  const peer::CibVersion& version() const { return reply_.stamp().version(); }
  // The DC runs no transition and has nothing left to schedule (false until the DC serves it).
  bool transitionIdle() const { return reply_.transition_idle(); }

  // The open session to the DC, for more calls to it without a second connection.
  NodeSession& dcSession() { return dc_; }

  // Writes `xml` (a configuration change unless `status_only`) on the copy that was read.
  Result<CibWriteOutcome> write(const std::string& xml, bool status_only = false);

 private:
  static Result<LiveCib> readOnce(const PcsOptions& options);
  LiveCib(NodeSession dc, admin::CibGetReply reply, std::string dc_name);
  NodeSession dc_;
  admin::CibGetReply reply_;
  std::string dc_name_;
};

}  // namespace pulse::pcs
