#include "pcs-cli/event_log.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace pulse::pcs {

std::vector<NodeEvent> mergeEvents(const std::vector<std::vector<NodeEvent>>& per_node) {
  std::vector<NodeEvent> all;
  for (const auto& events : per_node) all.insert(all.end(), events.begin(), events.end());
  // Stable: a node's events that share a millisecond keep the order the node recorded them in.
  std::stable_sort(all.begin(), all.end(), [](const NodeEvent& a, const NodeEvent& b) {
    if (a.at_ms != b.at_ms) return a.at_ms < b.at_ms;
    return a.node < b.node;
  });
  std::vector<NodeEvent> out;
  for (NodeEvent& e : all) {
    // Duplicates sit within the same millisecond and node: look back over that run only.
    bool seen = false;
    for (auto it = out.rbegin(); it != out.rend() && it->at_ms == e.at_ms && it->node == e.node;
         ++it) {
      if (*it == e) seen = true;
    }
    if (!seen) out.push_back(std::move(e));
  }
  return out;
}

std::string formatTime(std::int64_t at_ms) {
  const std::time_t seconds = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(at_ms % 1000));
  return std::string(text) + ms;
}

std::string formatEvent(const NodeEvent& event, std::size_t node_width) {
  std::string node = event.node;
  if (node.size() < node_width) node += std::string(node_width - node.size(), ' ');
  std::string kind = event.kind;
  if (kind.size() < 10) kind += std::string(10 - kind.size(), ' ');
  return formatTime(event.at_ms) + " " + node + "  " + kind + "  " + event.text +
         (event.who.empty() ? "" : "  [by " + event.who + "]");
}

std::string eventsJson(const std::vector<NodeEvent>& events,
                       const std::vector<std::string>& unreachable) {
  nlohmann::json out = nlohmann::json::object();
  out["unreachable"] = unreachable;
  out["events"] = nlohmann::json::array();
  for (const NodeEvent& e : events) {
    out["events"].push_back({{"time", formatTime(e.at_ms)},
                             {"at_ms", e.at_ms},
                             {"node", e.node},
                             {"kind", e.kind},
                             {"text", e.text},
                             {"who", e.who}});
  }
  return out.dump(2) + "\n";
}

namespace {

bool number(std::string_view text, int& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<std::int64_t> parseSince(const std::string& text, std::int64_t now_ms) {
  const Error bad{"'" + text +
                  "' is not a valid --since value: use a duration (90s, 10m, 2h, 1d) or a UTC "
                  "time (2026-12-07 05:40[:00])"};
  if (text.size() >= 2 && std::isdigit(static_cast<unsigned char>(text[0]))) {
    const char unit = text.back();
    const std::int64_t scale = unit == 's'   ? 1000
                               : unit == 'm' ? 60'000
                               : unit == 'h' ? 3'600'000
                               : unit == 'd' ? 86'400'000
                                             : 0;
    int amount = 0;
    if (scale != 0 && number(std::string_view(text).substr(0, text.size() - 1), amount)) {
      return now_ms - amount * scale;
    }
  }
  // YYYY-MM-DD[ T]HH:MM[:SS[.mmm]][Z]
  std::string t = text;
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  if (t.size() < 16 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') ||
      t[13] != ':') {
    return bad;
  }
  std::tm tm{};
  int ms = 0;
  if (!number(std::string_view(t).substr(0, 4), tm.tm_year) ||
      !number(std::string_view(t).substr(5, 2), tm.tm_mon) ||
      !number(std::string_view(t).substr(8, 2), tm.tm_mday) ||
      !number(std::string_view(t).substr(11, 2), tm.tm_hour) ||
      !number(std::string_view(t).substr(14, 2), tm.tm_min)) {
    return bad;
  }
  if (t.size() > 16) {
    if (t[16] != ':' || t.size() < 19 || !number(std::string_view(t).substr(17, 2), tm.tm_sec)) {
      return bad;
    }
    if (t.size() > 19 && (t[19] != '.' || !number(std::string_view(t).substr(20), ms))) return bad;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace pulse::pcs
