#include "crmd/cib/fence_history.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace pulse::cib {
namespace {

constexpr const char* kHistory = "pulse_fence_history";

const char* stateName(FenceEvent::State s) {
  switch (s) {
    case FenceEvent::State::kDone:
      return "done";
    case FenceEvent::State::kFailed:
      return "failed";
    case FenceEvent::State::kPending:
      break;
  }
  return "pending";
}

FenceEvent::State stateOf(std::string_view name) {
  if (name == "done") return FenceEvent::State::kDone;
  if (name == "failed") return FenceEvent::State::kFailed;
  return FenceEvent::State::kPending;
}

bool completed(const FenceEvent& e) { return e.state != FenceEvent::State::kPending; }

void setAttribute(pugi::xml_node node, const char* name, const std::string& value) {
  if (value.empty()) return;
  node.append_attribute(name) = value.c_str();
}

FenceEvent fromXml(const pugi::xml_node& x) {
  FenceEvent e;
  e.id = x.attribute("id").value();
  e.target = x.attribute("target").value();
  e.action = x.attribute("action").value();
  e.state = stateOf(x.attribute("state").value());
  e.delegate = x.attribute("delegate").value();
  e.client = x.attribute("client").value();
  e.origin = x.attribute("origin").value();
  e.devices = x.attribute("devices").value();
  e.exit_reason = x.attribute("exit-reason").value();
  e.started = x.attribute("started").as_llong();
  e.completed = x.attribute("completed").as_llong();
  return e;
}

void toXml(pugi::xml_node x, const FenceEvent& e) {
  setAttribute(x, "id", e.id);
  setAttribute(x, "target", e.target);
  setAttribute(x, "action", e.action);
  setAttribute(x, "state", stateName(e.state));
  setAttribute(x, "delegate", e.delegate);
  setAttribute(x, "client", e.client);
  setAttribute(x, "origin", e.origin);
  setAttribute(x, "devices", e.devices);
  setAttribute(x, "exit-reason", e.exit_reason);
  setAttribute(x, "started", std::to_string(e.started));
  if (completed(e)) setAttribute(x, "completed", std::to_string(e.completed));
}

}  // namespace

std::vector<FenceEvent> readFenceHistory(const pugi::xml_node& cib) {
  std::vector<FenceEvent> events;
  for (pugi::xml_node x : cib.child("status").child(kHistory).children("fence_event"))
    events.push_back(fromXml(x));
  return events;
}

void recordFenceEvent(pugi::xml_node cib, const FenceEvent& event) {
  pugi::xml_node status = cib.child("status") ? cib.child("status") : cib.append_child("status");
  pugi::xml_node history =
      status.child(kHistory) ? status.child(kHistory) : status.append_child(kHistory);
  if (pugi::xml_node old = history.find_child_by_attribute("fence_event", "id", event.id.c_str()))
    history.remove_child(old);
  toXml(history.append_child("fence_event"), event);
  std::size_t count = 0;
  for (pugi::xml_node x : history.children("fence_event")) {
    (void)x;
    ++count;
  }
  // Over the bound: drop the oldest completed event, one at a time (pending ones are in use).
  while (count > kMaxFenceEvents) {
    pugi::xml_node oldest;
    for (pugi::xml_node x : history.children("fence_event")) {
      if (std::string_view(x.attribute("state").value()) == "pending") continue;
      if (!oldest || x.attribute("completed").as_llong() < oldest.attribute("completed").as_llong())
        oldest = x;
    }
    if (!oldest) break;
    history.remove_child(oldest);
    --count;
  }
}

std::size_t cleanupFenceHistory(pugi::xml_node cib, std::string_view target) {
  pugi::xml_node history = cib.child("status").child(kHistory);
  std::vector<pugi::xml_node> doomed;
  for (pugi::xml_node x : history.children("fence_event")) {
    if (std::string_view(x.attribute("state").value()) == "pending") continue;
    if (!target.empty() && x.attribute("target").value() != target) continue;
    doomed.push_back(x);
  }
  for (pugi::xml_node x : doomed) history.remove_child(x);
  return doomed.size();
}

std::vector<FenceEvent> sortFenceHistory(std::vector<FenceEvent> events) {
  std::stable_sort(events.begin(), events.end(), [](const FenceEvent& a, const FenceEvent& b) {
    if (completed(a) != completed(b)) return !completed(a);
    return a.completed > b.completed;
  });
  return events;
}

std::string laterSucceeded(const FenceEvent& event, const std::vector<FenceEvent>& history) {
  if (event.state != FenceEvent::State::kFailed) return "";
  std::string other;
  for (const FenceEvent& e : history) {
    if (e.id == event.id || e.state != FenceEvent::State::kDone) continue;
    if (e.target != event.target || e.action != event.action || e.completed <= event.completed)
      continue;
    if (event.delegate.empty() || e.delegate == event.delegate) return e.delegate;
    if (other.empty()) other = e.delegate.empty() ? "some node" : e.delegate;
  }
  return other;
}

std::string pacemakerLogTime(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = text;
  const long offset = tm.tm_gmtoff;
  if (offset == 0) return out + "Z";
  // Time zone offsets are within a day: two digits each.
  const int abs = static_cast<int>((offset < 0 ? -offset : offset) % 86400);
  char zone[16];
  std::snprintf(zone, sizeof zone, " %c%02d:%02d", offset < 0 ? '-' : '+', abs / 3600,
                (abs % 3600) / 60);
  return out + zone;
}

std::string describeFenceEvent(const FenceEvent& e, bool full_history, bool technical,
                               const std::string& later_succeeded) {
  const bool done = completed(e);
  const std::string when = done ? pacemakerLogTime(e.completed) : "";
  std::string text = e.action + " of " + e.target;
  if (!technical) {
    if (done && !e.delegate.empty()) text += " by " + e.delegate;
    text += " for " + e.client + "@" + e.origin;
    if (!full_history) text += " last";
  }
  text += e.state == FenceEvent::State::kDone     ? " successful"
          : e.state == FenceEvent::State::kFailed ? " failed"
                                                  : " pending";
  if (e.state == FenceEvent::State::kFailed && !e.exit_reason.empty())
    text += " (" + e.exit_reason + ")";
  if (technical) {
    text += ": ";
    if (done && !e.delegate.empty()) text += "delegate=" + e.delegate + ", ";
    text += "client=" + e.client + ", origin=" + e.origin;
    if (done) {
      text += full_history                            ? ", completed"
              : e.state == FenceEvent::State::kFailed ? ", last-failed"
                                                      : ", last-successful";
      text += "='" + when + "'";
    }
  } else if (done) {
    text += " at " + when;
  }
  if (e.state == FenceEvent::State::kFailed && !later_succeeded.empty())
    text += " (a later attempt from " + later_succeeded + " succeeded)";
  return text;
}

}  // namespace pulse::cib
