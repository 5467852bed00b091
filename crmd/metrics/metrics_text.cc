#include "crmd/metrics/metrics_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <pugixml.hpp>
#include <set>

#include "crmd/cib/parsed_cib.h"
#include "membership/packet_auth.h"
#include "policy-engine/cib_config.h"
#include "policy-engine/policy_engine.h"

namespace pulse::crmd::metrics {

namespace {

// Pacemaker's INFINITY; crm_mon and the exporter show fail counts at or above it as +Inf.
constexpr double kPacemakerInfinity = 1000000;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A Pacemaker score: INFINITY/+INFINITY/-INFINITY or an integer (anything else reads 0, as
// the exporter reads it).
double scoreValue(std::string_view text) {
  if (text == "INFINITY" || text == "+INFINITY") return HUGE_VAL;
  if (text == "-INFINITY") return -HUGE_VAL;
  long long v = 0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::from_chars(text.data(), text.data() + text.size(), v);
  return static_cast<double>(v);
}

std::string nodeName(const ClusterSnapshot& c, membership::NodeId id) {
  for (const MemberRuntime& m : c.members) {
    if (m.node.id == id) return m.node.name.empty() ? m.node.address : m.node.name;
  }
  return std::to_string(id);
}

std::string boolText(bool b) { return b ? "true" : "false"; }

// The node named `uname`'s <node_state>, or null.
pugi::xml_node nodeState(const pugi::xml_node& cib, const std::string& uname) {
  return cib.child("status").find_child_by_attribute("node_state", "uname", uname.c_str());
}

// migration-threshold of a primitive: its own meta attribute, else its group's or clone's,
// else rsc_defaults, else Pacemaker's default INFINITY (crm_mon shows 1000000).
double migrationThreshold(const pugi::xml_node& cib, const std::string& rsc) {
  pugi::xml_node prim = pe::cibconf::findPrimitive(cib, rsc);
  for (pugi::xml_node n = prim; n && std::string_view(n.name()) != "resources"; n = n.parent()) {
    auto meta = pe::cibconf::nvBlocks(n, "meta_attributes");
    if (auto it = meta.find("migration-threshold"); it != meta.end()) {
      return std::min(scoreValue(it->second), kPacemakerInfinity);
    }
  }
  auto defaults =
      pe::cibconf::nvBlocks(cib.child("configuration").child("rsc_defaults"), "meta_attributes");
  if (auto it = defaults.find("migration-threshold"); it != defaults.end()) {
    return std::min(scoreValue(it->second), kPacemakerInfinity);
  }
  return kPacemakerInfinity;
}

void pacemakerFamilies(const MetricsFacts& f, std::string& out) {
  const ClusterSnapshot& c = f.cluster;
  pugi::xml_document doc;
  if (!f.cib_xml || !f.view || !doc.load_buffer(f.cib_xml->data(), f.cib_xml->size())) return;
  const pugi::xml_node cib = doc.child("cib");
  if (!cib) return;
  const pe::ClusterView& view = *f.view;

  // Who is up is the membership's word (as pcs status shows it): a configured node in the
  // installed view is online.
  std::set<std::string> online;
  if (c.view) {
    for (membership::NodeId id : c.view->members) online.insert(nodeName(c, id));
  }
  const std::string dc = f.dc ? nodeName(c, *f.dc) : std::string();

  Family nodes("ha_cluster_pacemaker_nodes", "gauge",
               "The status of each node in the cluster; 1 means the node is in that status, 0 "
               "otherwise");
  for (const pe::NodeView& n : view.nodes) {
    const bool up = online.contains(n.name);
    const std::pair<const char*, bool> statuses[] = {
        {"dc", !dc.empty() && n.name == dc},
        {"expected_up", up},
        {"maintenance", n.maintenance},
        {"online", up},
        {"pending", false},
        {"shutdown", false},
        {"standby", n.standby},
        {"standby_onfail", false},
        {"unclean", false},
    };
    for (const auto& [status, on] : statuses) {
      nodes.add({{"node", n.name}, {"type", "member"}, {"status", status}}, on ? 1 : 0);
    }
  }
  out += nodes.text();

  Family resources("ha_cluster_pacemaker_resources", "gauge",
                   "The status of each resource in the cluster; 1 means the resource is in that "
                   "status, 0 otherwise");
  auto addResource = [&](const pe::ResourceView& r, const std::string& group) {
    std::vector<std::string> where = r.nodes;
    if (where.empty()) where.push_back("");
    for (const std::string& node : where) {
      const std::string role = node.empty() ? "stopped" : lower(pe::roleName(r.role));
      const std::pair<const char*, bool> statuses[] = {
          {"active", !node.empty()},  {"blocked", r.blocked}, {"failed", r.failed},
          {"failure_ignored", false}, {"orphaned", false},
      };
      for (const auto& [status, on] : statuses) {
        resources.add({{"node", node},
                       {"resource", r.id},
                       {"role", role},
                       {"managed", boolText(r.managed)},
                       {"status", status},
                       {"agent", r.agent},
                       {"group", group},
                       {"clone", ""}},
                      on ? 1 : 0);
      }
    }
  };
  for (const pe::ResourceView& r : view.resources) {
    if (r.is_group) {
      for (const pe::ResourceView& m : r.members) addResource(m, r.id);
    } else {
      addResource(r, "");
    }
  }
  out += resources.text();

  Family stonith("ha_cluster_pacemaker_stonith_enabled", "gauge",
                 "Whether or not stonith is enabled");
  stonith.add({}, pe::cibconf::stonithEnabled(cib) ? 1 : 0);
  out += stonith.text();
  Family maintenance("ha_cluster_pacemaker_maintenance_mode_enabled", "gauge",
                     "Whether or not cluster wide maintenance-mode is enabled");
  maintenance.add({}, pe::cibconf::clusterOption(cib, "maintenance-mode", "false") == "true");
  out += maintenance.text();

  // Fail counts and thresholds per node and primitive, for every primitive with a history
  // or a fail count on that node (crm_mon's node_history).
  std::map<std::pair<std::string, std::string>, double> fail_counts;
  for (const pe::NodeView& n : view.nodes) {
    const pugi::xml_node state = nodeState(cib, n.name);
    if (!state) continue;
    for (pugi::xml_node r : state.child("lrm").child("lrm_resources").children("lrm_resource")) {
      fail_counts.try_emplace({n.name, pe::cibconf::primitiveId(r.attribute("id").as_string())}, 0);
    }
    for (pugi::xml_node set : state.child("transient_attributes").children("instance_attributes")) {
      for (pugi::xml_node nv : set.children("nvpair")) {
        const std::string_view name = nv.attribute("name").as_string();
        if (!name.starts_with("fail-count-")) continue;
        const std::string_view rest = name.substr(std::string_view("fail-count-").size());
        const std::string rsc =
            pe::cibconf::primitiveId(std::string(rest.substr(0, rest.find('#'))));
        fail_counts[{n.name, rsc}] += scoreValue(nv.attribute("value").as_string());
      }
    }
  }
  Family fail("ha_cluster_pacemaker_fail_count", "gauge",
              "The Fail count number per node and resource id");
  Family threshold("ha_cluster_pacemaker_migration_threshold", "gauge",
                   "The migration_threshold number per node and resource id");
  for (const auto& [key, count] : fail_counts) {
    const Labels labels{{"node", key.first}, {"resource", key.second}};
    fail.add(labels, count >= kPacemakerInfinity ? HUGE_VAL : count);
    threshold.add(labels, migrationThreshold(cib, key.second));
  }
  out += fail.text();
  out += threshold.text();

  // The CIB's cib-last-written (ANSI C time, as crm_mon's last_change), when it carries one.
  Family last_change("ha_cluster_pacemaker_config_last_change", "counter",
                     "The timestamp of the last change of the cluster configuration");
  if (const char* written = cib.attribute("cib-last-written").as_string(); *written != '\0') {
    std::tm tm{};
    if (const char* end = strptime(written, "%a %b %e %H:%M:%S %Y", &tm); end && *end == '\0') {
      last_change.add({}, static_cast<double>(timegm(&tm)));
    }
  }
  out += last_change.text();

  Family constraints("ha_cluster_pacemaker_location_constraints", "gauge",
                     "Resource location constraints. The value indicates the score.");
  for (pugi::xml_node loc :
       cib.child("configuration").child("constraints").children("rsc_location")) {
    constraints.add({{"constraint", loc.attribute("id").as_string()},
                     {"node", loc.attribute("node").as_string()},
                     {"resource", loc.attribute("rsc").as_string()},
                     {"role", lower(loc.attribute("role").as_string())}},
                    scoreValue(loc.attribute("score").as_string()));
  }
  out += constraints.text();

  Family version("pulse_cib_version", "gauge",
                 "The version of this node's CIB copy: admin_epoch, epoch (grows with every "
                 "configuration write) and num_updates (status writes since)");
  for (const char* part : {"admin_epoch", "epoch", "num_updates"}) {
    version.add({{"part", part}}, static_cast<double>(cib.attribute(part).as_ullong()));
  }
  out += version.text();
}

void corosyncFamilies(const MetricsFacts& f, std::string& out) {
  const ClusterSnapshot& c = f.cluster;
  if (!c.running) return;
  Family quorate("ha_cluster_corosync_quorate", "gauge", "Whether or not the cluster is quorate");
  quorate.add({}, c.quorum.quorate ? 1 : 0);
  out += quorate.text();

  Family votes("ha_cluster_corosync_quorum_votes", "gauge",
               "Cluster quorum votes; one line per type");
  votes.add({{"type", "expected_votes"}}, c.quorum.expected_votes);
  // votequorum's highest expected is the expected votes here: every member announces the
  // same (quorum_exchange.h adopts the quorate partition's).
  votes.add({{"type", "highest_expected"}}, c.quorum.expected_votes);
  votes.add({{"type", "quorum"}}, c.quorum.quorum);
  votes.add({{"type", "total_votes"}}, c.quorum.total_votes);
  out += votes.text();

  // corosync-quorumtool's membership: the members of the installed view and their votes.
  Family member_votes("ha_cluster_corosync_member_votes", "gauge",
                      "How many votes each member node has contributed with to the current "
                      "quorum");
  for (const MemberRuntime& m : c.members) {
    if (!c.view || !c.view->contains(m.node.id)) continue;
    member_votes.add({{"node_id", std::to_string(m.node.id)},
                      {"node", m.node.name.empty() ? m.node.address : m.node.name},
                      {"local", boolText(m.node.id == c.local_id)}},
                     m.node.votes);
  }
  out += member_votes.text();

  // One link (ring0_addr): healthy while this node is in an installed view.
  std::string address;
  for (const MemberRuntime& m : c.members) {
    if (m.node.id == c.local_id) address = m.node.address;
  }
  Family rings("ha_cluster_corosync_rings", "gauge",
               "The status of each Corosync ring; 1 means healthy, 0 means faulty.");
  const std::string ring_id = c.view ? std::to_string(c.view->ring_id.representative) + "/" +
                                           std::to_string(c.view->ring_id.seq)
                                     : "";
  rings.add({{"ring_id", ring_id},
             {"node_id", std::to_string(c.local_id)},
             {"number", "0"},
             {"address", address}},
            c.view ? 1 : 0);
  out += rings.text();
  Family ring_errors("ha_cluster_corosync_ring_errors", "gauge",
                     "The total number of faulty corosync rings");
  ring_errors.add({}, c.view ? 0 : 1);
  out += ring_errors.text();
}

void pulseFamilies(const MetricsFacts& f, std::string& out) {
  const ClusterSnapshot& c = f.cluster;
  Family configured("pulse_cluster_configured", "gauge",
                    "Whether this node is in a cluster (pcs cluster setup ran)");
  configured.add({}, c.configured ? 1 : 0);
  out += configured.text();
  Family running("pulse_cluster_running", "gauge",
                 "Whether the cluster runs on this node (pcs cluster start)");
  running.add({}, c.running ? 1 : 0);
  out += running.text();
  Family parses("pulse_cib_parses_total", "counter",
                "Full CIB parses this crmd has made (stats.pulse.cib.parses)");
  parses.add({}, static_cast<double>(f.cib_parses));
  out += parses.text();
  Family engine_runs("pulse_status_engine_runs_total", "counter",
                     "Policy engine runs for the route checks and these metrics: one per copy of "
                     "the CIB, however often they are asked");
  engine_runs.add({}, static_cast<double>(f.status_engine_runs));
  out += engine_runs.text();
  if (!c.running) return;

  Family ring_seq("pulse_membership_ring_seq", "gauge",
                  "Sequence number of the installed view's ring id; it grows at every view "
                  "change");
  if (c.view) ring_seq.add({}, static_cast<double>(c.view->ring_id.seq));
  out += ring_seq.text();
  Family joins("pulse_membership_member_joins_total", "counter",
               "Views that brought the node into this node's membership since the cluster "
               "started here");
  for (const MemberRuntime& m : c.members) {
    joins.add({{"node_id", std::to_string(m.node.id)},
               {"node", m.node.name.empty() ? m.node.address : m.node.name}},
              m.join_count);
  }
  out += joins.text();

  Family transitions("pulse_transitions_total", "counter",
                     "Transitions the policy engine computed while this node was the DC (one "
                     "saved engine input each)");
  transitions.add({}, static_cast<double>(c.transitions));
  out += transitions.text();
  Family fencing("pulse_fencing_operations_total", "counter",
                 "Fencing operations this node ran (as DC), by outcome");
  fencing.add({{"outcome", "ok"}}, static_cast<double>(c.fencing_ok));
  fencing.add({{"outcome", "failed"}}, static_cast<double>(c.fencing_failed));
  out += fencing.text();

  const membership::ServiceStats& s = c.stats;
  Family accepted("pulse_membership_packets_accepted_total", "counter",
                  "Membership datagrams received and accepted (stats.pulse.rx.accepted)");
  accepted.add({}, static_cast<double>(s.packets.accepted));
  out += accepted.text();
  Family dropped("pulse_membership_packets_dropped_total", "counter",
                 "Membership datagrams received and dropped, by reason "
                 "(stats.pulse.rx.dropped.*)");
  for (std::size_t i = 0; i < membership::kDropReasonCount; ++i) {
    const auto reason = static_cast<membership::DropReason>(i);
    dropped.add({{"reason", std::string(membership::toString(reason))}},
                static_cast<double>(s.packets.droppedFor(reason)));
  }
  out += dropped.text();
  Family sent("pulse_membership_packets_sent_total", "counter", "Membership datagrams sent");
  sent.add({}, static_cast<double>(s.sent));
  out += sent.text();
  Family errors("pulse_membership_errors_total", "counter",
                "Membership transport errors, by kind (send: a datagram the socket refused; "
                "receive; persist: the state file could not be stored)");
  errors.add({{"kind", "send"}}, static_cast<double>(s.send_errors));
  errors.add({{"kind", "receive"}}, static_cast<double>(s.receive_errors));
  errors.add({{"kind", "persist"}}, static_cast<double>(s.persist_errors));
  out += errors.text();

  Family views("pulse_membership_view_changes_total", "counter",
               "Views installed on this node since crmd started");
  views.add({}, static_cast<double>(f.view_changes));
  out += views.text();
  Family detection("pulse_membership_detection_seconds", "histogram",
                   "For each member a view change lost: how long it had been silent when the "
                   "view without it was installed (failure detection time)");
  detection.addHistogram({}, f.detection);
  out += detection.text();
  Family cib_writes("pulse_cib_write_seconds", "histogram",
                    "CIB copies this node stored, and how long each write to disk took (write, "
                    "fsync, rename)");
  cib_writes.addHistogram({}, f.cib_writes);
  out += cib_writes.text();
  Family actions("pulse_action_duration_seconds", "histogram",
                 "Agent actions this node ran, and how long each took, by operation");
  for (const auto& [operation, histogram] : f.action_durations) {
    actions.addHistogram({{"operation", operation}}, histogram);
  }
  out += actions.text();
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, ec == std::errc() ? end : buf);
}

bool Family::add(const Labels& labels, double value) {
  std::string series;
  if (!labels.empty()) {
    series += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) series += ',';
      series += labels[i].first + "=\"" + escapeLabelValue(labels[i].second) + '"';
    }
    series += '}';
  }
  if (!series_.insert(series).second) return false;
  lines_.push_back(name_ + series + ' ' + formatValue(value) + '\n');
  return true;
}

