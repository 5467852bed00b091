// pcs's known-hosts file (also distributed to every node by `pcs cluster setup`, where crmd
// reads it to reach its peers), `<state dir>/known-hosts` (mode 0600, it holds tokens): one
// line per authorized node,
//   NODE ADDR:PORT TOKEN FINGERPRINT
// where FINGERPRINT is the SHA-256 of the node's TLS certificate, pinned when the node was
// first authorized (trust on first use) and checked on every later connection.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::crmd {

struct KnownHost {
  std::string node;
  std::string address;  // host:port as given to `pcs host auth` (addr=, else the node name)
  std::string token;    // secret
  std::string fingerprint;
};

std::string knownHostsPath(const std::string& state_dir);

// The entries in file order; no file is an empty list; a malformed line is an Error naming it.
Result<std::vector<KnownHost>> loadKnownHosts(const std::string& path);
// The same from text; errors name `origin` and the line.
Result<std::vector<KnownHost>> parseKnownHosts(const std::string& text, const std::string& origin);

// `hosts` with every entry of `incoming` replacing the entry of the same node (or appended).
std::vector<KnownHost> mergeKnownHosts(std::vector<KnownHost> hosts,
                                       const std::vector<KnownHost>& incoming);

// The file's text for `hosts` (what `pcs cluster setup` hands the nodes).
std::string formatKnownHosts(const std::vector<KnownHost>& hosts);

// Replaces the file (atomically, mode 0600).
Status saveKnownHosts(const std::string& path, const std::vector<KnownHost>& hosts);

}  // namespace pulse::crmd
