// The admin port's reserved pool follows the cluster's members (front_acceptor.h): which
// source addresses count as members, kept up to date on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "crmd/admin/cluster_control.h"
#include "crmd/admin/front_acceptor.h"

namespace pulse::crmd {

// How often the front's reserved pool is brought up to date with the cluster's members (a
// node set up, added or removed); until then a new member's connections count as a stranger's.
constexpr std::chrono::seconds kTrustedRefresh{5};

// The addresses of the cluster's members as this node knows them: the config's ring0
// addresses and the known and cluster hosts' (the admin addresses pcs host auth was given,
// and those pcs cluster setup handed to this node). Host names
// that are not literal addresses are ignored by the front.
std::set<std::string> memberAddresses(const ClusterControl& cluster, const std::string& state_dir);

// Keeps the front's reserved pool on the cluster's members: at start, whenever
// refreshSoon() is called (a cluster set up or destroyed) and every kTrustedRefresh (a safety
// net). Its own thread, since snapshot() may wait behind a cluster start or stop.
class TrustedSourceRefresher {
 public:
  TrustedSourceRefresher(const ClusterControl& cluster, std::string state_dir, FrontAcceptor& front)
      : cluster_(cluster),
        state_dir_(std::move(state_dir)),
        front_(front),
        thread_([this] { run(); }) {}
  ~TrustedSourceRefresher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void refreshSoon() {
    {
      std::lock_guard lock(mutex_);
      requested_ = true;
    }
    wake_.notify_all();
  }

 private:
  void run() {
    for (;;) {
      front_.setTrustedSources(memberAddresses(cluster_, state_dir_));
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kTrustedRefresh, [this] { return stopping_ || requested_; });
      if (stopping_) return;
      requested_ = false;
    }
  }

  const ClusterControl& cluster_;
  const std::string state_dir_;
  FrontAcceptor& front_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;   // guarded by mutex_
  bool requested_ = false;  // guarded by mutex_
  std::thread thread_;      // last: starts once the rest is ready
};

}  // namespace pulse::crmd
