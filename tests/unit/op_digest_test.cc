// Operation digests must equal what Pacemaker 2.1.5 computes bit for bit. Expected values come
// from CIBs of the Pacemaker regression suite (/work/shared/conformance/pacemaker-2.1.5/xml,
// file and lrm_rsc_op id named per case) or, where the suite has no such data, from running
// Debian's crm_resource 2.1.5 --digests on a small hand-made CIB (said so in the comment).
#include "policy-engine/op_digest.h"

#include <gtest/gtest.h>

#include "policy-engine/md5.h"

namespace pulse::pe {
namespace {

TEST(Md5Test, Rfc1321TestSuite) {
  EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(md5Hex("1234567890123456789012345678901234567890"
                   "1234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// Lengths around the 56-byte padding boundary and across blocks, fed in uneven pieces.
TEST(Md5Test, IncrementalMatchesOneShot) {
  for (std::size_t len : {55, 56, 57, 63, 64, 65, 119, 120, 200}) {
    std::string data(len, 'x');
    for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<char>('a' + i % 26);
    Md5 md5;
    for (std::size_t pos = 0; pos < len; pos += 7)
      md5.update(std::string_view(data).substr(pos, 7));
    const auto raw = md5.finish();
    std::string hex;
    for (std::uint8_t b : raw) {
      static constexpr char kHex[] = "0123456789abcdef";
      hex += kHex[b >> 4];
      hex += kHex[b & 0xf];
    }
    EXPECT_EQ(hex, md5Hex(data)) << len;
  }
}

TEST(OpDigestTest, SerialisationFormat) {
  EXPECT_EQ(digestText({}), " <parameters/>\n");
  EXPECT_EQ(digestText({{"b", "2"}, {"a", "1"}}), " <parameters a=\"1\" b=\"2\"/>\n");
}

// 1-a-then-bm-move-b.xml: B_last_0 (a start of a resource without parameters) and
// B_monitor_60000 (no timeout configured, so the 20 s default is hashed for the recurring op).
TEST(OpDigestTest, NoParametersAndDefaultTimeout) {
  OpDigestInput start{.task = "start", .feature_set = "3.0.7"};
  EXPECT_EQ(computeOpDigests(start, " state ", std::nullopt).all,
            "f2317cad3d54cec5d7d7aa7d0bf35cf8");
  OpDigestInput monitor{.task = "monitor", .interval_ms = 60000, .feature_set = "3.0.7"};
  EXPECT_EQ(computeOpDigests(monitor, std::nullopt, std::nullopt).all,
            "4811cef7f7f94e3a35a70be7916cb2fd");
}

// bug-5143-ms-shuffle.xml: md0_monitor_3600000. The op's own instance_attributes
// (OCF_CHECK_LEVEL) are hashed, and timeout="120" means 120 s. Meta other than the timeout
// (record-pending, name) never reaches the digest.
TEST(OpDigestTest, OpParamsAndConfiguredTimeout) {
  OpDigestInput in{.params = {{"raidconf", "/etc/mdadm.conf.cluster"}, {"raiddev", "/dev/md0"}},
                   .task = "monitor",
                   .interval_ms = 3600000,
                   .op_meta = {{"timeout", normalizedTimeoutMs("120")},
                               {"record-pending", "true"},
                               {"name", "monitor"}},
                   .op_params = {{"OCF_CHECK_LEVEL", "10"}},
                   .feature_set = "3.0.7"};
  EXPECT_EQ(computeOpDigests(in, std::nullopt, std::nullopt).all,
            "fd73213637d3fed4baeceacc92b9c70f");
}

// bundle-order-fencing.xml: rabbitmq_last_0 and rabbitmq_monitor_10000 on rabbitmq-bundle-0;
// quotes in the value are escaped as in XML.
TEST(OpDigestTest, EscapedValue) {
  OpDigestInput in{.params = {{"set_policy", "ha-all ^(?!amq\\.).* {\"ha-mode\":\"all\"}"}},
                   .task = "start",
                   .feature_set = "3.0.12"};
  EXPECT_EQ(computeOpDigests(in, std::nullopt, std::nullopt).all,
            "780d433233eb4f94c1a151623d002e84");
  in.task = "monitor";
  in.interval_ms = 10000;
  in.op_meta = {{"timeout", normalizedTimeoutMs("40")}};
  EXPECT_EQ(computeOpDigests(in, std::nullopt, std::nullopt).all,
            "6b46cdf9111345cbd0460b2540d3b2c7");
}

// crm_resource 2.1.5 on a hand-made CIB with these values: tabs become four spaces, CR/LF
// become \r/\n, DEL an octal escape, and nothing after the first UTF-8 sequence is escaped.
TEST(OpDigestTest, PacemakerEscapingQuirks) {
  OpDigestInput in{.params = {{"ws", "a\tb\nc\rd"},
                              {"specials", "<>&\"'"},
                              {"del", "x\x7fy"},
                              {"utf8", "caf\xc3\xa9 <&\t"}},
                   .task = "start"};
  EXPECT_EQ(digestText(in.params),
            " <parameters del=\"x\\177y\" specials=\"&lt;&gt;&amp;&quot;&apos;\" "
            "utf8=\"caf\xc3\xa9 <&\t\" ws=\"a    b\\nc\\rd\"/>\n");
  EXPECT_EQ(computeOpDigests(in, std::nullopt, std::nullopt).all,
            "bf1f23ff08e3c37d50c99c15c3a7b14d");
}

// bundle-order-fencing.xml: stonith-fence_ipmilan-5254000dcb3f_last_0 (feature set 3.0.12).
// Before 3.16.0 the secure digest covers resource parameters only, minus the private ones and
// minus Pacemaker's fencing parameters (pcmk_host_list).
TEST(OpDigestTest, OldSecureDigestOfFenceDevice) {
  OpDigestInput in{.params = {{"action", "reboot"},
                              {"ipaddr", "172.16.0.1"},
                              {"ipport", "6230"},
                              {"lanplus", "true"},
                              {"login", "admin"},
                              {"passwd", "password"},
                              {"pcmk_host_list", "controller-1"},
                              {"privlvl", "administrator"}},
                   .task = "monitor",
                   .feature_set = "3.0.12",
                   .fence_device = true};
  const OpDigests d = computeOpDigests(in, std::nullopt, " passwd  password ");
  EXPECT_EQ(d.all, "bc0ef483fd42598086833dcc7d9d16a0");
  EXPECT_EQ(d.secure, "dd2f06ba4e4b068af99defcb12eeac50");
}

// crm_resource 2.1.5 on a hand-made CIB: a fence device's 60 s monitor recorded with feature
// set 3.15.0 vs 3.16.1. Old: fencing parameters (pcmk_host_list, pcmk_*_action/_timeout/
// _retries, pcmk_delay_max, provides, stonith-timeout) are left out; new: only private ones.
// Neither keeps CRM_meta_timeout, although "all" does.
TEST(OpDigestTest, SecureDigestByFeatureSet) {
  OpDigestInput in{.params = {{"pcmk_host_list", "node1"},
                              {"pcmk_reboot_action", "off"},
                              {"pcmk_monitor_timeout", "30s"},
                              {"pcmk_x", "kept"},
                              {"provides", "unfencing"},
                              {"stonith-timeout", "60s"},
                              {"passwd", "secret"},
                              {"pcmk_off_retries", "3"},
                              {"pcmk_delay_max", "5s"},
                              {"key_file", "/etc/k"}},
                   .task = "monitor",
                   .interval_ms = 60000,
                   .op_meta = {{"timeout", "25000"}},
                   .feature_set = "3.15.0",
                   .fence_device = true};
  OpDigests d = computeOpDigests(in, std::nullopt, " passwd ");
  EXPECT_EQ(d.all, "307adce6830f48a884a42bcd366e09ea");
  EXPECT_EQ(d.secure, "2aa4f36f34c7a189b1d2c21287dd76dd");
  in.feature_set = "3.16.1";
  d = computeOpDigests(in, std::nullopt, " passwd ");
  EXPECT_EQ(d.all, "307adce6830f48a884a42bcd366e09ea");
  EXPECT_EQ(d.secure, "d286ae3fb61b584e99c151ae562abab0");
}

// restart-with-extra-op-params.xml: dummy1_last_0 on node1 (a stop, feature set 3.16.0), all
// three digests; the restart digest keeps only the listed non-reloadable parameters.
TEST(OpDigestTest, AllRestartSecure) {
  OpDigestInput in{.params = {{"passwd", "whatever"}, {"fake", "foo"}},
                   .task = "stop",
                   .op_meta = {{"timeout", "20000"}},
                   .feature_set = "3.16.0"};
  const OpDigests d = computeOpDigests(in, "  envfile op_sleep passwd state  ", "  passwd  ");
  EXPECT_EQ(d.all, "457016173e548c394dcf3896e3066412");
  EXPECT_EQ(d.restart, "5de129d7fe42dbcfe537f2c63b1921b6");
  EXPECT_EQ(d.secure, "e989cbe4a0e9492305ffdc8c6391ffee");
}

// restart-with-extra-op-params.xml: dummy1_monitor_10000 records op-digest f9a51bfe... (matched)
// and op-secure-digest 5bdf174e..., which includes CRM_meta_timeout. The 2.1.5 scheduler filters
// twice and so drops the timeout (crm_resource 2.1.5 agrees): e989cbe4....
TEST(OpDigestTest, NewSecureDigestDropsTimeout) {
  OpDigestInput in{.params = {{"passwd", "whatever"}, {"fake", "foo"}},
                   .task = "monitor",
                   .interval_ms = 10000,
                   .op_meta = {{"timeout", "20000"}},
                   .feature_set = "3.16.0"};
  const OpDigests d = computeOpDigests(in, std::nullopt, "  passwd  ");
  EXPECT_EQ(d.all, "f9a51bfe2c3d74c3b72202f3101682b7");
  EXPECT_EQ(d.secure, "e989cbe4a0e9492305ffdc8c6391ffee");
  EXPECT_NE(d.secure, "5bdf174ed64795a495a62489f1057eff");
}

// restart-with-extra-op-params.xml: dummy1_last_0 on node2 is a start recorded (457016...)
// before trace_ra was added to the start op; the summary restarts dummy1 "due to resource
// definition change". 220c0b0f... is what crm_resource 2.1.5 computes now.
TEST(OpDigestTest, OpParamChangeIsDetected) {
  OpDigestInput in{.params = {{"passwd", "whatever"}, {"fake", "foo"}},
                   .task = "start",
                   .op_params = {{"trace_ra", "1"}},
                   .feature_set = "3.16.0"};
  const OpDigests d = computeOpDigests(in, "  envfile op_sleep passwd state  ", "  passwd  ");
  EXPECT_EQ(d.all, "220c0b0ffc66cbe9fb0ec8da28676a4b");
  EXPECT_NE(d.all, "457016173e548c394dcf3896e3066412");
  EXPECT_EQ(d.restart, "5de129d7fe42dbcfe537f2c63b1921b6");  // trace_ra is not in the list.
}

// params-5.xml: DcIPaddr_monitor_5000 has op-restart-digest but no op-force-restart, so the
// restart digest covers everything, timeout included.
TEST(OpDigestTest, AbsentRestartListKeepsEverything) {
  OpDigestInput in{.params = {{"ip", "127.0.0.20"}},
                   .task = "monitor",
                   .interval_ms = 5000,
                   .op_meta = {{"timeout", normalizedTimeoutMs("20s")}},
                   .feature_set = "2.0"};
  const OpDigests d = computeOpDigests(in, std::nullopt, std::nullopt);
  EXPECT_EQ(d.restart, "cccb682889edd8bad617ff3e0c5d6ab7");
  EXPECT_EQ(d.restart, d.all);
  EXPECT_EQ(computeOpDigests(in, "", std::nullopt).restart, md5Hex(" <parameters/>\n"));
}

// Resource parameters win over same-named op parameters (hash2field keeps the first), and
// bookkeeping names never count.
TEST(OpDigestTest, PrecedenceAndDroppedNames) {
  OpDigestInput in{.params = {{"x", "rsc"}, {"id", "r1"}, {"CRM_meta_foo", "1"}},
                   .task = "start",
                   .op_params = {{"x", "op"}, {"on_node", "n1"}, {"pcmk_external_ip", "1.2.3.4"}}};
  EXPECT_EQ(computeOpDigests(in, std::nullopt, std::nullopt).all,
            md5Hex(" <parameters x=\"rsc\"/>\n"));
}

TEST(OpDigestTest, NormalizedTimeout) {
  EXPECT_EQ(normalizedTimeoutMs("90s"), "90000");
  EXPECT_EQ(normalizedTimeoutMs("120"), "120000");
  EXPECT_EQ(normalizedTimeoutMs("500ms"), "500");
  EXPECT_EQ(normalizedTimeoutMs("2min"), "120000");
  EXPECT_EQ(normalizedTimeoutMs("1h"), "3600000");
  EXPECT_EQ(normalizedTimeoutMs(" 1.5s"), "1000");  // The fraction is ignored.
  EXPECT_EQ(normalizedTimeoutMs("abc"), "20000");
  EXPECT_EQ(normalizedTimeoutMs("5 parsecs"), "20000");
  EXPECT_EQ(normalizedTimeoutMs(std::nullopt), "20000");
}

TEST(OpDigestTest, CompareVersion) {
  EXPECT_LT(compareVersion("3.15.0", "3.16.0"), 0);
  EXPECT_EQ(compareVersion("3.16", "3.16.0"), 0);
  EXPECT_GT(compareVersion("3.16.1", "3.16.0"), 0);
  EXPECT_LT(compareVersion("2.0", "3.0.1"), 0);
  EXPECT_GT(compareVersion("3.10.0", "3.9.9"), 0);
}

}  // namespace
}  // namespace pulse::pe
