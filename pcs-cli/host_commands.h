// `pcs host auth` and `pcs host deauth`: output and exit codes as pcs's.
//
// Trust (see SECURITY.md): before a password is sent to a host, the host's TLS certificate
// must be trusted: it must match the pin in the known-hosts file and the fingerprint= given
// for the host, when there are (a mismatch with either is refused); with neither, on a
// terminal, the operator answers "yes" to the fingerprint shown, as ssh asks; otherwise
// (scripts) it is trusted on first use, with a warning naming the fingerprint. A refused host
// never receives the password.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace pulse::pcs {

struct HostAuthTarget {
  std::string node;
  std::string address;                     // addr= value, else the node name
  std::optional<std::string> fingerprint;  // fingerprint= value (stored hex form), pinned ahead
};

// <host name> [addr=<address>] [fingerprint=SHA256:<base64>] ...; errors are usage errors.
Result<std::vector<HostAuthTarget>> parseHostTargets(const std::vector<std::string>& args);

// The password, read only once a host's certificate is trusted (so that a terminal user
// answers the fingerprint question before typing it, as with ssh), and then only once.
using PasswordSource = std::function<Result<std::string>()>;

// Authenticates every target (continuing past failures), prints
// "NODE: Authorized (certificate SHA256:...)" per success and
// "Error: Unable to authenticate NODE: ..." per failure; stores tokens and pins in the
// known-hosts file. Returns the exit code (1 when any node failed).
int hostAuthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                    const std::string& username, const PasswordSource& password);

// Without a password: revokes the given nodes' tokens on the nodes (all known nodes when
// `targets` is empty), then forgets the tokens and pins locally; a node that cannot be reached
// within `timeout` only loses its local entry, with a warning.
// With a password (for a caller that lost its token): authenticates to each target as host
// auth does (same trust rules) and revokes every token `pcs host auth` obtained on it, the
// caller's included; the cluster's node tokens stay. The local entries are forgotten too.
int hostDeauthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                      std::chrono::seconds timeout, const std::string& username,
                      const PasswordSource* password);

}  // namespace pulse::pcs
