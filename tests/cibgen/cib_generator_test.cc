#include "cib_generator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>

#include "cluster_model.h"

namespace pulse::cibgen {
namespace {

GeneratorOptions small(uint64_t seed) {
  GeneratorOptions o;
  o.seed = seed;
  o.nodes = 2 + static_cast<int>(seed % 5);
  o.resources = 3 + static_cast<int>(seed % 23);
  return o;
}

TEST(CibGenerator, SameSeedSameBytes) {
  for (uint64_t seed : {1, 2, 99}) {
    EXPECT_EQ(generateCib(small(seed)), generateCib(small(seed)));
  }
  EXPECT_NE(generateCib(small(1)), generateCib(small(2)));
}

TEST(CibGenerator, StreamFileAndStringAgree) {
  GeneratorOptions o = small(5);
  o.profile = Profile::kBench;
  std::ostringstream stream;
  ASSERT_TRUE(writeCib(o, stream));
  const std::string path =
      (std::filesystem::temp_directory_path() / "pulse_cibgen_test.xml").string();
  ASSERT_TRUE(writeCibFile(o, path));
  std::ifstream in(path, std::ios::binary);
  const std::string from_file((std::istreambuf_iterator<char>(in)), {});
  std::remove(path.c_str());
  EXPECT_EQ(stream.str(), generateCib(o));
  EXPECT_EQ(from_file, generateCib(o));
}

TEST(CibGenerator, ConfigurationIsConsistent) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string text = generateCib(small(seed));
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(text.c_str()));
    const pugi::xml_node cib = doc.child("cib");
    EXPECT_STREQ(cib.attribute("validate-with").value(), "pacemaker-3.7");
    EXPECT_STREQ(cib.attribute("crm_feature_set").value(), "3.16.1");
    std::set<std::string> ids, resources, unames;
    // The schema makes ids unique in the configuration (status ids repeat node ids by design).
    for (const pugi::xpath_node& x :
         cib.child("configuration").select_nodes(".//*[@id][not(self::resource_ref)]")) {
      const std::string id = x.node().attribute("id").value();
      EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    }
    EXPECT_GT(ids.size(), 3u);
    for (const pugi::xpath_node& x : cib.select_nodes("configuration/resources//*[@id]")) {
      resources.insert(x.node().attribute("id").value());
    }
    for (const pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
      unames.insert(n.attribute("uname").value());
    }
    for (const pugi::xml_node c : cib.child("configuration").child("constraints").children()) {
      for (const char* attr : {"rsc", "with-rsc", "first", "then"}) {
        if (c.attribute(attr)) {
          EXPECT_TRUE(resources.count(c.attribute(attr).value())) << attr;
        }
      }
      if (c.attribute("node")) {
        EXPECT_TRUE(unames.count(c.attribute("node").value()));
      }
      for (const pugi::xpath_node& ref : c.select_nodes("resource_set/resource_ref")) {
        EXPECT_TRUE(resources.count(ref.node().attribute("id").value()));
      }
    }
  }
}

// A primitive runs on one node, a clone's instances on at most clone-max nodes; offline nodes
// have no history unless they are unclean (lost while running resources).
TEST(CibGenerator, HistoryRespectsInstanceLimitsAndOnlyLiveOrUncleanNodes) {
  int cloned_seen = 0, unclean_seen = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const GeneratorOptions o = small(seed);
    const ClusterModel m = buildModel(o, effectiveKnobs(o));
    for (size_t r = 0; r < m.primitives.size(); ++r) {
      const PrimitiveModel& p = m.primitives[r];
      const int clone = p.group >= 0 ? m.groups[p.group].clone : p.clone;
      const int limit = clone >= 0 ? m.clones[clone].max_instances : 1;
      int active = 0, promoted = 0;
      for (size_t n = 0; n < m.nodes.size(); ++n) {
        active += isActive(m.at(r, n)) ? 1 : 0;
        promoted += m.at(r, n) == History::kPromoted || m.at(r, n) == History::kPromotedFailed;
        if (!m.nodes[n].online && !m.nodes[n].unclean) {
          EXPECT_EQ(m.at(r, n), History::kNone);
        }
        unclean_seen += m.nodes[n].unclean && isActive(m.at(r, n)) ? 1 : 0;
      }
      EXPECT_LE(active, limit) << "seed " << seed << " " << p.id;
      if (p.promoted_interval_s == 0) {
        EXPECT_EQ(promoted, 0) << "seed " << seed << " " << p.id;
      }
      cloned_seen += active > 1 ? 1 : 0;
    }
  }
  // The differential profile exercises both in 300 seeds.
  EXPECT_GT(cloned_seen, 20);
  EXPECT_GT(unclean_seen, 5);
}

