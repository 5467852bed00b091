// Shared fixtures for the pcs CIB edit tests: an empty three-node CIB, agent meta-data filled
// by hand from the agents' `meta-data` output, and helpers that run a pcs command line.
#pragma once

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pcs-cli/cib_edit.h"

namespace pulse::pcs::testing {

// Three online nodes, no resources, fencing off.
inline const std::string kEmptyCib =
    R"(<cib epoch="5" num_updates="3" admin_epoch="0" validate-with="pacemaker-3.7" have-quorum="1" dc-uuid="1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="n1"/>
      <node id="2" uname="n2"/>
      <node id="3" uname="n3"/>
    </nodes>
    <resources/>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
)";

// `IPaddr2 meta-data` (resource-agents 4.12): parameters and actions.
inline AgentMetadata ipaddr2() {
  AgentMetadata m{"ocf", "heartbeat", "IPaddr2", {}, {}};
  m.parameters.push_back({"ip", true, true, ""});
  for (const char* name : {"nic",
                           "cidr_netmask",
                           "broadcast",
                           "iflabel",
                           "lvs_support",
                           "lvs_ipv6_addrlabel",
                           "lvs_ipv6_addrlabel_value",
                           "mac",
                           "clusterip_hash",
                           "unique_clone_address",
                           "arp_interval",
                           "arp_count",
                           "arp_count_refresh",
                           "arp_bg",
                           "arp_sender",
                           "send_arp_opts",
                           "flush_routes",
                           "run_arping",
                           "nodad",
                           "noprefixroute",
                           "preferred_lft",
                           "network_namespace"}) {
    m.parameters.push_back({name, false, false, ""});
  }
  m.actions = {{"start", "20s", "", "", ""},      {"stop", "20s", "", "", ""},
               {"status", "20s", "10s", "", "0"}, {"monitor", "20s", "10s", "", "0"},
               {"meta-data", "5s", "", "", ""},   {"validate-all", "20s", "", "", ""}};
  return m;
}

// `Dummy meta-data`.
inline AgentMetadata dummy() {
  AgentMetadata m{"ocf", "heartbeat", "Dummy", {}, {}};
  m.parameters = {{"state", false, true, ""}, {"fake", false, false, "dummy"}};
  m.actions = {{"start", "20s", "", "", ""},       {"stop", "20s", "", "", ""},
               {"monitor", "20s", "10s", "", "0"}, {"reload", "20s", "", "", ""},
               {"migrate_to", "20s", "", "", ""},  {"migrate_from", "20s", "", "", ""},
               {"meta-data", "5s", "", "", ""},    {"validate-all", "20s", "", "", ""}};
  return m;
}

// haproxy as resource-agents describes it (not installed here): one optional parameter.
inline AgentMetadata haproxy() {
  AgentMetadata m{"ocf", "heartbeat", "haproxy", {}, {}};
  m.parameters = {{"conffile", false, false, "/etc/haproxy/haproxy.cfg"}};
  m.actions = {{"start", "60s", "", "", ""},
               {"stop", "60s", "", "", ""},
               {"monitor", "20s", "10s", "", ""},
               {"meta-data", "5s", "", "", ""}};
  return m;
}

inline EditContext context(std::string current_node = "") {
  return EditContext{{ipaddr2(), dummy(), haproxy()}, std::move(current_node)};
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
