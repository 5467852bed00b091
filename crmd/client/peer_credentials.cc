#include "crmd/client/peer_credentials.h"

#include <sstream>

#include "crmd/client/crypto.h"

namespace pulse::crmd {
bool isPeerSecret(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string peerSecretPath(const std::string& state_dir) { return state_dir + "/peer-secret"; }
std::string peerHashesPath(const std::string& state_dir) { return state_dir + "/peer-hashes"; }

std::string formatPeerHashes(const std::map<std::string, std::string>& secrets) {
  std::string text;
  for (const auto& [node, secret] : secrets) text += node + " " + sha256Hex(secret) + "\n";
  return text;
}

Result<std::map<std::string, std::string>> parsePeerHashes(const std::string& text,
                                                           const std::string& origin) {
  std::map<std::string, std::string> hashes;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string node, hash, extra;
    if (!(fields >> node >> hash) || (fields >> extra) || !isPeerSecret(hash) ||
        !hashes.emplace(node, hash).second) {
      return Error{origin + ":" + std::to_string(number) + ": expected NODE SHA256, once a node"};
    }
  }
  return hashes;
}

Status checkPeerCredentials(const std::string& node_name, const std::string& secret,
                            const std::string& hashes_text) {
  auto hashes = parsePeerHashes(hashes_text, "the peer hashes");
  if (!hashes) return hashes.error();
  if (!isPeerSecret(secret)) return Error{"the peer secret must be 64 hex digits"};
  const auto own = hashes->find(node_name);
  if (own == hashes->end() || own->second != sha256Hex(secret)) {
    return Error{"the peer hashes do not list this node's peer secret"};
  }
  return {};
}

}  // namespace pulse::crmd
