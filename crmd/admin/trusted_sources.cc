#include "crmd/admin/trusted_sources.h"

#include "crmd/client/known_hosts.h"
#include "crmd/client/pinned_channel.h"

namespace pulse::crmd {

std::set<std::string> memberAddresses(const ClusterControl& cluster, const std::string& state_dir) {
  std::set<std::string> out;
  for (const MemberRuntime& member : cluster.snapshot().members) out.insert(member.node.address);
  if (auto hosts = allHosts(state_dir); hosts) {
    for (const KnownHost& host : *hosts) {
      if (auto address = parseNodeAddress(host.address); address) out.insert(address->host);
    }
  }
  return out;
}

}  // namespace pulse::crmd
