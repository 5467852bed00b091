#include "pcs-cli/wait_idle.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <thread>
#include <tuple>

#include "pcs-cli/live_cib.h"
#include "policy-engine/policy_engine.h"

namespace pulse::pcs {
namespace {

bool atLeast(const peer::CibVersion& a, const peer::CibVersion& b) {
  return std::tuple(a.admin_epoch(), a.epoch(), a.num_updates()) >=
         std::tuple(b.admin_epoch(), b.epoch(), b.num_updates());
}

void collectNodes(const pe::ResourceView& r, std::vector<std::string>& out) {
  for (const std::string& n : r.nodes) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  for (const pe::ResourceView& m : r.members) collectNodes(m, out);
}

}  // namespace

Result<std::optional<std::chrono::seconds>> takeWaitFlag(std::vector<std::string>& words) {
  std::optional<std::chrono::seconds> wait;
  for (auto it = words.begin(); it != words.end();) {
    if (*it == "--wait") {
      wait = kDefaultWait;
    } else if (it->starts_with("--wait=")) {
      const std::string text = it->substr(7);
      long long seconds = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (ec != std::errc() || end != text.data() + text.size() || seconds <= 0) {
        return Error{"'" + text + "' is not a valid number of seconds to wait"};
      }
      wait = std::chrono::seconds(seconds);
    } else {
      ++it;
      continue;
    }
    it = words.erase(it);
  }
  return wait;
}

Result<std::string> waitForIdle(const PcsOptions& options, const peer::CibVersion& written,
                                std::chrono::seconds limit, WaitAnnounce announce) {
  if (announce == WaitAnnounce::kAnnounce) {
    std::cout << "Waiting for the cluster to apply configuration changes..." << std::endl;
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string last_error;
  for (;;) {
    auto cib = LiveCib::read(options);
    if (cib.ok() && cib->transitionIdle() && atLeast(cib->version(), written)) return cib->xml();
    if (!cib.ok()) last_error = cib.error().message;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error{"Waiting timeout" + (last_error.empty() ? "" : "\n\n" + last_error)};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::vector<std::string> resourceNodes(const std::string& cib_xml, const std::string& rsc) {
  std::vector<std::string> nodes;
  if (auto transition = pe::schedule(cib_xml); transition.ok()) {
    if (const pe::ResourceView* view = findView(transition->current.resources, rsc)) {
      collectNodes(*view, nodes);
    }
  }
  return nodes;
}

std::string resourceLocation(const std::string& cib_xml, const std::string& rsc) {
  auto list = [](const std::vector<std::string>& nodes) {
    std::string out = nodes.size() > 1 ? "nodes " : "node ";
    for (std::size_t i = 0; i < nodes.size(); ++i) out += (i ? ", " : "") + nodes[i];
    return out;
  };
  // A promotable clone: where it is promoted, then where it runs unpromoted (pcs 0.11 lists
  // the roles the same way, "promoted on node n2; unpromoted on nodes n1, n3").
  if (auto transition = pe::schedule(cib_xml); transition.ok()) {
    const pe::ResourceView* view = findView(transition->current.resources, rsc);
    if (view != nullptr && view->promotable) {
      std::vector<std::string> promoted, unpromoted;
      for (const pe::ResourceView& instance : view->members) {
        std::vector<std::string> nodes;
        collectNodes(instance, nodes);
        auto& to = instance.role == pe::Role::Promoted ? promoted : unpromoted;
        to.insert(to.end(), nodes.begin(), nodes.end());
      }
      std::sort(promoted.begin(), promoted.end());
      std::sort(unpromoted.begin(), unpromoted.end());
      std::string roles;
      if (!promoted.empty()) roles = "promoted on " + list(promoted);
      if (!unpromoted.empty()) {
        roles += (roles.empty() ? "" : "; ") + std::string("unpromoted on ") + list(unpromoted);
      }
      if (!roles.empty()) return "Resource '" + rsc + "' is " + roles + ".";
    }
  }
  const std::vector<std::string> nodes = resourceNodes(cib_xml, rsc);
  if (nodes.empty()) return "Resource '" + rsc + "' is not running on any node";
  return "Resource '" + rsc + "' is running on " + list(nodes) + ".";
}

const pe::ResourceView* findView(const std::vector<pe::ResourceView>& resources,
                                 const std::string& id) {
  for (const pe::ResourceView& r : resources) {
    if (r.id == id) return &r;
    if (const pe::ResourceView* m = findView(r.members, id)) return m;
  }
  return nullptr;
}

}  // namespace pulse::pcs
