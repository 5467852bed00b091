// NodeDaemon's cluster files (node_daemon.h, node_cluster_files.h): reading the installed
// cluster, finding this node in a config, and the lifecycle calls that change the files:
// setup (validate everything, then write, the config last), enable/disable at boot, destroy.
// Invariants: setup writes nothing unless every file it was given is valid; destroy removes
// the config first, so a node is in no cluster from then on whatever else fails.
#include "crmd/daemon/node_cluster_files.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/secure_file.h"
#include "crmd/daemon/node_daemon.h"
#include "crmd/replication/peer_auth.h"
#include "membership/packet_auth.h"

namespace pulse::crmd {

using membership::ClusterConfig;
using membership::NodeId;

Result<std::optional<InstalledCluster>> loadInstalled(const ClusterPaths& paths,
                                                      const std::string& node_name) {
  if (!fileExists(paths.config)) return std::optional<InstalledCluster>{};
  auto text = readFile(paths.config);
  if (!text) return text.error();
  auto config = membership::parseClusterConfig(*text);
  if (!config) return Error{paths.config + ": " + config.error().message};
  auto local = findLocalNode(*config, node_name);
  if (!local) return Error{paths.config + ": " + local.error().message};
  if (auto key = membership::readClusterKeyFile(paths.key); !key) {
    return Error{"cluster key: " + key.error().message};
  }
  return std::optional<InstalledCluster>(
      InstalledCluster{std::move(*config), std::move(*text), *local});
}

namespace {

std::vector<std::string> localAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = "";
    if (ifa->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ifa->ifa_addr)->sin_addr, text,
                sizeof text);
    } else if (ifa->ifa_addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ifa->ifa_addr)->sin6_addr, text,
                sizeof text);
    }
    if (text[0] != '\0') out.emplace_back(text);
  }
  freeifaddrs(list);
  return out;
}

