#include "pcs-cli/host_commands.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "crmd/client/known_hosts.h"
#include "crmd/client/secure_file.h"
#include "crmd/client/tls_identity.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {

namespace {

constexpr std::chrono::seconds kTimeout{5};

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

// The certificate of a host that was never pinned, shown on the terminal; true when the
// operator confirms it ("yes", or the fingerprint itself, as ssh accepts).
bool confirmOnTerminal(const HostAuthTarget& target, const NodeAddress& address,
                       const std::string& shown) {
  std::cerr << "The authenticity of host '" << target.node << " (" << address.target()
            << ")' can't be established.\n"
            << "Its TLS certificate fingerprint is " << shown << ".\n"
            << "('crmd fingerprint' on that node prints the fingerprint to compare with.)\n"
            << "Are you sure you want to continue connecting (yes/no/[fingerprint])? "
            << std::flush;
  for (std::string answer; std::getline(std::cin, answer);) {
    if (answer == "yes" || answer == shown) return true;
    if (answer == "no") return false;
    std::cerr << "Please type 'yes', 'no' or the fingerprint: " << std::flush;
  }
  return false;
}

struct TrustedCertificate {
  std::string pem;
  std::string fingerprint;  // hex
};

// The host's certificate once it is trusted (see host_commands.h), or an Error saying why it
// is not; nothing secret has been sent either way.
Result<TrustedCertificate> trustHost(const HostAuthTarget& target, const NodeAddress& address,
                                     const std::optional<std::string>& pin) {
  auto pem = crmd::fetchCertificate(address, kTimeout);
  if (!pem) return pem.error();
  auto fingerprint = crmd::certificateFingerprint(*pem);
  if (!fingerprint) return Error{"the node's certificate: " + fingerprint.error().message};
  const std::string shown = crmd::displayFingerprint(*fingerprint);
  // Both the pin and a fingerprint given must match, when there are.
  if (pin && *pin != *fingerprint) {
    return Error{"the node's TLS certificate changed (pinned " + crmd::displayFingerprint(*pin) +
                 ", now " + shown + "); the password was not sent. If the change is expected, " +
                 "run 'pcs host deauth " + target.node + "' and authenticate again"};
  }
  if (target.fingerprint && *target.fingerprint != *fingerprint) {
    return Error{"the node's TLS certificate " + shown + " does not match the fingerprint given (" +
                 crmd::displayFingerprint(*target.fingerprint) +
                 "); the password was not sent (is something else answering at " +
                 address.target() + "?)"};
  }
  if (pin || target.fingerprint) return TrustedCertificate{*pem, *fingerprint};
  if (isatty(STDIN_FILENO) != 0) {
    if (confirmOnTerminal(target, address, shown)) return TrustedCertificate{*pem, *fingerprint};
    return Error{"host certificate verification failed (not confirmed); the password was not sent"};
  }
  std::cerr << "Warning: " << target.node << " (" << address.target() << "): certificate " << shown
            << " trusted on first use, without verification; compare it with 'crmd "
               "fingerprint' on the node, or pin it ahead with fingerprint="
            << shown << "\n";
  return TrustedCertificate{*pem, *fingerprint};
}

// The password, read at most once.
struct OncePassword {
  const PasswordSource& source;
  std::optional<Result<std::string>> value;
  const Result<std::string>& get() {
    if (!value) value.emplace(source());
    return *value;
  }
};

// host auth's exchange for one target: the token, with the certificate it was obtained over.
Result<HostAuthResult> authenticate(const HostAuthTarget& target, const NodeAddress& address,
                                    const std::optional<std::string>& pin,
                                    const std::string& username, OncePassword& password) {
  auto cert = trustHost(target, address, pin);
  if (!cert) return cert.error();
  const Result<std::string>& secret = password.get();
  if (!secret) return secret.error();
  return hostAuth(address, cert->pem, username, *secret, kTimeout);
}

std::optional<KnownHost> findKnown(const std::vector<KnownHost>& hosts, const std::string& node) {
  auto it =
      std::find_if(hosts.begin(), hosts.end(), [&](const KnownHost& h) { return h.node == node; });
  if (it == hosts.end()) return std::nullopt;
  return *it;
}

}  // namespace

Result<std::vector<HostAuthTarget>> parseHostTargets(const std::vector<std::string>& args) {
  std::vector<HostAuthTarget> targets;
  for (const std::string& arg : args) {
    const bool addr = arg.starts_with("addr=");
    const bool fingerprint = arg.starts_with("fingerprint=");
    if (!addr && !fingerprint) {
      targets.push_back({arg, arg, std::nullopt});
      continue;
    }
    const std::string option = addr ? "addr=" : "fingerprint=";
    if (targets.empty()) return Error{option + " must follow a host name"};
    HostAuthTarget& last = targets.back();
    if (addr) {
      if (last.address != last.node) {
        return Error{"more than one addr= for host '" + last.node + "'"};
      }
      last.address = arg.substr(5);
      continue;
    }
    if (last.fingerprint) return Error{"more than one fingerprint= for host '" + last.node + "'"};
    auto parsed = crmd::parseFingerprint(arg.substr(12));
    if (!parsed) return Error{"host '" + last.node + "': " + parsed.error().message};
    last.fingerprint = *parsed;
  }
  return targets;
}

int hostAuthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                    const std::string& username, const PasswordSource& password) {
  const std::string path = knownHostsPath(state_dir);
  auto hosts = loadKnownHosts(path);
  if (!hosts) return fail(hosts.error().message);
  OncePassword once{password, std::nullopt};
  int exit_code = 0;
  bool changed = false;
  for (const HostAuthTarget& target : targets) {
    auto address = parseNodeAddress(target.address);
    const std::optional<KnownHost> known = findKnown(*hosts, target.node);
    auto result = address ? authenticate(target, *address,
                                         known ? std::optional<std::string>(known->fingerprint)
                                               : std::nullopt,
                                         username, once)
                          : Result<HostAuthResult>(address.error());
    if (!result) {
      std::cerr << "Error: Unable to authenticate " << target.node << ": " << result.error().message
                << "\n";
      exit_code = 1;
      continue;
    }
    KnownHost entry{target.node, address->target(), result->token, result->fingerprint};
    std::erase_if(*hosts, [&](const KnownHost& h) { return h.node == target.node; });
    hosts->push_back(entry);
    changed = true;
    std::cout << target.node << ": Authorized (certificate "
              << crmd::displayFingerprint(result->fingerprint) << ")\n";
  }
  if (changed) {
    if (Status s = crmd::ensureDirectory(state_dir); !s) return fail(s.error().message);
    if (Status s = saveKnownHosts(path, *hosts); !s) return fail(s.error().message);
  }
  return exit_code;
}

namespace {

// Deauth with a token: the node forgets that token.
void revokeOwnToken(const KnownHost& host, std::chrono::seconds timeout) {
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

// Deauth with the password: a fresh token, used to revoke every host-auth token on the node.
bool revokeWithPassword(HostAuthTarget target, const std::optional<KnownHost>& known,
                        const std::string& username, OncePassword& password,
                        std::chrono::seconds timeout) {
  if (known && target.address == target.node) target.address = known->address;
  auto address = parseNodeAddress(target.address);
  auto result =
      address ? authenticate(target, *address,
                             known ? std::optional<std::string>(known->fingerprint) : std::nullopt,
                             username, password)
              : Result<HostAuthResult>(address.error());
  auto session = result ? NodeSession::connect(target.node, *address, result->token,
                                               result->fingerprint, timeout)
                        : Result<NodeSession>(result.error());
  auto revoked =
      session ? session->revokeHostAuthTokens() : Result<admin::RevokeTokenReply>(session.error());
  if (!revoked) {
    std::cerr << "Error: Unable to revoke the tokens on " << target.node << ": "
              << revoked.error().message << "\n";
    return false;
  }
  std::cout << target.node << ": " << revoked->revoked()
            << " token(s) from pcs host auth revoked\n";
  return true;
}

}  // namespace

int hostDeauthCommand(const std::string& state_dir, const std::vector<HostAuthTarget>& targets,
                      std::chrono::seconds timeout, const std::string& username,
                      const PasswordSource* password) {
  const std::string path = knownHostsPath(state_dir);
  auto hosts = loadKnownHosts(path);
  if (!hosts) return fail(hosts.error().message);
  std::vector<std::string> nodes;
  for (const HostAuthTarget& t : targets) nodes.push_back(t.node);
  int exit_code = 0;
  if (password != nullptr) {
    if (targets.empty()) return fail("host deauth with a password needs the host names");
    OncePassword once{*password, std::nullopt};
    for (const HostAuthTarget& target : targets) {
      if (!revokeWithPassword(target, findKnown(*hosts, target.node), username, once, timeout)) {
        exit_code = 1;
      }
    }
  } else {
    std::string not_found;
    for (const std::string& node : nodes) {
      if (!findKnown(*hosts, node)) not_found += (not_found.empty() ? "'" : ", '") + node + "'";
    }
    if (!not_found.empty()) return fail("Following hosts were not found: " + not_found);
    for (const KnownHost& host : *hosts) {
      if (nodes.empty() || std::find(nodes.begin(), nodes.end(), host.node) != nodes.end()) {
        revokeOwnToken(host, timeout);
      }
    }
  }
  if (nodes.empty()) {
    hosts->clear();
  } else {
    std::erase_if(*hosts, [&](const KnownHost& h) {
      return std::find(nodes.begin(), nodes.end(), h.node) != nodes.end();
    });
  }
  if (!crmd::fileExists(path)) return exit_code;
  if (Status s = saveKnownHosts(path, *hosts); !s) return fail(s.error().message);
  return exit_code;
}

}  // namespace pulse::pcs
