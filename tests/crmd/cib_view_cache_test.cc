// The engine's view of the node's CIB, shared by the route checks and /metrics
// (crmd/http/cib_view_cache.h): one engine run per copy however often it is asked, a new run
// when the copy changes, and the metrics built on it.
#include "crmd/http/cib_view_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "crmd/metrics/metrics_text.h"

namespace pulse::crmd::http {
namespace {

std::string cibWith(const std::string& resource) {
  return R"(<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/>
    <nodes><node id="1" uname="n1"/></nodes><resources>
    <primitive id=")" +
         resource + R"(" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources><constraints/></configuration><status/></cib>)";
}

TEST(CibViewCache, TwoReadsOfOneCopyRunTheEngineOnce) {
  CibViewCache cache;
  auto first = cache.view(cibWith("d1"));
  auto second = cache.view(cibWith("d1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first, second);  // the same view, not a second one
  EXPECT_EQ(cache.engineRuns(), 1u);
  ASSERT_EQ(first->resources.size(), 1u);
  EXPECT_EQ(first->resources[0].id, "d1");
}

TEST(CibViewCache, ANewCopyIsReadAgain) {
  CibViewCache cache;
  cache.view(cibWith("d1"));
  auto changed = cache.view(cibWith("d2"));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->resources.at(0).id, "d2");
  EXPECT_EQ(cache.engineRuns(), 2u);
}

TEST(CibViewCache, ARefusedCopyIsNotRetriedUntilItChanges) {
  CibViewCache cache;
  EXPECT_FALSE(cache.view("<cib><configuration>"));
  EXPECT_FALSE(cache.view("<cib><configuration>"));
  EXPECT_EQ(cache.engineRuns(), 1u);
  EXPECT_TRUE(cache.view(cibWith("d1")));
}

TEST(CibViewCache, ThreadsAskingAtOnceShareOneRun) {
  CibViewCache cache;
  const std::string cib = cibWith("d1");
  std::vector<std::thread> askers;
  for (int i = 0; i < 4; ++i) askers.emplace_back([&] { EXPECT_TRUE(cache.view(cib)); });
  for (std::thread& t : askers) t.join();
  EXPECT_EQ(cache.engineRuns(), 1u);
}

// Two scrapes at one CIB version, as crmd makes them (crmd_main.cc renderNodeMetrics): the
// second runs no engine, and the counter on /metrics says so.
TEST(CibViewCache, TwoScrapesAtOneCibVersionRunTheEngineOnce) {
  CibViewCache cache;
  auto scrape = [&cache] {
    metrics::MetricsFacts f;
    f.cluster.configured = f.cluster.running = true;
    f.cib_xml = cibWith("d1");
    f.view = cache.view(*f.cib_xml);
    f.status_engine_runs = cache.engineRuns();
    return metrics::renderMetrics(f);
  };
  const std::string first = scrape();
  const std::string second = scrape();
  EXPECT_NE(first.find("pulse_status_engine_runs_total 1\n"), std::string::npos) << first;
  EXPECT_NE(second.find("pulse_status_engine_runs_total 1\n"), std::string::npos) << second;
  EXPECT_NE(second.find(R"(ha_cluster_pacemaker_resources{node="",resource="d1")"),
            std::string::npos)
      << second;
}

}  // namespace
}  // namespace pulse::crmd::http