bool Family::addHistogram(const Labels& labels, const HistogramSnapshot& histogram) {
  std::string inner;
  for (const auto& [name, value] : labels) {
    inner += name + "=\"" + escapeLabelValue(value) + "\",";
  }
  if (!series_.insert("{" + inner + "}").second) return false;
  for (std::size_t i = 0; i < histogram.cumulative.size(); ++i) {
    const std::string bound = i < kBucketBounds.size() ? formatValue(kBucketBounds[i]) : "+Inf";
    lines_.push_back(name_ + "_bucket{" + inner + "le=\"" + bound + "\"} " +
                     formatValue(static_cast<double>(histogram.cumulative[i])) + '\n');
  }
  if (!inner.empty()) inner.pop_back();
  const std::string series = inner.empty() ? "" : "{" + inner + "}";
  lines_.push_back(name_ + "_sum" + series + ' ' + formatValue(histogram.sum_seconds) + '\n');
  lines_.push_back(name_ + "_count" + series + ' ' +
                   formatValue(static_cast<double>(histogram.count)) + '\n');
  return true;
}

void addRuntimeStats(const RuntimeStats& stats, MetricsFacts& facts) {
  facts.view_changes = stats.view_changes.load(std::memory_order_relaxed);
  facts.detection = stats.detection.snapshot();
  facts.cib_writes = stats.cib_writes.snapshot();
  facts.action_durations.clear();
  for (std::size_t i = 0; i < kOperations.size(); ++i) {
    facts.action_durations.emplace_back(std::string(kOperations[i]), stats.actions[i].snapshot());
  }
}

std::string Family::text() const {
  if (lines_.empty()) return {};
  std::string out =
      "# HELP " + name_ + ' ' + escapeHelp(help_) + "\n# TYPE " + name_ + ' ' + type_ + '\n';
  for (const std::string& line : lines_) out += line;
  return out;
}

std::string renderMetrics(const MetricsFacts& facts) {
  std::string out;
  pacemakerFamilies(facts, out);
  corosyncFamilies(facts, out);
  pulseFamilies(facts, out);
  return out;
}

}  // namespace pulse::crmd::metrics
