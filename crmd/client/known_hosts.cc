#include "crmd/client/known_hosts.h"

#include <algorithm>
#include <sstream>

#include "crmd/client/secure_file.h"

namespace pulse::crmd {

std::string knownHostsPath(const std::string& state_dir) { return state_dir + "/known-hosts"; }
std::string clusterHostsPath(const std::string& state_dir) { return state_dir + "/cluster-hosts"; }

Result<std::vector<KnownHost>> allHosts(const std::string& state_dir) {
  auto own = loadKnownHosts(knownHostsPath(state_dir));
  if (!own) return own.error();
  auto cluster = loadKnownHosts(clusterHostsPath(state_dir));
  if (!cluster) return cluster.error();
  for (KnownHost& host : *cluster) {
    if (std::none_of(own->begin(), own->end(),
                     [&](const KnownHost& h) { return h.node == host.node; })) {
      own->push_back(std::move(host));
    }
  }
  return own;
}

Result<std::optional<KnownHost>> findHost(const std::string& state_dir, const std::string& node) {
  auto hosts = allHosts(state_dir);
  if (!hosts) return hosts.error();
  for (KnownHost& host : *hosts) {
    if (host.node == node) return std::optional<KnownHost>(std::move(host));
  }
  return std::optional<KnownHost>{};
}

Result<std::vector<KnownHost>> parseKnownHosts(const std::string& text, const std::string& origin) {
  std::vector<KnownHost> hosts;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    KnownHost host;
    std::string extra;
    if (!(fields >> host.node >> host.address >> host.token >> host.fingerprint) ||
        (fields >> extra) || host.fingerprint.size() != 64) {
      return Error{origin + ":" + std::to_string(number) +
                   ": expected NODE ADDR:PORT TOKEN FINGERPRINT"};
    }
    hosts.push_back(std::move(host));
  }
  return hosts;
}

Result<std::vector<KnownHost>> loadKnownHosts(const std::string& path) {
  if (!fileExists(path)) return std::vector<KnownHost>{};
  auto text = readSecretFile(path);  // it holds tokens
  if (!text) return text.error();
  return parseKnownHosts(*text, path);
}

std::string formatKnownHosts(const std::vector<KnownHost>& hosts) {
  std::string content;
  for (const KnownHost& h : hosts) {
    content += h.node + " " + h.address + " " + h.token + " " + h.fingerprint + "\n";
  }
  return content;
}

Status saveKnownHosts(const std::string& path, const std::vector<KnownHost>& hosts) {
  return writeFileAtomic(path, formatKnownHosts(hosts), 0600);
}

}  // namespace pulse::crmd
