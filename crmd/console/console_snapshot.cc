#include "crmd/console/console_snapshot.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "crmd/admin/cluster_control.h"
#include "crmd/admin/status_reply.h"
#include "crmd/executor/agent_process.h"

namespace pulse::crmd::console {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kEvents = 200;
constexpr std::chrono::seconds kStatusTimeout{10};

}  // namespace

PcsRun PcsRunner::run(const std::vector<std::string>& words, std::chrono::milliseconds timeout,
                      const std::string& cib_user) const {
  ProgramCall call;
  call.path = path_;
  call.args = words;
  std::vector<std::string> env{"OCF_ROOT=" + ocf_root_, "LC_ALL=C.UTF-8"};
  if (!cib_user.empty()) env.push_back("CIB_user=" + cib_user);
  call.env = pulseToolEnvironment(env);
  call.timeout = timeout;
  const AgentResult result = runProgram(call, kDefaultOutputLimit, &cancelled_);
  PcsRun out;
  out.ran = result.status == ExecStatus::kDone;
  out.exit_status = result.exit_status;
  out.out = result.out.text;
  out.err = out.ran ? result.err.text
                    : result.message + (result.err.text.empty() ? "" : ": " + result.err.text);
  return out;
}

SnapshotPublisher::SnapshotPublisher(ClusterControl& cluster, std::string node_name,
                                     const PcsRunner& pcs)
    : cluster_(cluster), node_name_(std::move(node_name)), pcs_(pcs) {
  thread_ = std::thread([this] { run(); });
}

SnapshotPublisher::~SnapshotPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool SnapshotPublisher::lookLocked() {
  const auto now = std::chrono::steady_clock::now();
  const bool idle =
      last_look_ == std::chrono::steady_clock::time_point{} || now - last_look_ >= kIdleAfter;
  last_look_ = now;
  if (idle) {
    poked_ = true;
    changed_.notify_all();
  }
  return idle;
}

SnapshotPublisher::Document SnapshotPublisher::latest() {
  std::unique_lock lock(mutex_);
  if (!lookLocked()) return current_;
  const std::uint64_t stale = current_.seq;
  changed_.wait_for(lock, std::chrono::seconds(5),
                    [&] { return current_.seq > stale || stopping_; });
  return current_;
}

SnapshotPublisher::Document SnapshotPublisher::waitNewer(std::uint64_t seq,
                                                         std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  lookLocked();
  changed_.wait_for(lock, timeout, [&] { return current_.seq > seq || stopping_; });
  return current_;
}

void SnapshotPublisher::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  changed_.notify_all();
}

std::string SnapshotPublisher::facts() const {
  const ClusterSnapshot snapshot = cluster_.snapshot();
  std::string out = snapshot.running ? "running" : "stopped";
  if (snapshot.view) out += " view " + membership::toString(*snapshot.view);
  out += snapshot.quorum.quorate ? " quorate" : " inquorate";
  for (const MemberRuntime& m : snapshot.members) {
    out += " " + m.node.name + (m.in_view ? "+" : "-");
  }
  if (auto cib = cluster_.readCib()) {
    out += " cib " + toString(stampOf(cib->cib).version) + " dc " +
           (cib->dc ? std::to_string(*cib->dc) : "-");
  }
  bool truncated = false;
  const auto newest = cluster_.events().since(0, 1, &truncated);
  if (!newest.empty()) out += " event " + std::to_string(newest.back().at_ms) + newest.back().text;
  return out;
}

std::string SnapshotPublisher::build() const {
  Json doc = {{"node", node_name_}, {"generated_ms", wallClockMs()}};
  const ClusterSnapshot snapshot = cluster_.snapshot();
  doc["cluster_running"] = snapshot.running;
  doc["quorate"] = snapshot.quorum.quorate;
  Json members = Json::array();
  for (const MemberRuntime& m : snapshot.members) {
    members.push_back({{"name", m.node.name},
                       {"id", m.node.id},
                       {"in_view", m.in_view},
                       {"lost_at_ms", m.lost_at_ms},
                       {"local", m.node.id == snapshot.local_id}});
  }
  doc["members"] = std::move(members);
  if (auto cib = cluster_.readCib()) {
    doc["cib"] = cib->cib.xml;
    doc["cib_version"] = toString(stampOf(cib->cib).version);
    doc["dc"] = memberName(snapshot, cib->dc);
  } else {
    doc["cib"] = nullptr;
    doc["cib_error"] = cib.error().message;
  }
  const PcsRun status = pcs_.run({"status", "--output-format=json"}, kStatusTimeout);
  if (status.ran && status.exit_status == 0) {
    Json parsed = Json::parse(status.out, nullptr, false);
    if (!parsed.is_discarded()) doc["status"] = std::move(parsed);
  }
  if (!doc.contains("status")) {
    doc["status"] = nullptr;
    doc["status_error"] = status.err.empty() ? "pcs status gave no JSON" : status.err;
  }
  Json events = Json::array();
  for (const ClusterEvent& e : cluster_.events().since(0, kEvents)) {
    events.push_back({{"at_ms", e.at_ms}, {"kind", e.kind}, {"text", e.text}, {"who", e.who}});
  }
  doc["events"] = std::move(events);
  // Replacement characters for bad UTF-8 (an agent's exit reason can hold anything): the
  // document is always valid JSON.
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void SnapshotPublisher::run() {
  std::string last_facts;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      const bool idle = std::chrono::steady_clock::now() - last_look_ >= kIdleAfter;
      if (idle) {
        // Nobody looks: sleep until someone does (lookLocked pokes), reading nothing.
        changed_.wait(lock, [&] { return poked_ || stopping_; });
        last_facts.clear();  // whatever changed meanwhile, rebuild
      } else {
        changed_.wait_for(lock, kPoll, [&] { return poked_ || stopping_; });
      }
      if (stopping_) return;
    }
    std::string now = facts();
    bool poked = false;
    {
      std::lock_guard lock(mutex_);
      poked = std::exchange(poked_, false);
    }
    if (now == last_facts && !poked) continue;
    last_facts = std::move(now);
    std::string json = build();
    {
      std::lock_guard lock(mutex_);
      ++current_.seq;
      // The seq goes in last, as text, so the document need not be parsed again.
      json.insert(json.size() - 1, ",\"seq\":" + std::to_string(current_.seq));
      current_.json = std::move(json);
    }
    changed_.notify_all();
  }
}

}  // namespace pulse::crmd::console
