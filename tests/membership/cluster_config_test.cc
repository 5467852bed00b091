// The cluster config file: corosync.conf syntax in, typed config out, written back unchanged;
// every bad input is an error naming the line and key, and garbage never crashes the parser.
#include "membership/cluster_config.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace pulse::membership {
namespace {

using std::chrono::milliseconds;

// What `pcs cluster setup web node1 addr=192.0.2.11 node2 addr=192.0.2.12 node3 ...` writes.
const char* const kThreeNodes = R"(# Written by pcs cluster setup.
totem {
    version: 2
    cluster_name: web
    transport: knet
    token: 3000
    crypto_cipher: aes256
    crypto_hash: sha256
}

nodelist {
    node {
        ring0_addr: 192.0.2.11
        name: node1
        nodeid: 1
    }

    node {
	ring0_addr: 192.0.2.12
	name: node2
	nodeid: 2
    }
    node {
        ring0_addr: 192.0.2.13
        name: node3
        nodeid: 3
        quorum_votes: 2
    }
}

quorum {
    provider: corosync_votequorum
    wait_for_all: 1
    auto_tie_breaker: 1
    auto_tie_breaker_node: 3 1
}

logging {
    to_logfile: yes
    logfile: /var/log/pulse/pulse.log
    to_syslog: yes
    timestamp: on
}
)";

const char* const kTwoNodes = R"(totem {
    version: 2
    cluster_name: pair
}
nodelist {
    node {
        ring0_addr: 192.0.2.21
        name: a
        nodeid: 1
    }
    node {
        ring0_addr: 192.0.2.22
        name: b
        nodeid: 2
    }
}
quorum {
    provider: corosync_votequorum
    two_node: 1
}
)";

TEST(ClusterConfigTest, ParsesWhatPcsWrites) {
  Result<ClusterConfig> c = parseClusterConfig(kThreeNodes);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->cluster_name, "web");
  EXPECT_EQ(c->transport, "knet");
  EXPECT_EQ(c->token, milliseconds(3000));
  EXPECT_EQ(c->consensus, std::nullopt);
  EXPECT_EQ(c->effectiveConsensus(), milliseconds(3600));
  EXPECT_EQ(c->crypto_cipher, std::optional<std::string>("aes256"));
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[1], (ClusterNode{2, "node2", "192.0.2.12", 1}));
  EXPECT_EQ(c->nodes[2].votes, 2u);
  EXPECT_EQ(c->findNodeByName("node3")->id, 3u);
  EXPECT_EQ(c->findNode(4), nullptr);
  EXPECT_EQ(c->quorum.wait_for_all, std::optional<bool>(true));
  EXPECT_TRUE(c->quorum.auto_tie_breaker);
  EXPECT_EQ(c->quorum.auto_tie_breaker_node,
            std::optional<TieBreaker>(TieBreaker{TieBreaker::Kind::kList, {3, 1}}));
  ASSERT_EQ(c->logging.size(), 4u);
  EXPECT_EQ(c->logging[1].second, "/var/log/pulse/pulse.log");

  const QuorumConfig q = c->quorumConfig();
  EXPECT_EQ(q.nodes[2].votes, 2u);
  Result<Votequorum> vq = Votequorum::create(q);
  ASSERT_TRUE(vq.ok()) << vq.error().message;
  EXPECT_EQ(vq->status().expected_votes, 4u);
}

TEST(ClusterConfigTest, PulseDefaults) {
  Result<ClusterConfig> c = parseClusterConfig(kTwoNodes);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->token, milliseconds(1000));
  EXPECT_EQ(c->effectiveConsensus(), milliseconds(1200));
  EXPECT_EQ(c->transport, "udp");
  EXPECT_TRUE(c->quorum.two_node);
  EXPECT_EQ(c->quorum.wait_for_all, std::nullopt);
  Result<Votequorum> vq = Votequorum::create(c->quorumConfig());
  ASSERT_TRUE(vq.ok());
  EXPECT_EQ(vq->status().flagsText(), "2Node WaitForAll");
}

TEST(ClusterConfigTest, RoundTrip) {
  for (const char* text : {kThreeNodes, kTwoNodes}) {
    Result<ClusterConfig> c = parseClusterConfig(text);
    ASSERT_TRUE(c.ok()) << c.error().message;
    const std::string written = writeClusterConfig(*c);
    Result<ClusterConfig> again = parseClusterConfig(written);
    ASSERT_TRUE(again.ok()) << again.error().message << "\n" << written;
    EXPECT_EQ(*again, *c);
    EXPECT_EQ(writeClusterConfig(*again), written);
  }
}

