// Node health; see node_health.h.
#include "node_health.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "assign.h"
#include "common/crm_bool.h"
#include "why.h"

namespace pulse::pe {
namespace {

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool isHealthAttribute(const std::string& name) { return name.starts_with("#health"); }

// Pacemaker's char2score with the health words: "red", "yellow" and "green"
// score what the strategy says; anything else is read as a score.
Score healthScore(const ClusterOptions& o, const std::string& value) {
  const std::string word = lowered(value);
  if (word == "red") return o.health_red;
  if (word == "yellow") return o.health_yellow;
  if (word == "green") return o.health_green;
  return parseScore(value).value_or(0);
}

Score optionScore(const Attributes& a, const char* name, Score fallback) {
  auto it = a.find(name);
  if (it == a.end()) return fallback;
  return parseScore(it->second).value_or(fallback);
}

}  // namespace

void readHealthOptions(const Attributes& a, ClusterOptions& o, std::vector<std::string>& warnings) {
  o.health_strategy = HealthStrategy::None;
  if (auto it = a.find("node-health-strategy"); it != a.end()) {
    const std::string value = lowered(it->second);
    if (value == "migrate-on-red") {
      o.health_strategy = HealthStrategy::MigrateOnRed;
    } else if (value == "only-green") {
      o.health_strategy = HealthStrategy::OnlyGreen;
    } else if (value == "progressive") {
      o.health_strategy = HealthStrategy::Progressive;
    } else if (value == "custom") {
      o.health_strategy = HealthStrategy::Custom;
    } else if (value != "none") {
      warnings.push_back("node-health-strategy '" + it->second +
                         "' is not one of none, migrate-on-red, only-green, progressive, "
                         "custom; using 'none'");
    }
  }
  switch (o.health_strategy) {
    case HealthStrategy::None:
      o.health_red = o.health_yellow = o.health_green = 0;
      break;
    case HealthStrategy::MigrateOnRed:
      o.health_red = -kInfinity;
      o.health_yellow = o.health_green = 0;
      break;
    case HealthStrategy::OnlyGreen:
      o.health_red = o.health_yellow = -kInfinity;
      o.health_green = 0;
      break;
    case HealthStrategy::Progressive:
    case HealthStrategy::Custom:
      o.health_red = optionScore(a, "node-health-red", -kInfinity);
      o.health_yellow = optionScore(a, "node-health-yellow", 0);
      o.health_green = optionScore(a, "node-health-green", 0);
      break;
  }
  o.health_base =
      o.health_strategy == HealthStrategy::Progressive ? optionScore(a, "node-health-base", 0) : 0;
}

void assessNodeHealth(WorkingSet& ws) {
  const ClusterOptions& o = ws.options;
  for (Node& node : ws.nodes) {
    node.health = 1;
    if (o.health_strategy == HealthStrategy::None) continue;
    for (const auto& [name, value] : node.attributes) {
      if (!isHealthAttribute(name)) continue;
      // The words first: red may score the same as yellow.
      const std::string word = lowered(value);
      if (word == "red") {
        node.health = -1;
        break;
      }
      if (word == "yellow") {
        node.health = 0;
        continue;
      }
      Score score = healthScore(o, value);
      if (score <= o.health_red) {
        node.health = -1;
        break;
      }
      if (score <= o.health_yellow && o.health_yellow != o.health_green) node.health = 0;
    }
  }
}

void applyNodeHealth(WorkingSet& ws) {
  const ClusterOptions& o = ws.options;
  if (o.health_strategy == HealthStrategy::None) return;
  for (std::size_t n = 0; n < ws.nodes.size(); ++n) {
    Score health = o.health_base;
    for (const auto& [name, value] : ws.nodes[n].attributes) {
      if (isHealthAttribute(name)) health = addScores(healthScore(o, value), health);
    }
    if (health == 0) continue;  // an even health changes nothing
    const std::vector<std::pair<int, Score>> scores{{static_cast<int>(n), health}};
    for (int top : ws.top_level) {
      Resource& r = ws.resources[static_cast<std::size_t>(top)];
      if (health < 0) {
        auto it = r.meta.find("allow-unhealthy-nodes");
        if (it != r.meta.end() && crmIsTrue(it->second)) continue;
      }
      applyLocation(ws, r, scores);
      noteWhy(ws, top, static_cast<int>(n), ReasonKind::Health, health, [&] {
        std::string text = "node health " + scoreText(health) + " (";
        for (const auto& [name, value] : ws.nodes[n].attributes) {
          if (isHealthAttribute(name)) text += name + "=" + value + " ";
        }
        return text + "node-health-strategy)";
      });
    }
  }
}

}  // namespace pulse::pe
