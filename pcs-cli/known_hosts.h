// The client's known-hosts file, `<state dir>/known-hosts` (mode 0600, it holds tokens): one
// line per authorized node,
//   NODE ADDR:PORT TOKEN FINGERPRINT
// where FINGERPRINT is the SHA-256 of the node's TLS certificate, pinned when the node was
// first authorized (trust on first use) and checked on every later connection.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct KnownHost {
  std::string node;
  std::string address;  // host:port as given to `pcs host auth` (addr=, else the node name)
  std::string token;    // secret
  std::string fingerprint;
};

std::string knownHostsPath(const std::string& state_dir);

// The entries in file order; no file is an empty list; a malformed line is an Error naming it.
Result<std::vector<KnownHost>> loadKnownHosts(const std::string& path);

// The file's text for `hosts` (what `pcs cluster setup` hands the nodes).
std::string formatKnownHosts(const std::vector<KnownHost>& hosts);

// Replaces the file (atomically, mode 0600).
Status saveKnownHosts(const std::string& path, const std::vector<KnownHost>& hosts);

}  // namespace pulse::pcs
