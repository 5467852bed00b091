#include "pcs-cli/known_hosts.h"

#include <sstream>

#include "crmd/secure_file.h"

namespace pulse::pcs {

std::string knownHostsPath(const std::string& state_dir) { return state_dir + "/known-hosts"; }

Result<std::vector<KnownHost>> loadKnownHosts(const std::string& path) {
  std::vector<KnownHost> hosts;
  if (!crmd::fileExists(path)) return hosts;
  auto text = crmd::readFile(path);
  if (!text) return text.error();
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    KnownHost host;
    std::string extra;
    if (!(fields >> host.node >> host.address >> host.token >> host.fingerprint) ||
        (fields >> extra) || host.fingerprint.size() != 64) {
      return Error{path + ":" + std::to_string(number) +
                   ": expected NODE ADDR:PORT TOKEN FINGERPRINT"};
    }
    hosts.push_back(std::move(host));
  }
  return hosts;
}

std::string formatKnownHosts(const std::vector<KnownHost>& hosts) {
  std::string content;
  for (const KnownHost& h : hosts) {
    content += h.node + " " + h.address + " " + h.token + " " + h.fingerprint + "\n";
  }
  return content;
}

Status saveKnownHosts(const std::string& path, const std::vector<KnownHost>& hosts) {
  return crmd::writeFileAtomic(path, formatKnownHosts(hosts), 0600);
}

}  // namespace pulse::pcs