// With every feature knob on, the CIB carries each feature in the form Pacemaker reads.
TEST(CibGenerator, FeatureKnobsShowInTheCib) {
  GeneratorOptions o;
  o.seed = 11;
  o.nodes = 5;
  o.resources = 40;
  Knobs k = effectiveKnobs(o);
  k.offline_node = 0.4;
  k.cloned = 0.5;
  k.promotable = 1;
  k.fencing = true;
  k.unclean_node = 1;
  k.locations_per_resource = 1;
  k.rule_locations = 1;
  k.attribute_rules = 0.5;
  k.date_rules = 0.5;
  k.set_constraints = 0.3;
  k.tickets = 0.3;
  o.knobs = k;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(generateCib(o).c_str()));
  const pugi::xml_node cib = doc.child("cib");
  EXPECT_TRUE(cib.attribute("execution-date"));
  for (const char* xpath :
       {"//clone/meta_attributes/nvpair[@name='promotable' and @value='true']",
        "//clone/primitive[@type='Stateful']/operations/op[@role='Promoted']",
        "//primitive[@class='stonith']", "//nvpair[@name='stonith-enabled' and @value='true']",
        "//rsc_location/rule/date_expression",
        "//rsc_location/rule/expression[@attribute='site' "
        "or @attribute='rack' or @attribute='gpu']",
        "//rsc_order/resource_set", "//rsc_colocation/resource_set", "//rsc_ticket",
        "//status/tickets/ticket_state", "//node_state[@in_ccm='false' and @expected='member']/lrm",
        "//lrm_rsc_op[@operation='promote']",
        "//transient_attributes//nvpair[starts-with(@name, "
        "'master-')]"}) {
    EXPECT_FALSE(cib.select_nodes(xpath).empty()) << xpath;
  }
}

// Explicit orders plus their symmetric inverses, on (resource, action) events, have no cycle.
TEST(CibGenerator, OrdersAreAcyclic) {
  const auto inverse = [](const std::string& a) -> std::string {
    if (a == "promote") return "demote";
    return a == "stop" ? "start" : "stop";
  };
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    GeneratorOptions o = small(seed);
    Knobs k = effectiveKnobs(o);
    k.orders_per_resource = 2.0;
    k.set_constraints = 0.5;
    o.knobs = k;
    const ClusterModel m = buildModel(o, k);
    std::map<std::string, std::set<std::string>> edges;
    for (const OrderModel& ord : m.orders) {
      const std::string fa = ord.first_action.empty() ? "start" : ord.first_action;
      const std::string ta = ord.then_action.empty() ? "start" : ord.then_action;
      edges[ord.first + " " + fa].insert(ord.then + " " + ta);
      if (ord.symmetrical != "false" && ord.kind != "Serialize") {
        edges[ord.then + " " + inverse(ta)].insert(ord.first + " " + inverse(fa));
      }
    }
    // Ordered sets: members of a sequential set one after the other, every member of a set
    // before every member of the next; starts forward, their inverse stops backward.
    for (const SetConstraintModel& c : m.set_constraints) {
      if (!c.order) continue;
      std::vector<std::vector<std::string>> steps;
      for (const ResourceSetModel& set : c.sets) {
        if (set.sequential == "false") {
          steps.push_back(set.resources);
        } else {
          for (const std::string& r : set.resources) steps.push_back({r});
        }
      }
      for (size_t i = 0; i + 1 < steps.size(); ++i) {
        for (const std::string& a : steps[i]) {
          for (const std::string& b : steps[i + 1]) {
            edges[a + " start"].insert(b + " start");
            edges[b + " stop"].insert(a + " stop");
          }
        }
      }
    }
    // A resource stops before it starts again, is promoted after it starts, demoted before
    // it stops.
    std::set<std::string> names;
    for (const auto& [rsc, unused] : edges) names.insert(rsc.substr(0, rsc.find(' ')));
    for (const std::string& name : names) {
      edges[name + " stop"].insert(name + " start");
      edges[name + " start"].insert(name + " promote");
      edges[name + " demote"].insert(name + " stop");
    }
    std::map<std::string, int> state;  // 1 = on stack, 2 = done
    std::function<bool(const std::string&)> cyclic = [&](const std::string& v) {
      if (state[v] == 1) return true;
      if (state[v] == 2) return false;
      state[v] = 1;
      for (const std::string& w : edges[v]) {
        if (cyclic(w)) return true;
      }
      state[v] = 2;
      return false;
    };
    for (const auto& [v, unused] : edges) EXPECT_FALSE(cyclic(v)) << "seed " << seed;
  }
}

TEST(CibGenerator, BenchProfileProbesEveryResourceOnEveryOnlineNode) {
  GeneratorOptions o;
  o.seed = 3;
  o.nodes = 8;
  o.resources = 50;
  o.profile = Profile::kBench;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(generateCib(o).c_str()));
  for (const pugi::xml_node state : doc.child("cib").child("status").children("node_state")) {
    if (std::string(state.attribute("crmd").value()) != "online") continue;
    size_t count = 0;
    for (const pugi::xml_node r : state.child("lrm").child("lrm_resources").children()) {
      (void)r;
      ++count;
    }
    EXPECT_EQ(count, 50u) << state.attribute("uname").value();
  }
}

}  // namespace
}  // namespace pulse::cibgen
