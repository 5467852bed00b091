// pcs stonith level add / remove / clear / config / verify on a CIB, and stonith delete taking a
// device out of the levels. The texts are Debian's pcs 0.11.5's (run on the same CIBs).
#include "cib_edit_test_util.h"

namespace pulse::pcs::testing {
namespace {

// Three fence devices (of an agent this machine may lack: --force, as pcs needs) and A.
std::string devices() {
  std::string cib = kEmptyCib;
  for (const char* id : {"f1", "f2", "f3"})
    cib = ok(cib, std::string("stonith create ") + id + " fence_xvm --force");
  return ok(cib, "resource create A ocf:heartbeat:Dummy --force");
}

// devices() with the levels the differential test's "topo" base has.
std::string topology() {
  std::string cib = devices();
  for (const char* line :
       {"stonith level add 1 n1 f1", "stonith level add 2 n1 f2 f3",
        "stonith level add 1 regexp%n[23] f2", "stonith level add 1 attrib%rack=r1 f3"})
    cib = ok(cib, line);
  return cib;
}

TEST(StonithLevelAdd, WritesLevelsWithPcsIdsForEachKindOfTarget) {
  Xml cib(topology());
  EXPECT_EQ(cib.count("//fencing-topology/fencing-level"), 4u);
  const std::string l = "//fencing-topology/fencing-level";
  EXPECT_EQ(cib.attr(l + "[@id='fl-n1-1']", "devices"), "f1");
  EXPECT_EQ(cib.attr(l + "[@id='fl-n1-1']", "target"), "n1");
  EXPECT_EQ(cib.attr(l + "[@id='fl-n1-2']", "devices"), "f2,f3");
  EXPECT_EQ(cib.attr(l + "[@id='fl-n1-2']", "index"), "2");
  EXPECT_EQ(cib.attr(l + "[@id='fl-n23-1']", "target-pattern"), "n[23]");
  EXPECT_EQ(cib.attr(l + "[@id='fl-rack-1']", "target-attribute"), "rack");
  EXPECT_EQ(cib.attr(l + "[@id='fl-rack-1']", "target-value"), "r1");
  // %n2 and node%n2 are the node n2; commas still separate devices.
  Xml more(ok(ok(topology(), "stonith level add 3 %n2 f1,f2"), "stonith level add 4 node%n2 f3"));
  EXPECT_EQ(more.attr(l + "[@id='fl-n2-3']", "devices"), "f1,f2");
  EXPECT_EQ(more.attr(l + "[@id='fl-n2-4']", "target"), "n2");
}

TEST(StonithLevelAdd, RefusesWhatPcsRefuses) {
  const std::string cib = topology();
  EXPECT_EQ(fails(cib, "stonith level add 1 n1 f1"),
            "Fencing level for 'n1' at level '1' with device(s) 'f1' already exists");
  EXPECT_EQ(fails(cib, "stonith level add 0 n9 nosuch"),
            "'0' is not a valid level value, use a positive integer\n"
            "Error: Node 'n9' does not appear to exist in configuration, use --force to override\n"
            "Error: Stonith resource(s) 'nosuch' do not exist, use --force to override");
  EXPECT_EQ(fails(cib, "stonith level add x n2 f1"),
            "'x' is not a valid level value, use a positive integer");
  EXPECT_EQ(fails(cib, "stonith level add 1 n2 A"),
            "Stonith resource(s) 'A' do not exist, use --force to override");
  EXPECT_EQ(fails(cib, "stonith level add 1 n2 1x"),
            "invalid device id '1x', '1' is not a valid first character for a device id");
  EXPECT_EQ(fails(cib, "stonith level add 4 foo%x f1"),
            "'foo' is not an allowed type for 'foo%x', use attrib, node, regexp");
  EXPECT_EQ(fails(cib, "stonith level add 4 attrib%rack f1"), "missing value of 'rack' option");
  EXPECT_EQ(fails(cib, "stonith level add 4 attrib%=x f1"), "missing key in '=x' option");
  EXPECT_NE(fails(cib, "stonith level add 1 n2").find("stonith level add"), std::string::npos);
  // --force: a node or device that does not exist is allowed (pcs warns), a duplicate is not.
  Xml forced(ok(cib, "stonith level add 3 n9 nosuch --force"));
  EXPECT_EQ(forced.attr("//fencing-level[@id='fl-n9-3']", "devices"), "nosuch");
  EXPECT_FALSE(run(cib, "stonith level add 1 n1 f1 --force").ok());
}

TEST(StonithLevelRemove, MatchesLevelTargetAndDevicesAsWritten) {
  const std::string cib = topology();
  const std::string l = "//fencing-level";
  EXPECT_EQ(Xml(ok(cib, "stonith level remove 2 target n1 stonith f2 f3")).count(l), 3u);
  EXPECT_EQ(fails(cib, "stonith level remove 2 target n1 stonith f3 f2"),
            "Fencing level for 'n1' at level '2' with device(s) 'f2', 'f3' does not exist");
  EXPECT_EQ(Xml(ok(cib, "stonith level remove 1")).count(l), 1u) << "every level 1 goes";
  EXPECT_EQ(fails(cib, "stonith level remove 5"), "Fencing level at level '5' does not exist");
  EXPECT_EQ(fails(cib, "stonith level remove 1 target attrib%rack=r2"),
            "Fencing level for 'rack=r2' at level '1' does not exist");
  EXPECT_EQ(fails(cib, "stonith level remove 1 stonith 1x"),
            "invalid stonith id '1x', '1' is not a valid first character for a stonith id\n"
            "Error: Fencing level at level '1' with device(s) '1x' does not exist");
  EXPECT_EQ(fails(cib, "stonith level remove 1 target"), "Missing value after 'target'");
  EXPECT_EQ(Xml(ok(cib, "stonith level delete 1 target regexp%n[23]")).count(l), 3u);
  // The old spelling LEVEL [NODE] [DEVICE...]: the node may be a device too.
  EXPECT_EQ(Xml(ok(cib, "stonith level remove 2 n1 f2 f3")).count(l), 3u);
  EXPECT_EQ(Xml(ok(cib, "stonith level remove 2 f2 f3")).count(l), 3u);
  EXPECT_EQ(fails(cib, "stonith level remove 1 n8 f2"),
            "Fencing level for 'n8' at level '1' with device(s) 'f2' does not exist\n"
            "Error: Fencing level at level '1' with device(s) 'f2', 'n8' does not exist");
}

TEST(StonithLevelClear, ClearsAllOrByTargetOrByDevicesAndKeepsTheSection) {
  const std::string cib = topology();
  const std::string l = "//fencing-level";
  Xml all(ok(cib, "stonith level clear"));
  EXPECT_EQ(all.count(l), 0u);
  EXPECT_TRUE(all.node("//configuration/fencing-topology")) << "pcs keeps it, for ACLs";
  EXPECT_EQ(Xml(ok(cib, "stonith level clear target n1")).count(l), 2u);
  EXPECT_EQ(Xml(ok(cib, "stonith level clear stonith f2 f3")).count(l), 3u);
  EXPECT_EQ(fails(cib, "stonith level clear target n2"), "Fencing level for 'n2' does not exist");
  EXPECT_EQ(fails(cib, "stonith level clear target n1 stonith f1"),
            "Only one of 'target' and 'stonith' can be used");
  EXPECT_EQ(fails(cib, "stonith level clear target n1 n2"), "At most one target can be specified");
  // Old spelling: the word as a target, then as devices; nothing found is no error.
  EXPECT_EQ(Xml(ok(cib, "stonith level clear n1")).count(l), 2u);
  EXPECT_EQ(Xml(ok(cib, "stonith level clear f1")).count(l), 3u);
  EXPECT_EQ(Xml(ok(cib, "stonith level clear nosuch")).count(l), 4u);
  Xml created(ok(kEmptyCib, "stonith level clear"));
  EXPECT_TRUE(created.node("//configuration/fencing-topology"));
}

TEST(StonithLevelConfig, ListsByKindOfTargetThenTargetThenLevelAsPcs) {
  std::string cib = ok(topology(), "stonith level add 10 n1 f3");
  auto text = stonithLevelConfig(cib);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "Target: n1\n  Level 1 - f1\n  Level 10 - f3\n  Level 2 - f2,f3\n"
            "Target (regexp): n[23]\n  Level 1 - f2\n"
            "Target: rack=r1\n  Level 1 - f3\n");
  auto config = stonithConfig(cib);
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->find("\nFencing Levels:\n Target: n1\n   Level 1 - f1\n"), std::string::npos)
      << *config;
  EXPECT_EQ(*stonithLevelConfig(kEmptyCib), "");
}

