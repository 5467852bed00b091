// What the console's page shows, as one JSON document, rebuilt when the cluster changes:
//   status       `pcs status --output-format=json` on this node (nodes, resources with where
//                they run, failed actions, DC, quorum), by the node's own pcs
//   cib          this node's copy of the CIB (constraints, properties and resource
//                configuration are read from it by the page)
//   members      the membership: every configured node, whether it is in the view
//   events       the newest 200 entries of the node's event journal
//   seq          grows by one per document
// A change is noticed by polling every kPoll what is cheap to read (the CIB's version, the
// view, the quorum, the journal's newest entry); only a change runs pcs. So a change shows
// within kPoll + one pcs run (tens of milliseconds) of reaching this node. Only while someone
// looks: with no call of latest() or waitNewer() for kIdleAfter the thread sleeps without a
// timer and reads nothing, so a node nobody watches pays nothing; the next look rebuilds first.
//
// Thread-safety: latest(), waitNewer() and poke() from any thread; one thread of its own polls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pulse::crmd {
class ClusterControl;
}

namespace pulse::crmd::console {

// The node's pcs, run as a separate process (crmd/executor's runProgram: own session, bounded
// output, killed at its timeout).
struct PcsRun {
  bool ran = false;  // false: the program could not be run at all (see err)
  int exit_status = -1;
  std::string out, err;
};
class PcsRunner {
 public:
  PcsRunner(std::string path, std::string ocf_root)
      : path_(std::move(path)), ocf_root_(std::move(ocf_root)) {}
  // `cib_user`: the run acts for that user (CIB_user), so crmd applies its ACLs; "" for crmd's
  // own (root's) rights.
  PcsRun run(const std::vector<std::string>& words, std::chrono::milliseconds timeout,
             const std::string& cib_user = "") const;
  const std::string& path() const { return path_; }
  // Kills every run in progress and every later one (crmd is stopping); any thread.
  void cancel() const { cancelled_ = true; }

 private:
  std::string path_;
  std::string ocf_root_;
  mutable std::atomic<bool> cancelled_{false};
};

class SnapshotPublisher {
 public:
  static constexpr std::chrono::milliseconds kPoll{200};
  static constexpr std::chrono::seconds kIdleAfter{30};

  SnapshotPublisher(ClusterControl& cluster, std::string node_name, const PcsRunner& pcs);
  ~SnapshotPublisher();  // stops and joins the thread

  struct Document {
    std::uint64_t seq = 0;
    std::string json;
  };
  // The current document; after an idle spell, a fresh one (waiting up to 5 s for it).
  Document latest();
  // Waits until a document newer than `seq` exists, the timeout passes or the publisher stops;
  // returns the latest either way.
  Document waitNewer(std::uint64_t seq, std::chrono::milliseconds timeout);
  // Rebuild now (after a change made through the console), without waiting for the poll.
  void poke();

 private:
  void run();
  // Marks a look now; true when nobody had looked for kIdleAfter (then asks for a rebuild).
  // Needs mutex_ held.
  bool lookLocked();
  std::string facts() const;  // what the poll compares
  std::string build() const;

  ClusterControl& cluster_;
  const std::string node_name_;
  const PcsRunner& pcs_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::chrono::steady_clock::time_point last_look_{};  // guarded by mutex_
  Document current_;                                   // guarded by mutex_
  bool poked_ = false;                                 // guarded by mutex_
  bool stopping_ = false;                              // guarded by mutex_
  std::thread thread_;                                 // last: starts once the rest is set
};

}  // namespace pulse::crmd::console