// Runs a program without a shell; its exit status, or -1 when it could not be run.
int runProgram(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Result<NodeId> findLocalNode(const ClusterConfig& config, const std::string& node_name) {
  if (const membership::ClusterNode* node = config.findNodeByName(node_name)) return node->id;
  const std::vector<std::string> addresses = localAddresses();
  for (const membership::ClusterNode& node : config.nodes) {
    if (std::find(addresses.begin(), addresses.end(), node.address) != addresses.end()) {
      return node.id;
    }
  }
  return Error{"this node ('" + node_name +
               "') is not in the node list: no node has that name or a ring0_addr of this host"};
}

bool NodeDaemon::configured() const { return fileExists(ClusterPaths(options_.state_dir).config); }

bool NodeDaemon::enabled() const { return fileExists(ClusterPaths(options_.state_dir).enabled); }

Status NodeDaemon::setup(const ClusterFiles& files, bool force) {
  const ClusterPaths paths(options_.state_dir);
  // Everything is checked before anything is written.
  auto config = membership::parseClusterConfig(files.config_text);
  if (!config) return Error{"the cluster config: " + config.error().message};
  auto local = findLocalNode(*config, options_.node_name);
  if (!local) return local.error();
  if (files.key.size() < membership::kMinClusterKeySize ||
      files.key.size() > membership::kMaxClusterKeySize) {
    return Error{"the cluster key must be " + std::to_string(membership::kMinClusterKeySize) +
                 " to " + std::to_string(membership::kMaxClusterKeySize) + " bytes"};
  }
  auto incoming_hosts = parseKnownHosts(files.known_hosts, "the cluster hosts");
  if (!incoming_hosts) return incoming_hosts.error();
  const std::string& local_name = config->findNode(*local)->name;
  if (Status s = checkPeerCredentials(local_name, files.peer_secret, files.peer_hashes); !s) {
    return s;
  }

  std::lock_guard lock(lifecycle_mutex_);
  if (fileExists(paths.config) && !force) {
    std::string name = "?";
    if (auto text = readFile(paths.config)) {
      if (auto old = membership::parseClusterConfig(*text)) name = old->cluster_name;
    }
    return Error{"The host seems to be in a cluster already (cluster '" + name +
                 "'), use --force to override"};
  }
  if (stopLocked()) logEvent("membership stopped to install a new cluster config");
  if (Status s = membership::writeClusterKeyFile(paths.key, files.key); !s) return s;
  if (Status s = saveKnownHosts(paths.cluster_hosts, *incoming_hosts); !s) return s;
  if (Status s = writePeerCredentials(options_.state_dir, local_name, files.peer_secret,
                                      files.peer_hashes);
      !s) {
    return s;
  }
  if (Status s = writeFileAtomic(paths.config, files.config_text, 0644); !s) return s;
  logEvent("cluster '" + config->cluster_name + "' set up with " +
           std::to_string(config->nodes.size()) + " nodes");
  journal_->record("node", "cluster '" + config->cluster_name + "' set up with " +
                               std::to_string(config->nodes.size()) + " nodes");
  return {};
}

Result<std::string> NodeDaemon::setEnabled(bool enable) {
  std::lock_guard lock(lifecycle_mutex_);
  const ClusterPaths paths(options_.state_dir);
  if (enable) {
    if (!fileExists(paths.config)) {
      return Error{"this node is not in a cluster; run pcs cluster setup first"};
    }
    if (Status s = writeFileAtomic(paths.enabled, "", 0644); !s) return s.error();
  } else if (fileExists(paths.enabled) && ::unlink(paths.enabled.c_str()) != 0) {
    return Error{"cannot remove " + paths.enabled + ": " + std::strerror(errno)};
  }
  logEvent(std::string("cluster ") + (enable ? "enabled" : "disabled") + " at crmd start");
  // crmd itself starts at boot through its systemd unit; without systemd nothing does.
  if (!fileExists("/run/systemd/system")) {
    return enable ? std::string(
                        "systemd is not running on this node, so nothing starts crmd at boot; "
                        "the cluster will start whenever crmd starts")
                  : std::string();
  }
  if (runProgram({"systemctl", enable ? "enable" : "disable", "--quiet", "pulse-crmd.service"}) !=
      0) {
    return std::string("systemctl could not ") + (enable ? "enable" : "disable") +
           " pulse-crmd.service (is the unit installed?)";
  }
  return std::string();
}

Result<std::vector<std::string>> NodeDaemon::destroy() {
  leaveGracefully();
  std::lock_guard lock(lifecycle_mutex_);
  stopLocked();
  const ClusterPaths paths(options_.state_dir);
  std::vector<std::string> removed;
  const auto name = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  // The config first: from then on the node is in no cluster, whatever else fails.
  for (const std::string* path :
       {&paths.config, &paths.enabled, &paths.key, &paths.legacy_cert_key, &paths.legacy_cert,
        &paths.cluster_hosts, &paths.peer_secret, &paths.peer_hashes, &paths.cib}) {
    if (!fileExists(*path)) continue;
    if (::unlink(path->c_str()) != 0) {
      return Error{"cannot remove " + *path + ": " + std::strerror(errno)};
    }
    removed.push_back(name(*path));
  }
  std::error_code ec;
  // CIB copies the store set aside as corrupt (cib_store.h) are the cluster's too. Listed
  // first, removed after: a directory is not changed while it is being read.
  std::vector<std::filesystem::path> corrupt;
  for (const auto& entry : std::filesystem::directory_iterator(options_.state_dir, ec)) {
    if (entry.path().filename().string().starts_with("cib.xml.corrupt-")) {
      corrupt.push_back(entry.path());
    }
  }
  std::sort(corrupt.begin(), corrupt.end());
  for (const std::filesystem::path& path : corrupt) {
    if (!std::filesystem::remove(path, ec)) {
      return Error{"cannot remove " + path.string() + ": " + ec.message()};
    }
    removed.push_back(path.filename().string());
  }
  if (std::filesystem::exists(paths.pengine, ec)) {
    const auto count = std::filesystem::remove_all(paths.pengine, ec);
    if (ec) return Error{"cannot remove " + paths.pengine + ": " + ec.message()};
    removed.push_back("pengine/ (" + std::to_string(count - 1) + " saved engine inputs)");
  }
  std::string list;
  for (const std::string& r : removed) list += (list.empty() ? "" : ", ") + r;
  logEvent("cluster destroyed: removed " + (list.empty() ? std::string("nothing") : list));
  journal_->record("node", "cluster destroyed on this node");
  return removed;
}

}  // namespace pulse::crmd
