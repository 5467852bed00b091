// Two files of one format, mode 0600 (they hold tokens), one line per node:
//   NODE ADDR:PORT TOKEN FINGERPRINT
// where FINGERPRINT is the SHA-256 (hex) of the node's TLS certificate, checked on every
// connection.
//   <state dir>/known-hosts    pcs's own: what `pcs host auth` run with this state directory
//                              obtained (the token) and pinned (on first use, or ahead with
//                              fingerprint=); only pcs host auth/deauth change it.
//   <state dir>/cluster-hosts  the cluster node's: written by `pcs cluster setup` (every
//                              cluster node, with the token that node issued for this one) and
//                              removed by `pcs cluster destroy`; crmd reaches its peers with
//                              it, and pcs and crm_attribute on the node fall back to it.
// So the operator's tokens never leave the operator's machine, and a node holds only tokens
// issued to it.
#pragma once

#include <optional>
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
std::string clusterHostsPath(const std::string& state_dir);

// The entry for `node`: pcs's known-hosts first, then the cluster hosts; nullopt when neither
// has one. A malformed file is an Error naming it.
Result<std::optional<KnownHost>> findHost(const std::string& state_dir, const std::string& node);
// Every node in either file (known-hosts first), each once.
Result<std::vector<KnownHost>> allHosts(const std::string& state_dir);

// The entries in file order; no file is an empty list; a malformed line is an Error naming it.
Result<std::vector<KnownHost>> loadKnownHosts(const std::string& path);
// The same from text; errors name `origin` and the line.
Result<std::vector<KnownHost>> parseKnownHosts(const std::string& text, const std::string& origin);

// The file's text for `hosts` (what `pcs cluster setup` hands the nodes).
std::string formatKnownHosts(const std::vector<KnownHost>& hosts);

// Replaces the file (atomically, mode 0600).
Status saveKnownHosts(const std::string& path, const std::vector<KnownHost>& hosts);

}  // namespace pulse::crmd
