// The peer credential files' formats (peer_auth.h has the scheme): what `pcs cluster setup`
// makes for every node and what crmd checks before writing them.
#pragma once

#include <map>
#include <string>

#include "common/result.h"

namespace pulse::crmd {

// 64 lowercase hex digits: the form of a peer secret and of a SHA-256 in peer-hashes.
bool isPeerSecret(const std::string& s);

std::string peerSecretPath(const std::string& state_dir);
std::string peerHashesPath(const std::string& state_dir);

// "NODE SHA256" lines for `secrets` (node name -> secret).
std::string formatPeerHashes(const std::map<std::string, std::string>& secrets);
// node name -> SHA-256 hex; errors name `origin` and the line.
Result<std::map<std::string, std::string>> parsePeerHashes(const std::string& text,
                                                           const std::string& origin);

// OK when `secret` is 64 hex digits and `hashes_text` lists its hash for `node_name`.
Status checkPeerCredentials(const std::string& node_name, const std::string& secret,
                            const std::string& hashes_text);

}  // namespace pulse::crmd
