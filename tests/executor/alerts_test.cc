// Alerts: the <alerts> section read as Pacemaker reads it (one entry per recipient, overrides,
// filters, timeout and timestamp format), the CRM_alert_* environment, and agents run for real
// (their environment as they see it, the timeout killing a hanging one).
#include "crmd/executor/alerts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "crmd/executor/alert_runner.h"
#include "tests/crmd/temp_dir.h"

namespace pulse::crmd {
namespace {

using std::chrono::milliseconds;

std::vector<AlertEntry> read(const std::string& alerts_xml) {
  static pugi::xml_document doc;  // entries copy what they need; the document may go
  doc.load_string(("<cib><configuration>" + alerts_xml + "</configuration></cib>").c_str());
  return readAlerts(doc.child("cib"));
}

TEST(Alerts, OneEntryPerRecipientWithTheRecipientsOverrides) {
  auto entries = read(R"(<alerts>
    <alert id="file" path="/usr/share/pacemaker/alerts/alert_file.sh.sample">
      <meta_attributes id="file-meta">
        <nvpair id="m1" name="timeout" value="15s"/>
        <nvpair id="m2" name="timestamp-format" value="%H:%M"/>
      </meta_attributes>
      <instance_attributes id="file-inst">
        <nvpair id="i1" name="debug_exec_order" value="false"/>
        <nvpair id="i2" name="level" value="1"/>
      </instance_attributes>
      <recipient id="r1" value="/var/log/a.log"/>
      <recipient id="r2" value="/var/log/b.log">
        <meta_attributes id="r2-meta"><nvpair id="m3" name="timestamp-format" value="%s"/></meta_attributes>
        <instance_attributes id="r2-inst"><nvpair id="i3" name="level" value="2"/></instance_attributes>
      </recipient>
    </alert>
    <alert id="bare" path="/bin/true"/>
    <alert id="off" path="/bin/true">
      <meta_attributes id="off-meta"><nvpair id="m4" name="enabled" value="false"/></meta_attributes>
      <recipient id="r3" value="x"/>
    </alert>
    <alert id="nopath"/>
  </alerts>)");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].recipient, "/var/log/a.log");
  EXPECT_EQ(entries[0].timeout, milliseconds(15000));
  EXPECT_EQ(entries[0].timestamp_format, "%H:%M");
  EXPECT_EQ(entries[0].variables.at("level"), "1");
  EXPECT_EQ(entries[1].recipient, "/var/log/b.log");
  EXPECT_EQ(entries[1].timestamp_format, "%s");
  EXPECT_EQ(entries[1].timeout, milliseconds(15000));  // the alert's, not overridden
  EXPECT_EQ(entries[1].variables.at("level"), "2");
  EXPECT_EQ(entries[1].variables.at("debug_exec_order"), "false");
  // An alert without recipients still runs, with no recipient; defaults apply.
  EXPECT_EQ(entries[2].id, "bare");
  EXPECT_EQ(entries[2].recipient, "");
  EXPECT_EQ(entries[2].timeout, kDefaultAlertTimeout);
  EXPECT_EQ(entries[2].timestamp_format, kDefaultAlertTimestampFormat);
}

TEST(Alerts, SelectFiltersTheKindsOfEvent) {
  auto entries = read(R"(<alerts>
    <alert id="default" path="/bin/true"/>
    <alert id="fence-only" path="/bin/true"><select><select_fencing/></select></alert>
    <alert id="attrs" path="/bin/true">
      <select><select_attributes><attribute id="a1" name="master-db"/></select_attributes></select>
    </alert>
    <alert id="zero-timeout" path="/bin/true">
      <meta_attributes id="z"><nvpair id="z1" name="timeout" value="0"/></meta_attributes>
    </alert>
  </alerts>)");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_TRUE(entries[0].wants(AlertKind::kNode));
  EXPECT_TRUE(entries[0].wants(AlertKind::kResource));
  EXPECT_TRUE(entries[0].wants(AlertKind::kFencing));
  EXPECT_FALSE(entries[0].wants(AlertKind::kAttribute, "x"));  // only when selected
  EXPECT_TRUE(entries[1].wants(AlertKind::kFencing));
  EXPECT_FALSE(entries[1].wants(AlertKind::kNode));
  EXPECT_TRUE(entries[2].wants(AlertKind::kAttribute, "master-db"));
  EXPECT_FALSE(entries[2].wants(AlertKind::kAttribute, "other"));
  EXPECT_FALSE(entries[2].wants(AlertKind::kResource));
  EXPECT_EQ(entries[3].timeout, kDefaultAlertTimeout);
}

class UtcTime : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  // 2026-12-07 10:20:30.123456 UTC
  static std::chrono::system_clock::time_point when() {
    return std::chrono::system_clock::time_point(std::chrono::microseconds(1796638830123456LL));
  }

