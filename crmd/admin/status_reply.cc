#include "crmd/admin/status_reply.h"

#include "crmd/cib/parsed_cib.h"
#include "crmd/replication/cib_wire.h"

namespace pulse::crmd {

void fillClusterStatus(const ClusterSnapshot& snapshot, const std::string& node_name,
                       const std::string& version, admin::ClusterStatusReply& reply) {
  reply.set_node_name(node_name);
  reply.set_version(version);
  reply.set_in_cluster(snapshot.configured);
  reply.set_cluster_name(snapshot.cluster_name);
  reply.set_running(snapshot.running);
  reply.set_enabled(snapshot.enabled);
  reply.set_local_nodeid(snapshot.local_id);
  reply.set_cluster_config(snapshot.config_text);
  reply.set_token_ms(static_cast<std::uint64_t>(snapshot.token.count()));
  reply.set_consensus_ms(static_cast<std::uint64_t>(snapshot.consensus.count()));
  if (snapshot.view) {
    reply.set_has_view(true);
    reply.set_ring_seq(snapshot.view->ring_id.seq);
    reply.set_ring_rep(snapshot.view->ring_id.representative);
  }
  for (const MemberRuntime& m : snapshot.members) {
    admin::MemberInfo* info = reply.add_members();
    info->set_nodeid(m.node.id);
    info->set_name(m.node.name);
    info->set_address(m.node.address);
    info->set_ip(m.ip);
    info->set_votes(m.node.votes);
    info->set_in_view(m.in_view);
    info->set_join_count(m.join_count);
    info->set_ever_seen(m.ever_seen);
    info->set_lost_at_ms(m.lost_at_ms);
    info->set_cib_version_at_loss(m.cib_version_at_loss);
  }
  admin::QuorumInfo* quorum = reply.mutable_quorum();
  quorum->set_quorate(snapshot.quorum.quorate);
  quorum->set_expected_votes(snapshot.quorum.expected_votes);
  quorum->set_total_votes(snapshot.quorum.total_votes);
  quorum->set_quorum(snapshot.quorum.quorum);
  quorum->set_flags(snapshot.quorum.flags);
  quorum->set_flags_text(snapshot.quorum.flagsText());
  if (!snapshot.running) return;
  auto add = [&reply](const std::string& name, std::uint64_t value) {
    admin::Counter* counter = reply.add_counters();
    counter->set_name(name);
    counter->set_value(value);
  };
  const membership::PacketCounters& packets = snapshot.stats.packets;
  add("rx.accepted", packets.accepted);
  for (std::size_t r = 0; r < membership::kDropReasonCount; ++r) {
    const auto reason = static_cast<membership::DropReason>(r);
    add("rx.dropped." + std::string(membership::toString(reason)), packets.droppedFor(reason));
  }
  add("rx.errors", snapshot.stats.receive_errors);
  add("tx.sent", snapshot.stats.sent);
  add("tx.errors", snapshot.stats.send_errors);
  add("persist.errors", snapshot.stats.persist_errors);
  // Full CIB parses in this crmd: one per copy this node stored (parsed_cib.h).
  add("cib.parses", parseCount());
}

std::string memberName(const ClusterSnapshot& snapshot, std::optional<NodeId> id) {
  if (!id) return "";
  for (const MemberRuntime& m : snapshot.members) {
    if (m.node.id == *id) return m.node.name;
  }
  return std::to_string(*id);
}

void fillCibGet(const CibSnapshot& cib, const ClusterSnapshot& members, admin::CibGetReply& reply) {
  reply.set_xml(cib.cib.xml);
  *reply.mutable_stamp() = toProto(stampOf(cib.cib));
  reply.set_dc(cib.dc.value_or(membership::kNoNode));
  reply.set_dc_name(memberName(members, cib.dc));
  reply.set_is_dc(cib.is_dc);
  reply.set_ready(cib.ready);
  reply.set_transition_idle(cib.transition_idle);
  reply.set_current(cib.current);
}

}  // namespace pulse::crmd
