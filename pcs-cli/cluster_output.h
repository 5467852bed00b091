// What `pcs status corosync`, `pcs quorum status` and `pcs cluster cmap` print, from a node's
// ClusterStatusReply, in the layouts of corosync-quorumtool and corosync-cmapctl (text) or as
// JSON (--output-format=json). Pure functions: no I/O, the date is an argument.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "admin.pb.h"

namespace pulse::pcs {

// "Membership information" with the members of the node's current view.
std::string formatStatusCorosync(const admin::ClusterStatusReply& status);
std::string statusCorosyncJson(const admin::ClusterStatusReply& status);

// corosync-quorumtool -s: quorum, votequorum and membership information.
std::string formatQuorumStatus(const admin::ClusterStatusReply& status, std::time_t now);
std::string quorumStatusJson(const admin::ClusterStatusReply& status);

// corosync-cmapctl: "key (type) = value" lines, sorted by key, limited to keys starting with
// `prefix`: runtime.members.N.{config_version,ip,join_count,status} for every node this node
// has seen, runtime.votequorum.*, totem.*, nodelist.*, and stats.pulse.* packet counters.
struct CmapEntry {
  std::string key;
  std::string type;  // u8, u32, u64, str
  std::string value;
};
std::vector<CmapEntry> cmapEntries(const admin::ClusterStatusReply& status);
std::string formatCmap(const admin::ClusterStatusReply& status, const std::string& prefix);
std::string cmapJson(const admin::ClusterStatusReply& status, const std::string& prefix);

// Ring ids as corosync 3 prints them: representative.seq, both in hex.
std::string ringIdText(const admin::ClusterStatusReply& status);

}  // namespace pulse::pcs
