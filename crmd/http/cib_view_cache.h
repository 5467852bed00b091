// The policy engine's current view of this node's copy of the CIB (what pcs status shows),
// computed once per copy and shared by everything on the node that reads it often: the route
// checks (route_source.h: HAProxy asks every half second) and /metrics (Prometheus scrapes
// every 15 s or so). A read with an unchanged copy costs a text comparison, not an engine run.
//
// Thread-safety: view() may be called from any thread (the check server's and the metrics
// server's); a caller that finds a new copy runs the engine under the lock, so two threads
// never run it twice for one copy.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "policy-engine/policy_engine.h"

namespace pulse::crmd::http {

class CibViewCache {
 public:
  // The current view of `cib_xml`; null when the engine refuses that copy (logged once per
  // copy).
  std::shared_ptr<const pe::ClusterView> view(const std::string& cib_xml);

  // Engine runs so far: one per distinct copy asked about in a row.
  std::uint64_t engineRuns() const;

 private:
  mutable std::mutex mutex_;
  bool read_ = false;     // cib_text_ holds a copy (an empty CIB text is a copy too)
  std::string cib_text_;  // the copy view_ was computed from
  std::shared_ptr<const pe::ClusterView> view_;  // null: the engine refused cib_text_
  std::uint64_t runs_ = 0;
};

}  // namespace pulse::crmd::http
