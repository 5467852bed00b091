// Shared fixtures for the pcs CIB edit tests: an empty three-node CIB, the agents' meta-data
// from running the installed agents (haproxy by hand when missing), and helpers that run a pcs
// command line.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crmd/executor/agent_process.h"
#include "pcs-cli/cib_edit.h"
#include "tests/fixtures/cib_fixtures.h"
#include "tests/fixtures/missing_tool.h"

namespace pulse::pcs::testing {

// Three online nodes, no resources, fencing off.
inline const std::string kEmptyCib = fixtures::cibXml(
    {.cib_attributes = R"(epoch="5" num_updates="3" admin_epoch="0" validate-with="pacemaker-3.7" )"
                       R"(have-quorum="1" dc-uuid="1")",
     .options =
         R"(        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
)",
     .all_online = true});

inline constexpr const char* kOcfRoot = "/usr/lib/ocf";

// An installed agent, described by running its own `meta-data` (crmd's parser); nullopt when
// it is not installed here. Fetched once per agent and test binary.
inline const std::optional<KnownAgent>& installedAgent(const std::string& provider,
                                                       const std::string& type) {
  static std::map<std::string, std::optional<KnownAgent>> cache;
  auto [it, inserted] = cache.try_emplace(provider + ":" + type);
  if (inserted) {
    auto metadata = crmd::fetchAgentMetadata(kOcfRoot, crmd::AgentName{provider, type});
    if (metadata.ok()) it->second = KnownAgent{"ocf", provider, type, *metadata};
  }
  return it->second;
}

// The agents the tests create that are not installed here ("" when all are), as a list.
inline std::string missingAgents() {
  std::string missing;
  for (const char* type : {"IPaddr2", "Dummy"}) {
    if (!installedAgent("heartbeat", type)) {
      missing += std::string(missing.empty() ? "" : ", ") + "ocf:heartbeat:" + type;
    }
  }
  return missing.empty() ? "" : missing + " (under " + kOcfRoot + ")";
}

// First line of a test that creates IPaddr2/Dummy resources, since its expectations come from
// the real meta-data: without resource-agents it fails in CI and is skipped elsewhere.
#define PULSE_REQUIRE_REAL_AGENTS()                                       \
  PULSE_REQUIRE_INSTALLED(::pulse::pcs::testing::missingAgents().empty(), \
                          ::pulse::pcs::testing::missingAgents(), "resource-agents")

inline KnownAgent ipaddr2() { return *installedAgent("heartbeat", "IPaddr2"); }
inline KnownAgent dummy() { return *installedAgent("heartbeat", "Dummy"); }

// haproxy: the real one when installed; else by hand, in resource-agents' shape (one optional
// parameter, 60s start/stop), which is all the tests need of it.
inline KnownAgent haproxy() {
  if (const auto& real = installedAgent("heartbeat", "haproxy")) return *real;
  using std::chrono::milliseconds;
  crmd::AgentMetadata m;
  m.name = "haproxy";
  crmd::AgentParameter conffile;
  conffile.name = "conffile";
  conffile.default_value = "/etc/haproxy/haproxy.cfg";
  m.parameters.push_back(std::move(conffile));
  m.actions = {{"start", milliseconds(60000), {}, {}, {}},
               {"stop", milliseconds(60000), {}, {}, {}},
               {"monitor", milliseconds(20000), milliseconds(10000), {}, {}},
               {"meta-data", milliseconds(5000), {}, {}, {}}};
  return KnownAgent{"ocf", "heartbeat", "haproxy", std::move(m)};
}

// The agents this "node" knows: the installed IPaddr2 and Dummy, and haproxy.
inline EditContext context(std::string current_node = "") {
  EditContext ctx;
  ctx.current_node = std::move(current_node);
  for (const char* type : {"IPaddr2", "Dummy"}) {
    if (const auto& agent = installedAgent("heartbeat", type)) ctx.agents.push_back(*agent);
  }
  ctx.agents.push_back(haproxy());
  return ctx;
}

inline std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Parses and applies one pcs command line; the Error of whichever step failed.
inline Result<std::string> run(const std::string& cib, const std::string& line,
                               const EditContext& ctx = context()) {
  auto edit = parseEdit(words(line));
  if (!edit.ok()) return edit.error();
  return applyEdit(cib, *edit, ctx);
}

// Runs a command that must succeed.
inline std::string ok(const std::string& cib, const std::string& line,
                      const EditContext& ctx = context()) {
  auto result = run(cib, line, ctx);
  EXPECT_TRUE(result.ok()) << line << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : cib;
}

// Runs a command that must fail; returns its message.
inline std::string fails(const std::string& cib, const std::string& line,
                         const EditContext& ctx = context()) {
  auto result = run(cib, line, ctx);
  EXPECT_FALSE(result.ok()) << line << " unexpectedly succeeded";
  return result.ok() ? "" : result.error().message;
}

// Evaluates an XPath on the CIB: the first match as node, or the count of matches.
class Xml {
 public:
  explicit Xml(const std::string& text) { doc_.load_string(text.c_str()); }
  pugi::xml_node node(const std::string& xpath) const {
    return doc_.select_node(xpath.c_str()).node();
  }
  std::size_t count(const std::string& xpath) const {
    return doc_.select_nodes(xpath.c_str()).size();
  }
  std::string attr(const std::string& xpath, const char* name) const {
    return node(xpath).attribute(name).as_string();
  }

 private:
  pugi::xml_document doc_;
};

inline const char* kVip =
    "resource create vip ocf:heartbeat:IPaddr2 ip=198.51.100.10 cidr_netmask=24";

}  // namespace pulse::pcs::testing
