// Failure counts per (resource, operation, interval), as crmd records them in node attributes
// under Pacemaker's names `fail-count-<rsc>#<op>_<interval ms>`. A plain value type; the
// executor owns one and only touches it on its io_context thread.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <tuple>

#include "crmd/executor/agent_process.h"

namespace pulse::crmd {

// Whether a result counts as a failure of `action`. A cancelled run never does; meta-data and
// validate-all never do (they say nothing about the resource). With `expected` (the
// transition's target rc) the answer is "not exactly that". Without it: anything but a
// completed run is a failure; a monitor may answer ok or promoted, a probe (interval 0) also
// not running; every other action must answer ok.
bool isFailure(std::string_view action, std::chrono::milliseconds interval,
               const AgentResult& result, std::optional<OcfCode> expected = std::nullopt);

class FailCounts {
 public:
  void record(const std::string& resource, const std::string& action,
              std::chrono::milliseconds interval);
  int count(const std::string& resource, const std::string& action,
            std::chrono::milliseconds interval) const;
  // Every non-zero count of `resource`, keyed by the Pacemaker attribute name.
  std::map<std::string, int> attributes(const std::string& resource) const;
  // Forgets every count of `resource` (pcs resource cleanup).
  void clear(const std::string& resource);

  static std::string attributeName(const std::string& resource, const std::string& action,
                                   std::chrono::milliseconds interval);

 private:
  using Key = std::tuple<std::string, std::string, long long>;  // resource, action, interval ms
  std::map<Key, int> counts_;  // invariant: every stored count is >= 1
};

}  // namespace pulse::crmd
