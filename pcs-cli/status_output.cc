#include "pcs-cli/status_output.h"

#include <sstream>

#include "pcs-cli/json.h"
#include "policy-engine/simulate_output.h"

namespace pulse::pcs {
namespace {

std::string timeText(std::time_t t) {
  char text[64] = "";
  std::tm tm{};
  if (localtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%a %b %e %T %Y", &tm);
  return text;
}

// crm_mon counts primitives ("resource instances"), not groups.
std::size_t instances(const std::vector<pe::ResourceView>& resources) {
  std::size_t n = 0;
  for (const pe::ResourceView& r : resources) n += r.is_group ? instances(r.members) : 1;
  return n;
}

void resourcesJson(JsonWriter& json, const std::vector<pe::ResourceView>& resources) {
  json.beginArray();
  for (const pe::ResourceView& r : resources) {
    json.beginObject().key("id").value(r.id);
    if (r.is_group) {
      json.key("type").value("group").key("members");
      resourcesJson(json, r.members);
    } else {
      json.key("type").value("primitive").key("agent").value(r.agent);
      json.key("role").value(pe::roleName(r.nodes.empty() ? pe::Role::Stopped : r.role));
      json.key("nodes").beginArray();
      for (const std::string& n : r.nodes) json.value(n);
      json.endArray();
      json.key("failed").value(r.failed).key("managed").value(r.managed);
      json.key("disabled").value(r.disabled);
    }
    json.endObject();
  }
  json.endArray();
}

}  // namespace

std::string formatStatus(const ClusterStatus& s) {
  std::ostringstream out;
  out << "Cluster name: " << s.cluster_name << "\n";
  for (const std::string& node : s.unreachable) {
    out << "Warning: Unable to get the status of node " << node << ": it did not reply\n";
  }
  out << "Cluster Summary:\n  * Stack: pulse\n";
  if (s.dc) {
    out << "  * Current DC: " << *s.dc << " (version " << s.version << ") - partition "
        << (s.quorate ? "with" : "WITHOUT") << " quorum\n";
  } else if (!s.file.empty()) {
    out << "  * Current DC: NONE (CIB file " << s.file << ", not a running cluster)\n";
  } else {
    out << "  * Current DC: NONE\n";
  }
  out << "  * Last updated: " << timeText(s.now) << "\n";
  if (s.last_change) {
    out << "  * Last change:  " << timeText(*s.last_change)
        << (s.last_change_by.empty() ? "" : " by " + s.last_change_by) << "\n";
  }
  out << "  * " << s.view.nodes.size() << " node" << (s.view.nodes.size() == 1 ? "" : "s")
      << " configured\n";
  const std::size_t n = instances(s.view.resources);
  out << "  * " << n << " resource instance" << (n == 1 ? "" : "s") << " configured\n\n";
  out << pe::formatClusterView(s.view, "");
  if (!s.failed_actions.empty()) {
    out << "\nFailed Resource Actions:\n";
    for (const FailedAction& f : s.failed_actions) {
      out << "  * " << f.key << " on " << f.node << " '" << f.rc_text << "' (" << f.rc
          << "): call=0, status='complete', exitreason='" << f.exit_reason << "', last-rc-change='"
          << timeText(f.last_rc_change) << "', queued=0ms, exec=" << f.exec_ms << "ms\n";
    }
  }
  if (s.file.empty()) out << "\nDaemon Status:\n  crmd: " << s.daemon_status << "\n";
  return out.str();
}

std::string statusJson(const ClusterStatus& s) {
  JsonWriter json;
  json.beginObject().key("cluster_name").value(s.cluster_name).key("dc");
  if (s.dc) {
    json.value(*s.dc);
  } else {
    json.null();
  }
  json.key("quorate").value(s.quorate).key("nodes").beginArray();
  for (const pe::NodeView& n : s.view.nodes) {
    json.beginObject()
        .key("name")
        .value(n.name)
        .key("online")
        .value(n.online)
        .key("standby")
        .value(n.standby)
        .key("maintenance")
        .value(n.maintenance)
        .key("unclean")
        .value(n.unclean)
        .endObject();
  }
  json.endArray().key("resources");
  resourcesJson(json, s.view.resources);
  json.key("failed_actions").beginArray();
  for (const FailedAction& f : s.failed_actions) {
    json.beginObject()
        .key("operation")
        .value(f.key)
        .key("node")
        .value(f.node)
        .key("rc")
        .value(static_cast<std::uint64_t>(f.rc))
        .key("rc_text")
        .value(f.rc_text)
        .key("exit_reason")
        .value(f.exit_reason)
        .endObject();
  }
  json.endArray().key("unreachable_nodes").beginArray();
  for (const std::string& node : s.unreachable) json.value(node);
  json.endArray();
  if (!s.file.empty()) json.key("file").value(s.file);
  json.endObject();
  return json.text() + "\n";
}

}  // namespace pulse::pcs
