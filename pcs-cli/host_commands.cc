#include "pcs-cli/host_commands.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include "crmd/known_hosts.h"
#include "crmd/secure_file.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {

namespace {

constexpr std::chrono::seconds kTimeout{5};

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

}  // namespace

int hostAuthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                    const std::string& username, const std::string& password) {
  const std::string path = knownHostsPath(state_dir);
  auto hosts = loadKnownHosts(path);
  if (!hosts) return fail(hosts.error().message);
  int exit_code = 0;
  bool changed = false;
  for (const HostAuthTarget& target : targets) {
    auto report = [&](const std::string& why) {
      std::cerr << "Error: Unable to authenticate " << target.node << ": " << why << "\n";
      exit_code = 1;
    };
    auto address = parseNodeAddress(target.address);
    if (!address) {
      report(address.error().message);
      continue;
    }
    auto known = std::find_if(hosts->begin(), hosts->end(),
                              [&](const KnownHost& h) { return h.node == target.node; });
    std::optional<std::string> pin;
    if (known != hosts->end()) pin = known->fingerprint;
    auto result = hostAuth(*address, username, password, pin, kTimeout);
    if (!result) {
      report(result.error().message);
      continue;
    }
    KnownHost entry{target.node, address->target(), result->token, result->fingerprint};
    if (known != hosts->end())
      *known = entry;
    else
      hosts->push_back(entry);
    changed = true;
    std::cout << target.node << ": Authorized\n";
  }
  if (changed) {
    if (Status s = crmd::ensureDirectory(state_dir); !s) return fail(s.error().message);
    if (Status s = saveKnownHosts(path, *hosts); !s) return fail(s.error().message);
  }
  return exit_code;
}

int hostDeauthCommand(const std::string& state_dir, const std::vector<std::string>& nodes,
                      std::chrono::seconds timeout) {
  const std::string path = knownHostsPath(state_dir);
  auto hosts = loadKnownHosts(path);
  if (!hosts) return fail(hosts.error().message);
  std::string not_found;
  for (const std::string& node : nodes) {
    if (std::none_of(hosts->begin(), hosts->end(),
                     [&](const KnownHost& h) { return h.node == node; })) {
      not_found += (not_found.empty() ? "'" : ", '") + node + "'";
    }
  }
  if (!not_found.empty()) return fail("Following hosts were not found: " + not_found);
  for (const KnownHost& host : *hosts) {
    if (!nodes.empty() && std::find(nodes.begin(), nodes.end(), host.node) == nodes.end()) {
      continue;
    }
    auto address = parseNodeAddress(host.address);
    auto session =
        address ? NodeSession::connect(host.node, *address, host.token, host.fingerprint, timeout)
                : Result<NodeSession>(address.error());
    Result<admin::RevokeTokenReply> revoked =
        session ? session->revokeToken() : Result<admin::RevokeTokenReply>(session.error());
    if (!revoked) {
      std::cerr << "Warning: Unable to revoke the token on " << host.node << " ("
                << revoked.error().message << "); it is removed from the local pcs only\n";
    }
  }
  if (nodes.empty()) {
    hosts->clear();
  } else {
    std::erase_if(*hosts, [&](const KnownHost& h) {
      return std::find(nodes.begin(), nodes.end(), h.node) != nodes.end();
    });
  }
  if (!crmd::fileExists(path)) return 0;
  if (Status s = saveKnownHosts(path, *hosts); !s) return fail(s.error().message);
  return 0;
}

}  // namespace pulse::pcs
