#include "pcs-cli/cluster_output.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "pcs-cli/json.h"

namespace pulse::pcs {
namespace {

std::string memberName(const admin::ClusterStatusReply& status, const admin::MemberInfo& m) {
  std::string name = m.name().empty() ? m.address() : m.name();
  if (m.nodeid() == status.local_nodeid()) name += " (local)";
  return name;
}

std::string row(const char* format, auto... args) {
  char line[512];
  std::snprintf(line, sizeof line, format, args...);
  return line;
}

Json membersJson(const admin::ClusterStatusReply& status) {
  Json members = Json::array();
  for (const admin::MemberInfo& m : status.members()) {
    if (!m.in_view()) continue;
    members.push_back({{"nodeid", m.nodeid()},
                       {"votes", m.votes()},
                       {"name", m.name()},
                       {"local", m.nodeid() == status.local_nodeid()}});
  }
  return members;
}

}  // namespace

std::vector<CmapEntry> cmapEntries(const admin::ClusterStatusReply& status) {
  std::vector<CmapEntry> out;
  auto num = [&out](std::string key, const char* type, std::uint64_t value) {
    out.push_back({std::move(key), type, std::to_string(value)});
  };
  auto str = [&out](std::string key, std::string value) {
    out.push_back({std::move(key), "str", std::move(value)});
  };
  const admin::QuorumInfo& q = status.quorum();
  str("totem.cluster_name", status.cluster_name());
  num("totem.token", "u32", status.token_ms());
  num("totem.consensus", "u32", status.consensus_ms());
  for (int i = 0; i < status.members_size(); ++i) {
    const admin::MemberInfo& m = status.members(i);
    const std::string node = "nodelist.node." + std::to_string(i) + ".";
    num(node + "nodeid", "u32", m.nodeid());
    str(node + "name", m.name());
    str(node + "ring0_addr", m.address());
    num(node + "quorum_votes", "u32", m.votes());
    if (!status.running() || !m.ever_seen()) continue;
    const std::string member = "runtime.members." + std::to_string(m.nodeid()) + ".";
    num(member + "config_version", "u64", 0);
    // corosync shows the resolved address, whatever name ring0_addr holds.
    str(member + "ip", "r(0) ip(" + (m.ip().empty() ? m.address() : m.ip()) + ") ");
    num(member + "join_count", "u32", m.join_count());
    str(member + "status", m.in_view() ? "joined" : "left");
  }
  if (status.running()) {
    num("runtime.votequorum.this_node_id", "u32", status.local_nodeid());
    num("runtime.votequorum.quorate", "u8", q.quorate() ? 1 : 0);
    num("runtime.votequorum.expected_votes", "u32", q.expected_votes());
    num("runtime.votequorum.total_votes", "u32", q.total_votes());
    num("runtime.votequorum.quorum", "u32", q.quorum());
    num("runtime.votequorum.two_node", "u8", (q.flags() & 1u) != 0 ? 1 : 0);
    num("runtime.votequorum.wait_for_all_status", "u8", (q.flags() & 4u) != 0 ? 1 : 0);
    if (status.has_view()) str("runtime.totem.ring_id", ringIdText(status));
    for (const admin::Counter& c : status.counters()) {
      num("stats.pulse." + c.name(), "u64", c.value());
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CmapEntry& a, const CmapEntry& b) { return a.key < b.key; });
  return out;
}

std::string ringIdText(const admin::ClusterStatusReply& status) {
  if (!status.has_view()) return "(none)";
  std::ostringstream out;
  out << std::hex << status.ring_rep() << "." << status.ring_seq();
  return out.str();
}

std::string formatStatusCorosync(const admin::ClusterStatusReply& status) {
  std::string out = "Membership information\n----------------------\n";
  out += row("%10s %10s %s\n", "Nodeid", "Votes", "Name");
  for (const admin::MemberInfo& m : status.members()) {
    if (!m.in_view()) continue;
    out += row("%10u %10u %s\n", m.nodeid(), m.votes(), memberName(status, m).c_str());
  }
  return out;
}

std::string statusCorosyncJson(const admin::ClusterStatusReply& status) {
  const Json document = {{"cluster_name", status.cluster_name()},
                         {"local_nodeid", status.local_nodeid()},
                         {"ring_id", ringIdText(status)},
                         {"members", membersJson(status)}};
  return jsonText(document) + "\n";
}

std::string formatQuorumStatus(const admin::ClusterStatusReply& status, std::time_t now) {
  const admin::QuorumInfo& q = status.quorum();
  char date[64] = "";
  std::tm tm{};
  if (localtime_r(&now, &tm) != nullptr) std::strftime(date, sizeof date, "%a %b %e %T %Y", &tm);
  int nodes = 0;
  for (const admin::MemberInfo& m : status.members()) nodes += m.in_view() ? 1 : 0;
  std::string out = "Quorum information\n------------------\n";
  out += row("Date:             %s\n", date);
  out += "Quorum provider:  corosync_votequorum\n";
  out += row("Nodes:            %d\n", nodes);
  out += row("Node ID:          %u\n", status.local_nodeid());
  out += row("Ring ID:          %s\n", ringIdText(status).c_str());
  out += row("Quorate:          %s\n", q.quorate() ? "Yes" : "No");
  out += "\nVotequorum information\n----------------------\n";
  out += row("Expected votes:   %u\n", q.expected_votes());
  out += row("Highest expected: %u\n", q.expected_votes());
  out += row("Total votes:      %u\n", q.total_votes());
  out += row("Quorum:           %u%s\n", q.quorum(), q.quorate() ? "" : " Activity blocked");
  out += row("Flags:            %s\n", q.flags_text().c_str());
  out += "\nMembership information\n----------------------\n";
  out += row("%10s %10s %10s %s\n", "Nodeid", "Votes", "Qdevice", "Name");
  for (const admin::MemberInfo& m : status.members()) {
    if (!m.in_view()) continue;
    out += row("%10u %10u %10s %s\n", m.nodeid(), m.votes(), "NR", memberName(status, m).c_str());
  }
  return out;
}

std::string quorumStatusJson(const admin::ClusterStatusReply& status) {
  const admin::QuorumInfo& q = status.quorum();
  Json flags = Json::array();
  std::istringstream words(q.flags_text());
  for (std::string word; words >> word;) flags.push_back(word);
  const Json document = {{"node_id", status.local_nodeid()},
                         {"ring_id", ringIdText(status)},
                         {"quorate", q.quorate()},
                         {"expected_votes", q.expected_votes()},
                         {"highest_expected", q.expected_votes()},
                         {"total_votes", q.total_votes()},
                         {"quorum", q.quorum()},
                         {"flags", std::move(flags)},
                         {"members", membersJson(status)}};
  return jsonText(document) + "\n";
}

std::string formatCmap(const admin::ClusterStatusReply& status, const std::string& prefix) {
  std::string out;
  for (const CmapEntry& e : cmapEntries(status)) {
    if (e.key.starts_with(prefix)) out += e.key + " (" + e.type + ") = " + e.value + "\n";
  }
  return out;
}

std::string cmapJson(const admin::ClusterStatusReply& status, const std::string& prefix) {
  Json document = Json::object();
  for (const CmapEntry& e : cmapEntries(status)) {
    if (!e.key.starts_with(prefix)) continue;
    if (e.type == "str") {
      document[e.key] = e.value;
    } else {
      document[e.key] = static_cast<std::uint64_t>(std::stoull(e.value));
    }
  }
  return jsonText(document) + "\n";
}

}  // namespace pulse::pcs