TEST(ClusterConfigTest, WritesCorosyncLayout) {
  ClusterConfig c;
  c.cluster_name = "db";
  c.nodes = {{1, "n1", "192.0.2.1", 1}, {2, "n2", "192.0.2.2", 1}};
  c.quorum.two_node = true;
  c.consensus = milliseconds(1500);
  EXPECT_EQ(writeClusterConfig(c), R"(totem {
    version: 2
    cluster_name: db
    transport: udp
    token: 1000
    consensus: 1500
}

nodelist {
    node {
        ring0_addr: 192.0.2.1
        name: n1
        nodeid: 1
    }
    node {
        ring0_addr: 192.0.2.2
        name: n2
        nodeid: 2
    }
}

quorum {
    provider: corosync_votequorum
    two_node: 1
}
)");
  Result<ClusterConfig> back = parseClusterConfig(writeClusterConfig(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, c);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ClusterConfigTest, ErrorsNameTheLineAndKey) {
  const std::string base = kTwoNodes;
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {replace(base, "    two_node: 1\n", "    two_node: 1\n    tow_node: 1\n"),
       "line 20: tow_node: unknown key in quorum"},
      {replace(base, "name: b\n        nodeid: 2", "name: b\n        nodeid: 1"),
       "line 11: node 1: duplicate nodeid 1 (also node 1)"},
      {replace(base, "name: b", "name: a"), "line 11: node 2: duplicate name a (also node 1)"},
      {replace(base, "192.0.2.22", "192.0.2.21"),
       "line 11: node 2: duplicate ring0_addr 192.0.2.21 (also node 1)"},
      {replace(base, "        nodeid: 2\n", ""), "line 11: node: nodeid is missing"},
      {replace(base, "        ring0_addr: 192.0.2.22\n", ""),
       "line 11: node 2: ring0_addr is missing"},
      {replace(base, "nodeid: 2", "nodeid: two"),
       "line 14: nodeid: 'two' is not a number from 1 to 4294967295"},
      {replace(base, "nodeid: 2", "nodeid: 0"), "line 14: nodeid: '0' is not a number"},
      {replace(base, "nodeid: 2", "nodeid: 99999999999"), "line 14: nodeid: '99999999999'"},
      {replace(base, "cluster_name: pair\n", "cluster_name: pair\n    token: 1s\n"),
       "line 4: token: '1s' is not a number"},
      {replace(base, "two_node: 1", "two_node: yes"), "line 19: two_node: 'yes' must be 0 or 1"},
      {replace(base, "    }\n}\nquorum", "    }\nquorum"),
       "line 5: section 'nodelist' is never closed with '}'"},
      {base + "}\n", "line 21: '}' without a matching '{'"},
      {replace(base, "name: b\n        nodeid: 2\n    }\n",
               "name: b\n        nodeid: 2\n    }\n    node {\n        ring0_addr: 192.0.2.23\n"
               "        nodeid: 3\n    }\n"),
       "two_node: 1 needs exactly 2 nodes in the nodelist, not 3"},
      {replace(base, "cluster_name: pair\n", "cluster_name: pair\n    consensus: 500\n"),
       "line 1: consensus: must be at least token (1000 ms)"},
      {replace(base, "    cluster_name: pair\n", ""), "line 1: totem: cluster_name is missing"},
      {replace(base, "version: 2", "version: 3"), "line 2: version: must be 2"},
      {replace(base, "two_node: 1", "two_node: 1\n    two_node: 0"),
       "line 20: two_node: set twice in quorum (first on line 19)"},
      {base + "system {\n}\n", "line 21: unknown section 'system'"},
      {base + "quorum {\n}\n", "line 21: section 'quorum' appears twice (first on line 17)"},
      {replace(base, "    provider: corosync_votequorum\n", ""),
       "line 17: quorum: provider: corosync_votequorum is missing"},
      {replace(base, "corosync_votequorum", "corosync_qdevice"),
       "line 18: provider: must be corosync_votequorum"},
      {replace(base, "two_node: 1", "expected_votes: 1"),
       "line 17: quorum: expected_votes 1 is below the 2 votes of the nodelist"},
      {replace(base, "two_node: 1", "auto_tie_breaker: 1\n    auto_tie_breaker_node: 1 x"),
       "line 20: auto_tie_breaker_node: expected lowest, highest or node ids, not '1 x'"},
      {replace(base, "two_node: 1", "auto_tie_breaker: 1\n    auto_tie_breaker_node: 7"),
       "auto_tie_breaker_node names node 7, which is not in the nodelist"},
      {replace(base, "        nodeid: 1\n",
               "        nodeid: 1\n        ring1_addr: 198.51.100.1\n"),
       "line 10: ring1_addr: unknown key in node"},
      {replace(base, "    cluster_name: pair\n",
               "    cluster_name: pair\n    interface {\n    }\n"),
       "line 4: section 'interface' is not supported in totem"},
      {replace(base, "totem {", "totem"), "line 1: expected 'key: value', 'name {' or '}'"},
      {"", "line 1: the totem section is missing"},
      {"totem {\n    version: 2\n    cluster_name: x\n}\n", "the nodelist section is missing"},
      {"a {\nb {\nc {\nd {\n}\n}\n}\n}\n", "line 4: section 'd' is nested too deep"},
      {"cluster_name: x\n", "line 1: cluster_name: key outside of any section"},
      {replace(base, "name: a", "name: a\xff"), "line 8: unexpected control or non-ASCII byte"},
  };
  for (const Case& c : cases) {
    Result<ClusterConfig> r = parseClusterConfig(c.text);
    ASSERT_FALSE(r.ok()) << "accepted:\n" << c.text;
    EXPECT_NE(r.error().message.find(c.error), std::string::npos)
        << "got: " << r.error().message << "\nwant: " << c.error;
  }
}

