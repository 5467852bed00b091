// Pure parts of the executor: agent names, the OCF environment, exit codes, fail counts.
#include "crmd/executor/ocf.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "crmd/executor/fail_counts.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

TEST(AgentName, ParsesOcfSpecs) {
  auto name = parseAgentName("ocf:heartbeat:Dummy");
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(name->provider, "heartbeat");
  EXPECT_EQ(name->type, "Dummy");
  EXPECT_EQ(name->spec(), "ocf:heartbeat:Dummy");
  EXPECT_EQ(agentPath("/usr/lib/ocf", *name), "/usr/lib/ocf/resource.d/heartbeat/Dummy");
}

TEST(AgentName, RefusesOtherClassesAndEscapes) {
  for (const char* bad : {"nagios:check", "ocf:Dummy", "ocf::Dummy", "ocf:heartbeat:", "ocf:..:x",
                          "ocf:heartbeat:../../bin/sh", "ocf:a/b:c", "upstart:x"}) {
    EXPECT_FALSE(parseAgentName(bad)) << bad;
  }
  EXPECT_FALSE(parseAgentName(std::string("ocf:heartbeat:Dum\0my", 20)));
  EXPECT_TRUE(checkAgentName({"heartbeat", "Dummy"}));
  EXPECT_FALSE(checkAgentName({"a:..", "x"}));  // would pass as the spec "ocf:a:..:x"
  EXPECT_FALSE(checkAgentName({"heartbeat", ".."}));
  EXPECT_FALSE(checkAgentName({"", "Dummy"}));
}

TEST(OcfCodes, ZeroToNineMapToThemselvesTheRestIsUnknown) {
  EXPECT_EQ(ocfCodeFromExitStatus(0), OcfCode::kOk);
  EXPECT_EQ(ocfCodeFromExitStatus(7), OcfCode::kNotRunning);
  EXPECT_EQ(ocfCodeFromExitStatus(8), OcfCode::kRunningPromoted);
  EXPECT_EQ(ocfCodeFromExitStatus(9), OcfCode::kFailedPromoted);
  EXPECT_EQ(ocfCodeFromExitStatus(10), OcfCode::kUnknown);
  EXPECT_EQ(ocfCodeFromExitStatus(42), OcfCode::kUnknown);
  EXPECT_EQ(ocfCodeFromExitStatus(-1), OcfCode::kUnknown);
  EXPECT_EQ(ocfCodeName(OcfCode::kUnknown), "unknown error");
  EXPECT_EQ(ocfCodeName(OcfCode::kNotRunning), "not running");
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST(OcfEnvironment, HasWhatPacemakerSets) {
  AgentCall call;
  call.ocf_root = "/tmp/ocf";
  call.resource = "vip";
  call.agent = {"heartbeat", "IPaddr2"};
  call.action = "monitor";
  call.interval = milliseconds(10000);
  call.timeout = milliseconds(20000);
  call.params = {{"ip", "198.51.100.10"}, {"cidr_netmask", "24"}};
  call.meta = {{"target-role", "Started"}, {"timeout", "999"}, {"OCF_CHECK_LEVEL", "10"}};
  auto env = buildOcfEnvironment(call);
  ASSERT_TRUE(env) << env.error().message;
  for (const char* entry :
       {"OCF_ROOT=/tmp/ocf", "OCF_RA_VERSION_MAJOR=1", "OCF_RA_VERSION_MINOR=1",
        "OCF_RESOURCE_INSTANCE=vip", "OCF_RESOURCE_TYPE=IPaddr2", "OCF_RESOURCE_PROVIDER=heartbeat",
        "OCF_RESKEY_ip=198.51.100.10", "OCF_RESKEY_cidr_netmask=24",
        "OCF_RESKEY_CRM_meta_target_role=Started", "OCF_RESKEY_CRM_meta_timeout=20000",
        "OCF_RESKEY_CRM_meta_interval=10000", "OCF_RESKEY_CRM_meta_OCF_CHECK_LEVEL=10",
        "HA_LOGFACILITY=none", "HA_logfacility=none", "HA_debug=0",
        "OCF_EXIT_REASON_PREFIX=ocf-exit-reason:"}) {
    EXPECT_TRUE(has(*env, entry)) << entry;
  }
  EXPECT_TRUE(std::any_of(env->begin(), env->end(),
                          [](const std::string& e) { return e.starts_with("PATH=/"); }));
  EXPECT_TRUE(std::is_sorted(env->begin(), env->end()));
}

TEST(OcfEnvironment, BadNamesAreErrorsNamingThem) {
  AgentCall call;
  call.resource = "r";
  call.params = {{"bad name", "x"}};
  auto env = buildOcfEnvironment(call);
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().message.find("'bad name'"), std::string::npos);
  call.params = {{"1st", "x"}};
  EXPECT_FALSE(buildOcfEnvironment(call));
  call.params = {{"x=y", "x"}};
  EXPECT_FALSE(buildOcfEnvironment(call));
  call.params = {{"ok", std::string("a\0b", 3)}};
  EXPECT_FALSE(buildOcfEnvironment(call));
  call.params = {};
  call.meta = {{"a.b", "1"}};
  EXPECT_FALSE(buildOcfEnvironment(call));
}

AgentResult resultWith(ExecStatus status, OcfCode code) {
  AgentResult r;
  r.status = status;
  r.code = code;
  return r;
}

TEST(FailCounts, WhatCountsAsAFailure) {
  const auto done = [](OcfCode c) { return resultWith(ExecStatus::kDone, c); };
  EXPECT_FALSE(isFailure("start", milliseconds(0), done(OcfCode::kOk)));
  EXPECT_TRUE(isFailure("start", milliseconds(0), done(OcfCode::kError)));
  EXPECT_FALSE(isFailure("monitor", milliseconds(0), done(OcfCode::kNotRunning)));  // probe
  EXPECT_TRUE(isFailure("monitor", milliseconds(5000), done(OcfCode::kNotRunning)));
  EXPECT_FALSE(isFailure("monitor", milliseconds(5000), done(OcfCode::kRunningPromoted)));
  EXPECT_TRUE(
      isFailure("stop", milliseconds(0), resultWith(ExecStatus::kTimedOut, OcfCode::kUnknown)));
  EXPECT_FALSE(
      isFailure("stop", milliseconds(0), resultWith(ExecStatus::kCancelled, OcfCode::kUnknown)));
  EXPECT_FALSE(isFailure("meta-data", milliseconds(0), done(OcfCode::kError)));
  EXPECT_TRUE(isFailure("monitor", milliseconds(0), done(OcfCode::kOk), OcfCode::kNotRunning));
}

TEST(FailCounts, CountsPerOperationAndClearsPerResource) {
  FailCounts counts;
  counts.record("vip", "monitor", milliseconds(10000));
  counts.record("vip", "monitor", milliseconds(10000));
  counts.record("vip", "start", milliseconds(0));
  counts.record("vip2", "stop", milliseconds(0));
  EXPECT_EQ(counts.count("vip", "monitor", milliseconds(10000)), 2);
  EXPECT_EQ(counts.count("vip", "monitor", milliseconds(0)), 0);
  const std::map<std::string, int> expected{{"fail-count-vip#monitor_10000", 2},
                                            {"fail-count-vip#start_0", 1}};
  EXPECT_EQ(counts.attributes("vip"), expected);
  counts.clear("vip");
  EXPECT_TRUE(counts.attributes("vip").empty());
  EXPECT_EQ(counts.count("vip2", "stop", milliseconds(0)), 1);
}

}  // namespace
}  // namespace pulse::crmd
