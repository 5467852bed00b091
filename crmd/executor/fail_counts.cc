#include "crmd/executor/fail_counts.h"

namespace pulse::crmd {

bool isFailure(std::string_view action, std::chrono::milliseconds interval,
               const AgentResult& result, std::optional<OcfCode> expected) {
  if (result.status == ExecStatus::kCancelled) return false;
  if (action == "meta-data" || action == "validate-all") return false;
  if (result.status != ExecStatus::kDone) return true;
  if (expected) return result.code != *expected;
  if (action == "monitor") {
    return !(result.code == OcfCode::kOk || result.code == OcfCode::kRunningPromoted ||
             (interval.count() == 0 && result.code == OcfCode::kNotRunning));
  }
  return result.code != OcfCode::kOk;
}

void FailCounts::record(const std::string& resource, const std::string& action,
                        std::chrono::milliseconds interval) {
  ++counts_[Key{resource, action, interval.count()}];
}

int FailCounts::count(const std::string& resource, const std::string& action,
                      std::chrono::milliseconds interval) const {
  const auto it = counts_.find(Key{resource, action, interval.count()});
  return it == counts_.end() ? 0 : it->second;
}

std::map<std::string, int> FailCounts::attributes(const std::string& resource) const {
  std::map<std::string, int> out;
  for (auto it = counts_.lower_bound(Key{resource, "", 0});
       it != counts_.end() && std::get<0>(it->first) == resource; ++it) {
    const auto& [rsc, action, interval] = it->first;
    out[attributeName(rsc, action, std::chrono::milliseconds(interval))] = it->second;
  }
  return out;
}

void FailCounts::clear(const std::string& resource) {
  auto it = counts_.lower_bound(Key{resource, "", 0});
  while (it != counts_.end() && std::get<0>(it->first) == resource) it = counts_.erase(it);
}

std::string FailCounts::attributeName(const std::string& resource, const std::string& action,
                                      std::chrono::milliseconds interval) {
  return "fail-count-" + resource + "#" + action + "_" + std::to_string(interval.count());
}

}  // namespace pulse::crmd