TEST(StonithLevelVerify, NamesMissingDevicesThenMissingNodes) {
  EXPECT_TRUE(stonithLevelVerify(topology()).ok());
  std::string cib = ok(topology(), "stonith level add 1 n9 nosuch f1 --force");
  cib = ok(cib, "stonith level add 2 n8 nosuch2 --force");
  cib = ok(cib, "stonith level add 1 regexp%x nosuch3 --force");
  auto verified = stonithLevelVerify(cib);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().message,
            "Stonith resource(s) 'nosuch', 'nosuch2', 'nosuch3' do not exist\n"
            "Error: Node 'n8' does not appear to exist in configuration\n"
            "Error: Node 'n9' does not appear to exist in configuration");
}

TEST(StonithDelete, TakesTheDeviceOutOfEveryLevel) {
  Xml cib(ok(topology(), "stonith delete f2"));
  EXPECT_EQ(cib.attr("//fencing-level[@id='fl-n1-2']", "devices"), "f3");
  EXPECT_FALSE(cib.node("//fencing-level[@id='fl-n23-1']")) << "left without devices";
  std::string none = topology();
  for (const char* id : {"f1", "f2", "f3"}) none = ok(none, std::string("stonith delete ") + id);
  EXPECT_FALSE(Xml(none).node("//fencing-topology")) << "pcs drops it with its last level";
}

}  // namespace
}  // namespace pulse::pcs::testing
