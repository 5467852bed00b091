// corosync.conf syntax: first a line-based reader builds a tree of sections and `key: value`
// entries (balanced braces, line numbers kept), then each known section is read into the typed
// ClusterConfig, then the whole config is validated.
#include "membership/cluster_config.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

namespace pulse::membership {
namespace {

constexpr int kMaxDepth = 4;  // Top level, nodelist, node: anything deeper is an error anyway.

struct Entry {
  std::string key;
  std::string value;
  int line = 0;
};

struct Section {
  std::string name;
  int line = 0;
  std::vector<Entry> entries;
  std::vector<Section> children;
};

Error lineError(int line, const std::string& message) {
  return Error{"line " + std::to_string(line) + ": " + message};
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool isName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// Printable ASCII only, so that a value always writes back as it was read.
bool isPrintable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

Result<Section> readTree(std::string_view text) {
  Section root;
  std::vector<Section*> open = {&root};
  int line_number = 0;
  while (!text.empty() || line_number == 0) {
    ++line_number;
    const std::size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (!isPrintable(line)) return lineError(line_number, "unexpected control or non-ASCII byte");
    if (line == "}") {
      if (open.size() == 1) return lineError(line_number, "'}' without a matching '{'");
      open.pop_back();
    } else if (line.back() == '{') {
      const std::string_view name = trim(line.substr(0, line.size() - 1));
      if (!isName(name)) return lineError(line_number, "expected a section name before '{'");
      if (static_cast<int>(open.size()) >= kMaxDepth) {
        return lineError(line_number, "section '" + std::string(name) + "' is nested too deep");
      }
      open.back()->children.push_back(Section{std::string(name), line_number, {}, {}});
      open.push_back(&open.back()->children.back());
    } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      const std::string_view key = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      if (!isName(key)) return lineError(line_number, "expected a key before ':'");
      if (open.size() == 1) {
        return lineError(line_number, std::string(key) + ": key outside of any section");
      }
      for (const Entry& e : open.back()->entries) {
        if (e.key == key) {
          return lineError(line_number, std::string(key) + ": set twice in " + open.back()->name +
                                            " (first on line " + std::to_string(e.line) + ")");
        }
      }
      open.back()->entries.push_back({std::string(key), std::string(value), line_number});
    } else {
      return lineError(line_number, "expected 'key: value', 'name {' or '}'");
    }
  }
  if (open.size() > 1) {
    return lineError(open.back()->line,
                     "section '" + open.back()->name + "' is never closed with '}'");
  }
  return root;
}

template <class T>
Result<T> parseNumber(const Entry& e, T min, T max) {
  T value{};
  const char* first = e.value.data();
  const char* last = first + e.value.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (e.value.empty() || ec != std::errc() || ptr != last || value < min || value > max) {
    return lineError(e.line, e.key + ": '" + e.value + "' is not a number from " +
                                 std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<bool> parseFlag(const Entry& e) {
  if (e.value == "0") return false;
  if (e.value == "1") return true;
  return lineError(e.line, e.key + ": '" + e.value + "' must be 0 or 1");
}

Result<std::chrono::milliseconds> parseMs(const Entry& e) {
  Result<std::uint32_t> n = parseNumber<std::uint32_t>(e, 1, 3600000);
  if (!n) return n.error();
  return std::chrono::milliseconds(*n);
}

Error unknownKey(const Entry& e, const std::string& section) {
  return lineError(e.line, e.key + ": unknown key in " + section);
}

Result<TieBreaker> parseTieBreaker(const Entry& e) {
  if (e.value == "lowest") return TieBreaker{};
  if (e.value == "highest") return TieBreaker{TieBreaker::Kind::kHighest, {}};
  TieBreaker atb{TieBreaker::Kind::kList, {}};
  std::istringstream words(e.value);
  std::string word;
  while (words >> word) {
    Result<NodeId> id = parseNumber<NodeId>(Entry{e.key, word, e.line}, 1, UINT32_MAX);
    if (!id) {
      return lineError(e.line,
                       e.key + ": expected lowest, highest or node ids, not '" + e.value + "'");
    }
    atb.list.push_back(*id);
  }
  if (atb.list.empty()) return lineError(e.line, e.key + ": expected lowest, highest or node ids");
  return atb;
}

#define PULSE_ASSIGN(target, expr)                      \
  do {                                                  \
    auto assign_result_ = (expr);                       \
    if (!assign_result_) return assign_result_.error(); \
    (target) = *assign_result_;                         \
  } while (false)

Status readTotem(const Section& s, ClusterConfig& c) {
  if (!s.children.empty()) {
    return lineError(s.children[0].line, "section '" + s.children[0].name +
                                             "' is not supported in totem (Pulse uses one link)");
  }
  bool have_version = false;
  for (const Entry& e : s.entries) {
    if (e.key == "version") {
      if (e.value != "2") return lineError(e.line, "version: must be 2");
      have_version = true;
    } else if (e.key == "cluster_name") {
      if (e.value.empty()) return lineError(e.line, "cluster_name: is empty");
      c.cluster_name = e.value;
    } else if (e.key == "config_version") {
      PULSE_ASSIGN(c.config_version, parseNumber<std::uint64_t>(e, 0, UINT64_MAX));
    } else if (e.key == "transport") {
      if (e.value != "udp" && e.value != "udpu" && e.value != "knet") {
        return lineError(e.line, "transport: '" + e.value + "' must be udp, udpu or knet");
      }
      c.transport = e.value;
    } else if (e.key == "token") {
      PULSE_ASSIGN(c.token, parseMs(e));
    } else if (e.key == "consensus") {
      PULSE_ASSIGN(c.consensus, parseMs(e));
    } else if (e.key == "join") {
      PULSE_ASSIGN(c.join, parseMs(e));
    } else if (e.key == "crypto_cipher" || e.key == "crypto_hash" || e.key == "ip_version") {
      if (e.value.empty() || e.value.find(' ') != std::string::npos) {
        return lineError(e.line, e.key + ": expected one word");
      }
      (e.key == "crypto_cipher" ? c.crypto_cipher
       : e.key == "crypto_hash" ? c.crypto_hash
                                : c.ip_version) = e.value;
    } else {
      return unknownKey(e, "totem");
    }
  }
  if (!have_version) return lineError(s.line, "totem: version: 2 is missing");
  if (c.ip_version && *c.ip_version != "ipv4" && *c.ip_version != "ipv6" &&
      *c.ip_version != "ipv4-6" && *c.ip_version != "ipv6-4") {
    return lineError(s.line, "ip_version: must be ipv4, ipv6, ipv4-6 or ipv6-4");
  }
  return {};
}

Status readNode(const Section& s, ClusterConfig& c) {
  if (s.name != "node") return lineError(s.line, "section '" + s.name + "' in nodelist");
  if (!s.children.empty()) {
    return lineError(s.children[0].line, "section '" + s.children[0].name + "' in node");
  }
  ClusterNode node;
  bool have_id = false;
  for (const Entry& e : s.entries) {
    if (e.key == "nodeid") {
      PULSE_ASSIGN(node.id, parseNumber<NodeId>(e, 1, UINT32_MAX));
      have_id = true;
    } else if (e.key == "name") {
      if (e.value.empty() || e.value.find(' ') != std::string::npos) {
        return lineError(e.line, "name: expected one word");
      }
      node.name = e.value;
    } else if (e.key == "ring0_addr") {
      if (e.value.empty() || e.value.find(' ') != std::string::npos) {
        return lineError(e.line, "ring0_addr: expected one address or host name");
      }
      node.address = e.value;
    } else if (e.key == "quorum_votes") {
      PULSE_ASSIGN(node.votes, parseNumber<std::uint32_t>(e, 1, 1000));
    } else {
      return unknownKey(e, "node");
    }
  }
  if (!have_id) return lineError(s.line, "node: nodeid is missing");
  if (node.address.empty()) {
    return lineError(s.line, "node " + std::to_string(node.id) + ": ring0_addr is missing");
  }
  for (const ClusterNode& other : c.nodes) {
    auto dup = [&](const char* what, const std::string& value) {
      return lineError(s.line, "node " + std::to_string(node.id) + ": duplicate " + what + " " +
                                   value + " (also node " + std::to_string(other.id) + ")");
    };
    if (other.id == node.id) return dup("nodeid", std::to_string(node.id));
    if (!node.name.empty() && other.name == node.name) return dup("name", node.name);
    if (other.address == node.address) return dup("ring0_addr", node.address);
  }
  c.nodes.push_back(std::move(node));
  return {};
}

Status readQuorum(const Section& s, ClusterConfig& c, ConfigChecks checks) {
  if (!s.children.empty()) {
    return lineError(s.children[0].line, "section '" + s.children[0].name + "' in quorum");
  }
  QuorumOptions& q = c.quorum;
  bool have_provider = false;
  int two_node_line = 0;
  for (const Entry& e : s.entries) {
    if (e.key == "provider") {
      if (e.value != "corosync_votequorum") {
        return lineError(e.line, "provider: must be corosync_votequorum");
      }
      have_provider = true;
    } else if (e.key == "expected_votes") {
      PULSE_ASSIGN(q.expected_votes, parseNumber<std::uint32_t>(e, 1, 1000000));
    } else if (e.key == "two_node") {
      PULSE_ASSIGN(q.two_node, parseFlag(e));
      two_node_line = e.line;
    } else if (e.key == "wait_for_all") {
      PULSE_ASSIGN(q.wait_for_all, parseFlag(e));
    } else if (e.key == "last_man_standing") {
      PULSE_ASSIGN(q.last_man_standing, parseFlag(e));
    } else if (e.key == "last_man_standing_window") {
      PULSE_ASSIGN(q.last_man_standing_window, parseMs(e));
    } else if (e.key == "auto_tie_breaker") {
      PULSE_ASSIGN(q.auto_tie_breaker, parseFlag(e));
    } else if (e.key == "auto_tie_breaker_node") {
      PULSE_ASSIGN(q.auto_tie_breaker_node, parseTieBreaker(e));
    } else {
      return unknownKey(e, "quorum");
    }
  }
  if (!have_provider) return lineError(s.line, "quorum: provider: corosync_votequorum is missing");
  if (checks == ConfigChecks::kSyntaxOnly) return {};
  if (q.two_node && c.nodes.size() != 2) {
    return lineError(two_node_line, "two_node: 1 needs exactly 2 nodes in the nodelist, not " +
                                        std::to_string(c.nodes.size()));
  }
  Result<QuorumConfig> effective = effectiveQuorumConfig(c.quorumConfig());
  if (!effective) return lineError(s.line, effective.error().message);
  return {};
}

#undef PULSE_ASSIGN

bool isLoggingKey(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "to_logfile",      "to_stderr",       "to_syslog",       "logfile",
      "timestamp",       "debug",           "fileline",        "function_name",
      "syslog_facility", "syslog_priority", "logfile_priority"};
  return kKeys.count(key) > 0;
}

}  // namespace

QuorumConfig ClusterConfig::quorumConfig() const {
  QuorumConfig q;
  for (const ClusterNode& n : nodes) q.nodes.push_back({n.id, n.votes});
  q.expected_votes = quorum.expected_votes;
  q.two_node = quorum.two_node;
  q.wait_for_all = quorum.wait_for_all;
  q.last_man_standing = quorum.last_man_standing;
  if (quorum.last_man_standing_window) {
    q.last_man_standing_window = *quorum.last_man_standing_window;
  }
  q.auto_tie_breaker = quorum.auto_tie_breaker;
  if (quorum.auto_tie_breaker_node) q.auto_tie_breaker_node = *quorum.auto_tie_breaker_node;
  return q;
}

const ClusterNode* ClusterConfig::findNode(NodeId id) const {
  for (const ClusterNode& n : nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

const ClusterNode* ClusterConfig::findNodeByName(std::string_view name) const {
  for (const ClusterNode& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

Result<ClusterConfig> parseClusterConfig(std::string_view text, ConfigChecks checks) {
  Result<Section> tree = readTree(text);
  if (!tree) return tree.error();
  ClusterConfig c;
  const Section* totem = nullptr;
  const Section* nodelist = nullptr;
  const Section* quorum = nullptr;
  const Section* logging = nullptr;
  for (const Section& s : tree->children) {
    const Section** slot = s.name == "totem"      ? &totem
                           : s.name == "nodelist" ? &nodelist
                           : s.name == "quorum"   ? &quorum
                           : s.name == "logging"  ? &logging
                                                  : nullptr;
    if (!slot) return lineError(s.line, "unknown section '" + s.name + "'");
    if (*slot) {
      return lineError(s.line, "section '" + s.name + "' appears twice (first on line " +
                                   std::to_string((*slot)->line) + ")");
    }
    *slot = &s;
  }
  if (!totem) return lineError(1, "the totem section is missing");
  if (Status st = readTotem(*totem, c); !st) return st.error();
  if (c.cluster_name.empty()) return lineError(totem->line, "totem: cluster_name is missing");
  if (checks == ConfigChecks::kFull && c.effectiveConsensus() < c.token) {
    return lineError(totem->line, "consensus: must be at least token (" +
                                      std::to_string(c.token.count()) + " ms)");
  }
  if (!nodelist) return lineError(1, "the nodelist section is missing");
  if (!nodelist->entries.empty()) return unknownKey(nodelist->entries[0], "nodelist");
  for (const Section& node : nodelist->children) {
    if (Status st = readNode(node, c); !st) return st.error();
  }
  if (c.nodes.empty()) return lineError(nodelist->line, "nodelist: no node sections");
  if (!quorum) return lineError(1, "the quorum section is missing");
  if (Status st = readQuorum(*quorum, c, checks); !st) return st.error();
  if (logging) {
    if (!logging->children.empty()) {
      return lineError(logging->children[0].line,
                       "section '" + logging->children[0].name + "' in logging");
    }
    for (const Entry& e : logging->entries) {
      if (!isLoggingKey(e.key)) return unknownKey(e, "logging");
      if (e.value.empty()) return lineError(e.line, e.key + ": has no value");
      c.logging.emplace_back(e.key, e.value);
    }
  }
  return c;
}

std::string writeClusterConfig(const ClusterConfig& c) {
  std::ostringstream out;
  const auto put = [&out](int depth, const std::string& key, const std::string& value) {
    out << std::string(static_cast<std::size_t>(depth) * 4, ' ') << key << ": " << value << '\n';
  };
  const auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()); };
  out << "totem {\n";
  put(1, "version", "2");
  put(1, "cluster_name", c.cluster_name);
  if (c.config_version) put(1, "config_version", std::to_string(*c.config_version));
  put(1, "transport", c.transport);
  put(1, "token", ms(c.token));
  if (c.consensus) put(1, "consensus", ms(*c.consensus));
  if (c.join) put(1, "join", ms(*c.join));
  if (c.crypto_cipher) put(1, "crypto_cipher", *c.crypto_cipher);
  if (c.crypto_hash) put(1, "crypto_hash", *c.crypto_hash);
  if (c.ip_version) put(1, "ip_version", *c.ip_version);
  out << "}\n\nnodelist {\n";
  for (const ClusterNode& n : c.nodes) {
    out << "    node {\n";
    put(2, "ring0_addr", n.address);
    if (!n.name.empty()) put(2, "name", n.name);
    put(2, "nodeid", std::to_string(n.id));
    if (n.votes != 1) put(2, "quorum_votes", std::to_string(n.votes));
    out << "    }\n";
  }
  out << "}\n\nquorum {\n";
  const QuorumOptions& q = c.quorum;
  put(1, "provider", "corosync_votequorum");
  if (q.expected_votes) put(1, "expected_votes", std::to_string(*q.expected_votes));
  if (q.two_node) put(1, "two_node", "1");
  if (q.wait_for_all) put(1, "wait_for_all", *q.wait_for_all ? "1" : "0");
  if (q.last_man_standing) put(1, "last_man_standing", "1");
  if (q.last_man_standing_window) {
    put(1, "last_man_standing_window", ms(*q.last_man_standing_window));
  }
  if (q.auto_tie_breaker) put(1, "auto_tie_breaker", "1");
  if (q.auto_tie_breaker_node) {
    const TieBreaker& atb = *q.auto_tie_breaker_node;
    std::string value = atb.kind == TieBreaker::Kind::kLowest    ? "lowest"
                        : atb.kind == TieBreaker::Kind::kHighest ? "highest"
                                                                 : "";
    for (NodeId id : atb.list) value += (value.empty() ? "" : " ") + std::to_string(id);
    put(1, "auto_tie_breaker_node", value);
  }
  out << "}\n";
  if (!c.logging.empty()) {
    out << "\nlogging {\n";
    for (const auto& [key, value] : c.logging) put(1, key, value);
    out << "}\n";
  }
  return out.str();
}

}  // namespace pulse::membership