 private:
  std::optional<std::string> saved_;
};

TEST_F(UtcTime, TimestampFormatHasPacemakersFractionOfASecond) {
  EXPECT_EQ(formatAlertTimestamp("%H:%M:%S.%06N", when()), "10:20:30.123456");
  EXPECT_EQ(formatAlertTimestamp("%Y-%m-%d,%H:%M:%S.%01N", when()), "2026-12-07,10:20:30.1");
  EXPECT_EQ(formatAlertTimestamp("%3N|%9N|%N|%%", when()), "123|123456||%");
  EXPECT_EQ(formatAlertTimestamp("%s", when()), "1796638830");
}

TEST_F(UtcTime, EnvironmentCarriesEveryKeyTwiceAndTheInstanceAttributes) {
  AlertEntry entry;
  entry.id = "file";
  entry.path = "/bin/true";
  entry.recipient = "/tmp/alerts.log";
  entry.variables = {{"debug_exec_order", "true"}, {"bad name", "x"}};
  AlertEvent event;
  event.kind = AlertKind::kResource;
  event.node = "n2";
  event.rsc = "web";
  event.task = "monitor";
  event.interval_ms = 10000;
  event.target_rc = 0;
  event.status = 0;
  event.rc = 7;
  event.exec_time_ms = 12;
  event.desc = "not running";
  const auto env = alertEnvironment(entry, event, when(), 42);
  const auto has = [&](const std::string& line) {
    return std::find(env.begin(), env.end(), line) != env.end();
  };
  for (const char* prefix : {"CRM_alert_", "CRM_notify_"}) {
    const std::string p = prefix;
    EXPECT_TRUE(has(p + "kind=resource"));
    EXPECT_TRUE(has(p + "version=2.1.5"));
    EXPECT_TRUE(has(p + "recipient=/tmp/alerts.log"));
    EXPECT_TRUE(has(p + "node_sequence=42"));
    EXPECT_TRUE(has(p + "timestamp=10:20:30.123456"));
    EXPECT_TRUE(has(p + "timestamp_epoch=1796638830"));
    EXPECT_TRUE(has(p + "timestamp_usec=123456"));
    EXPECT_TRUE(has(p + "node=n2"));
    EXPECT_TRUE(has(p + "rsc=web"));
    EXPECT_TRUE(has(p + "task=monitor"));
    EXPECT_TRUE(has(p + "interval=10000"));
    EXPECT_TRUE(has(p + "target_rc=0"));
    EXPECT_TRUE(has(p + "status=0"));
    EXPECT_TRUE(has(p + "rc=7"));
    EXPECT_TRUE(has(p + "exec_time=12"));
    EXPECT_TRUE(has(p + "desc=not running"));
  }
  EXPECT_TRUE(has("debug_exec_order=true"));
  EXPECT_FALSE(std::any_of(env.begin(), env.end(),
                           [](const std::string& l) { return l.starts_with("bad name="); }));
  EXPECT_FALSE(std::any_of(env.begin(), env.end(), [](const std::string& l) {
    return l.starts_with("CRM_alert_attribute_name=");  // not an attribute event
  }));
}

// Waits until `path` holds at least `lines` lines (or 5 s pass); returns its text.
std::string waitForLines(const std::string& path, std::size_t lines) {
  std::string text;
  for (int i = 0; i < 250; ++i) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
    if (static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) >= lines) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return text;
}

TEST(AlertRunner, RunsEachWantingEntryWithItsEnvironment) {
  TempDir dir;
  const std::string agent = dir.path() + "/agent.sh";
  std::ofstream(agent) << "#!/bin/sh\necho \"$CRM_alert_kind $CRM_alert_node $CRM_alert_desc "
                          "$CRM_alert_nodeid $greeting\" >> \"$CRM_alert_recipient\"\n";
  ::chmod(agent.c_str(), 0755);
  AlertEntry to_a, to_b, fencing_only;
  to_a.id = to_b.id = fencing_only.id = "log";
  to_a.path = to_b.path = fencing_only.path = agent;
  to_a.recipient = dir.path() + "/a.log";
  to_b.recipient = dir.path() + "/b.log";
  to_b.variables["greeting"] = "hello";
  fencing_only.recipient = dir.path() + "/fencing.log";
  fencing_only.nodes = fencing_only.resources = false;
  {
    AlertRunner runner([](const std::string&) {});
    runner.setAlerts({to_a, to_b, fencing_only});
    AlertEvent lost;
    lost.kind = AlertKind::kNode;
    lost.node = "n3";
    lost.nodeid = 3;
    lost.desc = "lost";
    EXPECT_EQ(runner.send(lost), 2u);
    EXPECT_EQ(waitForLines(dir.path() + "/a.log", 1), "node n3 lost 3 \n");
    EXPECT_EQ(waitForLines(dir.path() + "/b.log", 1), "node n3 lost 3 hello\n");
  }
  std::ifstream fencing(dir.path() + "/fencing.log");
  EXPECT_FALSE(fencing.good());  // not for a node event
}

TEST(AlertRunner, AgentPastItsTimeoutIsKilled) {
  TempDir dir;
  const std::string agent = dir.path() + "/hang.sh";
  const std::string done = dir.path() + "/finished";
  std::ofstream(agent) << "#!/bin/sh\nsleep 1\ntouch " << done << "\n";
  ::chmod(agent.c_str(), 0755);
  AlertEntry entry;
  entry.id = "hang";
  entry.path = agent;
  entry.timeout = milliseconds(200);
  std::vector<std::string> log;
  std::mutex mutex;
  AlertRunner runner([&](const std::string& line) {
    std::lock_guard lock(mutex);
    log.push_back(line);
  });
  runner.setAlerts({entry});
  AlertEvent event;
  event.kind = AlertKind::kFencing;
  event.node = "n2";
  ASSERT_EQ(runner.send(event), 1u);
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mutex);
      if (std::any_of(log.begin(), log.end(),
                      [](const std::string& l) { return l.find("failed") != std::string::npos; }))
        break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  {
    std::lock_guard lock(mutex);
    ASSERT_TRUE(std::any_of(log.begin(), log.end(), [](const std::string& l) {
      return l.find("fencing alert via hang failed: timed out after 200 ms") != std::string::npos;
    })) << (log.empty() ? "" : log.back());
  }
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_FALSE(std::ifstream(done).good());  // its process group went with it
}

}  // namespace
}  // namespace pulse::crmd
