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
    for (const pugi::xpath_node& x : cib.child("configuration").select_nodes(".//*[@id]")) {
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
    }
  }
}

TEST(CibGenerator, HistoryHasAtMostOneActiveNodeAndOnlyOnlineNodes) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const GeneratorOptions o = small(seed);
    const ClusterModel m = buildModel(o, effectiveKnobs(o));
    for (size_t r = 0; r < m.primitives.size(); ++r) {
      int active = 0;
      for (size_t n = 0; n < m.nodes.size(); ++n) {
        active += isActive(m.at(r, n)) ? 1 : 0;
        if (!m.nodes[n].online) {
          EXPECT_EQ(m.at(r, n), History::kNone);
        }
      }
      EXPECT_LE(active, 1) << "seed " << seed << " " << m.primitives[r].id;
    }
  }
}

// Explicit orders plus their symmetric inverses, on (resource, action) events, have no cycle.
TEST(CibGenerator, OrdersAreAcyclic) {
  const auto inverse = [](const std::string& a) { return a == "stop" ? "start" : "stop"; };
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    GeneratorOptions o = small(seed);
    Knobs k = effectiveKnobs(o);
    k.orders_per_resource = 2.0;
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
    for (const auto& [rsc, unused] : edges) {  // a resource stops before it starts again
      const std::string name = rsc.substr(0, rsc.find(' '));
      edges[name + " stop"].insert(name + " start");
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
