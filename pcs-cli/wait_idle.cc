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
                                std::chrono::seconds limit) {
  std::cout << "Waiting for the cluster to apply configuration changes..." << std::endl;
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
  const std::vector<std::string> nodes = resourceNodes(cib_xml, rsc);
  if (nodes.empty()) return "Resource '" + rsc + "' is not running on any node";
  std::string list;
  for (const std::string& n : nodes) list += (list.empty() ? "" : ", ") + n;
  return "Resource '" + rsc + "' is running on node" + (nodes.size() > 1 ? "s " : " ") + list + ".";
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
