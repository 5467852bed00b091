#include "pcs-cli/cluster_config_view.h"

#include <arpa/inet.h>

#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace pulse::pcs {
namespace {

using Options = std::vector<std::pair<std::string, std::string>>;  // in pcs's display order

struct Sections {
  Options transport, crypto, totem, quorum;
};

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()); }

// The options as the file states them, in the order corosync.conf lists them (pcs's json keeps
// the file's order; text and cmd sort by name).
Sections sections(const membership::ClusterConfig& c, bool token_set) {
  Sections s;
  if (c.ip_version) s.transport.emplace_back("ip_version", *c.ip_version);
  if (c.crypto_cipher) s.crypto.emplace_back("cipher", *c.crypto_cipher);
  if (c.crypto_hash) s.crypto.emplace_back("hash", *c.crypto_hash);
  if (token_set) s.totem.emplace_back("token", ms(c.token));
  if (c.consensus) s.totem.emplace_back("consensus", ms(*c.consensus));
  if (c.join) s.totem.emplace_back("join", ms(*c.join));
  const membership::QuorumOptions& q = c.quorum;
  if (q.wait_for_all) s.quorum.emplace_back("wait_for_all", *q.wait_for_all ? "1" : "0");
  if (q.last_man_standing) s.quorum.emplace_back("last_man_standing", "1");
  if (q.last_man_standing_window) {
    s.quorum.emplace_back("last_man_standing_window", ms(*q.last_man_standing_window));
  }
  if (q.auto_tie_breaker) s.quorum.emplace_back("auto_tie_breaker", "1");
  return s;
}

Options sorted(Options options) {
  std::sort(options.begin(), options.end());
  return options;
}

std::string upper(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

std::string addressType(const std::string& address) {
  unsigned char buffer[16];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) return "IPv4";
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) return "IPv6";
  return "FQDN";
}

}  // namespace

Status checkNodeNames(const membership::ClusterConfig& config) {
  for (const membership::ClusterNode& node : config.nodes) {
    if (node.name.empty()) {
      return Error{
          "Some nodes are missing names in corosync.conf, unable to continue. Edit "
          "corosync.conf and make sure all nodes have their name set."};
    }
  }
  return {};
}

std::string clusterConfigText(const membership::ClusterConfig& c, bool token_set) {
  std::string out = "Cluster Name: " + c.cluster_name + "\nTransport: " + c.transport + "\n";
  if (!c.nodes.empty()) out += "Nodes:\n";
  for (const membership::ClusterNode& node : c.nodes) {
    out += "  " + node.name + ":\n    Link 0 address: " + node.address +
           "\n    nodeid: " + std::to_string(node.id) + "\n";
  }
  const Sections s = sections(c, token_set);
  const auto section = [&out](const char* title, const Options& options) {
    if (options.empty()) return;
    out += std::string(title) + ":\n";
    for (const auto& [key, value] : sorted(options)) out += "  " + key + ": " + value + "\n";
  };
  section("Transport Options", s.transport);
  section("Crypto Options", s.crypto);
  section("Totem Options", s.totem);
  section("Quorum Options", s.quorum);
  return out;
}

std::string clusterConfigCmd(const membership::ClusterConfig& c, bool token_set) {
  std::string out = "pcs cluster setup " + c.cluster_name;
  for (const membership::ClusterNode& node : c.nodes) {
    out += " \\\n  " + node.name + " addr=" + node.address;
  }
  const Sections s = sections(c, token_set);
  // pcs's own indentation: transport options one level deeper than the transport's name, and
  // crypto (a part of the transport) between the two.
  out += " \\\n  transport \\\n  " + c.transport;
  for (const auto& [key, value] : sorted(s.transport)) out += " \\\n      " + key + "=" + value;
  if (!s.crypto.empty()) {
    out += " \\\n    crypto";
    for (const auto& [key, value] : sorted(s.crypto)) out += " \\\n      " + key + "=" + value;
  }
  const auto block = [&out](const char* name, const Options& options) {
    if (options.empty()) return;
    out += std::string(" \\\n  ") + name;
    for (const auto& [key, value] : sorted(options)) out += " \\\n    " + key + "=" + value;
  };
  block("totem", s.totem);
  block("quorum", s.quorum);
  out += " \\\n  --no-cluster-uuid\n";
  return out;
}

std::string clusterConfigJson(const membership::ClusterConfig& c, bool token_set) {
  using Json = nlohmann::ordered_json;
  const Sections s = sections(c, token_set);
  const auto object = [](const Options& options) {
    Json o = Json::object();
    for (const auto& [key, value] : options) o[key] = value;
    return o;
  };
  Json nodes = Json::array();
  for (const membership::ClusterNode& node : c.nodes) {
    nodes.push_back({{"name", node.name},
                     {"nodeid", std::to_string(node.id)},
                     {"addrs", Json::array({{{"addr", node.address},
                                             {"link", "0"},
                                             {"type", addressType(node.address)}}})}});
  }
  Json doc = {{"cluster_name", c.cluster_name},
              {"cluster_uuid", nullptr},
              {"transport", upper(c.transport)},
              {"totem_options", object(s.totem)},
              {"transport_options", object(s.transport)},
              {"compression_options", Json::object()},
              {"crypto_options", object(s.crypto)},
              {"nodes", nodes},
              {"links_options", Json::object()},
              {"quorum_options", object(s.quorum)},
              {"quorum_device", nullptr}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace pulse::pcs