// A viewer reads files Pulse would refuse to run (they may come from another cluster); syntax
// errors are still errors.
TEST(ClusterConfigTest, SyntaxOnlyReadsFilesPulseRefusesToRun) {
  const std::string base = kTwoNodes;
  for (const std::string& text :
       {replace(base, "cluster_name: pair\n", "cluster_name: pair\n    consensus: 500\n"),
        replace(base, "two_node: 1", "expected_votes: 1"),
        replace(base, "two_node: 1", "auto_tie_breaker: 1\n    auto_tie_breaker_node: 7")}) {
    EXPECT_FALSE(parseClusterConfig(text).ok()) << text;
    Result<ClusterConfig> shown = parseClusterConfig(text, ConfigChecks::kSyntaxOnly);
    ASSERT_TRUE(shown.ok()) << shown.error().message;
    EXPECT_EQ(shown->cluster_name, "pair");
  }
  Result<ClusterConfig> consensus = parseClusterConfig(
      replace(base, "cluster_name: pair\n", "cluster_name: pair\n    consensus: 500\n"),
      ConfigChecks::kSyntaxOnly);
  ASSERT_TRUE(consensus.ok());
  EXPECT_EQ(consensus->consensus, milliseconds(500));
  EXPECT_FALSE(
      parseClusterConfig(replace(base, "two_node: 1", "tow_node: 1"), ConfigChecks::kSyntaxOnly)
          .ok());
}

// Whatever the bytes, parsing returns (ok or an error naming a line) and what it accepts
// round-trips.
void checkNoCrash(const std::string& text) {
  Result<ClusterConfig> r = parseClusterConfig(text);
  if (!r.ok()) {
    EXPECT_EQ(r.error().message.rfind("line ", 0), 0u) << r.error().message;
    return;
  }
  Result<ClusterConfig> again = parseClusterConfig(writeClusterConfig(*r));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *r);
}

TEST(ClusterConfigTest, RandomBytesNeverCrash) {
  std::mt19937 rng(4242);
  for (int i = 0; i < 3000; ++i) {
    std::string text(rng() % 300, '\0');
    for (char& ch : text) ch = static_cast<char>(rng() % 256);
    checkNoCrash(text);
  }
  // Mutations of a valid file reach much deeper than pure noise.
  const std::string alphabet = "{}:#\n \t0123456789abcnode_";
  int accepted = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string text = kThreeNodes;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          text.erase(at, 1 + rng() % 8);
          break;
        default:
          text.resize(at);
      }
    }
    if (parseClusterConfig(text).ok()) ++accepted;
    checkNoCrash(text);
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace pulse::membership
