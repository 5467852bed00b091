// Runs the engine on a CIB and renders results the way an operator reads them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "policy-engine/policy_engine.h"

namespace pulse::pe::testing {

// "Verb rsc (details)" for each Transition Summary line, sorted.
inline std::vector<std::string> summaryOf(const Transition& t) {
  std::vector<std::string> out;
  for (const SummaryItem& s : t.summary) {
    std::string line = s.verb + " " + s.resource + " (" + s.details + ")";
    if (s.reason.find("blocked") != std::string::npos) line += " blocked";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline Transition scheduleOk(const std::string& xml) {
  auto result = schedule(xml);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Transition{};
}

// Where a primitive runs after the transition ("" when stopped).
inline std::string placedOn(const Transition& t, const std::string& rsc) {
  for (const ResourceView& r : t.revised.resources) {
    if (r.id == rsc) return r.nodes.empty() ? "" : r.nodes.front();
    for (const ResourceView& m : r.members) {
      if (m.id == rsc) return m.nodes.empty() ? "" : m.nodes.front();
    }
  }
  return "?";
}

}  // namespace pulse::pe::testing
