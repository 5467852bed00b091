#include "pcs-cli/stonith_history.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "crmd/cib/fence_history.h"
#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/live_cib.h"
#include "pcs-cli/local_status.h"
#include "pcs-cli/node_client.h"
#include "pcs-cli/status_commands.h"

namespace pulse::pcs {
namespace {

using cib::FenceEvent;

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

constexpr char kUsageShow[] = R"(
Usage: pcs stonith history...
    history [show [<node>]]
        Show fencing history for the specified node or all nodes if no node
        specified.

    history cleanup [<node>]
        Cleanup fence history of the specified node or all nodes if no node
        specified.

    history update
        Update fence history from all nodes.

)";

int usage(const std::string& sub) {
  if (sub.empty()) {
    std::cerr << kUsageShow;
  } else {
    // pcs prints the usage of the subcommand that was misused.
    const std::string head = "    history " + sub;
    const std::string text = kUsageShow;
    const std::size_t at = text.find(head);
    const std::size_t end = text.find("\n\n", at);
    std::cerr << "\nUsage: pcs stonith history " << sub << "...\n"
              << text.substr(at, end - at) << "\n\n";
  }
  return 1;
}

// The CIB to show: this node's own copy when it holds every acknowledged write (or there is no
// DC), else the DC's.
Result<std::string> readCib(const CibCommandOptions& options) {
  PcsOptions pcs;
  pcs.state_dir = options.state_dir;
  if (auto here = readLocalStatus(pcs.state_dir, pcs.request_timeout)) {
    if (here->has_cib() && (here->cib().current() || here->cib().dc() == 0))
      return here->cib().xml();
  }
  auto live = LiveCib::read(pcs);
  if (!live.ok()) return live.error();
  return live->xml();
}

std::vector<FenceEvent> eventsFor(const pugi::xml_node& cib, const std::string& node) {
  std::vector<FenceEvent> events = cib::sortFenceHistory(cib::readFenceHistory(cib));
  if (!node.empty()) {
    std::erase_if(events, [&](const FenceEvent& e) { return e.target != node; });
  }
  return events;
}

// One crm_mon list: "\nTITLE:\n  * line\n" for every event `keep` selects; "" when none does.
template <typename Keep>
std::string section(const std::vector<FenceEvent>& history, const char* title, bool full,
                    Keep keep) {
  std::string text;
  for (const FenceEvent& e : history) {
    if (!keep(e)) continue;
    text += "  * " + cib::describeFenceEvent(e, full, full, cib::laterSucceeded(e, history)) + "\n";
  }
  return text.empty() ? "" : "\n" + std::string(title) + ":\n" + text;
}

}  // namespace

std::string fenceHistoryText(const pugi::xml_node& cib, const std::string& node) {
  std::string text;
  const std::vector<FenceEvent> history = eventsFor(cib, node);
  for (const FenceEvent& e : history)
    text += cib::describeFenceEvent(e, true, false, cib::laterSucceeded(e, history)) + "\n";
  return text;
}

std::string fencingStatusSections(const pugi::xml_node& cib, bool full) {
  const std::vector<FenceEvent> history = eventsFor(cib, "");
  const auto failed = [](const FenceEvent& e) { return e.state == FenceEvent::State::kFailed; };
  std::string text = section(history, "Failed Fencing Actions", full, failed);
  if (full) {
    text +=
        section(history, "Fencing History", full, [&](const FenceEvent& e) { return !failed(e); });
  } else {
    text += section(history, "Pending Fencing Actions", full,
                    [](const FenceEvent& e) { return e.state == FenceEvent::State::kPending; });
  }
  return text;
}

int stonithHistoryCommand(const CibCommandOptions& options, const std::vector<std::string>& a) {
  const std::string sub = a.size() > 2 ? a[2] : "show";
  if (sub != "show" && sub != "cleanup" && sub != "update") return usage("");
  for (const std::string& w : options.words) {
    if (w.starts_with("-"))
      return fail("Specified option '" + w + "' is not supported in this command");
  }
  if (!options.file.empty()) return fail("Specified option '-f' is not supported in this command");
  if (options.json) return fail("Output format 'json' is not supported for this command");
  const std::size_t args = a.size() > 3 ? a.size() - 3 : 0;
  if (sub == "update") {
    if (args > 0) return usage("update");
    // Every node holds the same history (the CIB's): nothing to gather.
    std::cerr << "gather fencing-history from all nodes\n";
    return 0;
  }
  if (args > 1) return usage(sub == "show" ? "" : sub);
  const std::string node = args == 1 ? a[3] : "";
  if (sub == "show") {
    auto xml = readCib(options);
    if (!xml.ok()) return fail(xml.error().message);
    pugi::xml_document doc;
    if (!doc.load_buffer(xml->data(), xml->size()))
      return fail("the CIB read from the cluster is not XML");
    // pcs prints stonith_admin's output stripped, then a line break.
    std::string text = fenceHistoryText(doc.child("cib"), node);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::cout << text << "\n";
    return 0;
  }
  const int rc = runStatusEdit(
      options,
      [&](const std::string& xml) -> Result<StatusEdit> {
        pugi::xml_document doc;
        if (!doc.load_buffer(xml.data(), xml.size()))
          return Error{"the CIB read from the cluster is not XML"};
        const std::size_t removed = cib::cleanupFenceHistory(doc.child("cib"), node);
        StatusEdit done;
        done.changed = removed > 0;
        if (done.changed) {
          std::ostringstream text;
          doc.save(text, "  ");
          done.cib_xml = text.str();
        }
        return done;
      },
      "cleaning up the fencing history");
  if (rc == 0)
    std::cerr << "cleaning up fencing-history" << (node.empty() ? "" : " for node " + node) << "\n";
  return rc;
}

}  // namespace pulse::pcs
