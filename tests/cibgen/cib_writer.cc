#include "cib_writer.h"

#include <charconv>
#include <utility>

namespace pulse::cibgen {
namespace {

constexpr int64_t kBaseTime = 1731400000;  // last-rc-change of the oldest operation

// Pacemaker's digest of a parameterless resource: md5(" <parameters/>\n"), used for every
// non-recurring operation.
constexpr std::string_view kDigestNoParams = "f2317cad3d54cec5d7d7aa7d0bf35cf8";
// Recurring operations keep the timeout in their digest:
// md5(" <parameters CRM_meta_timeout=\"20000\"/>\n"). Every monitor is written with timeout=20s.
constexpr std::string_view kDigestMonitor20s = "4811cef7f7f94e3a35a70be7916cb2fd";

void writeNvpair(Sink& out, std::string_view indent, std::string_view prefix, std::string_view name,
                 std::string_view value) {
  out << indent << "<nvpair id=\"" << prefix << "-" << name << "\" name=\"" << name << "\" value=\""
      << value << "\"/>\n";
}

void writeMeta(Sink& out, std::string_view indent, const std::string& owner,
               const MetaModel& meta) {
  if (meta.target_role.empty() && meta.stickiness.empty() && meta.migration_threshold.empty() &&
      meta.priority.empty()) {
    return;
  }
  const std::string set_id = owner + "-meta_attributes";
  const std::string inner = std::string(indent) + "  ";
  out << indent << "<meta_attributes id=\"" << set_id << "\">\n";
  if (!meta.target_role.empty()) writeNvpair(out, inner, set_id, "target-role", meta.target_role);
  if (!meta.stickiness.empty()) {
    writeNvpair(out, inner, set_id, "resource-stickiness", meta.stickiness);
  }
  if (!meta.migration_threshold.empty()) {
    writeNvpair(out, inner, set_id, "migration-threshold", meta.migration_threshold);
  }
  if (!meta.priority.empty()) writeNvpair(out, inner, set_id, "priority", meta.priority);
  out << indent << "</meta_attributes>\n";
}

// class="..." [provider="..."] type="..."
void writeAgent(Sink& out, const PrimitiveModel& p) {
  out << " class=\"" << p.agent_class << "\"";
  if (!p.provider.empty()) out << " provider=\"" << p.provider << "\"";
  out << " type=\"" << p.type << "\"";
}

void writeMonitorOp(Sink& out, std::string_view indent, const PrimitiveModel& p, int interval_s,
                    std::string_view role) {
  out << indent << "<op id=\"" << p.id << "-monitor-interval-" << interval_s << "s\" interval=\""
      << interval_s << "s\" name=\"monitor\"";
  if (!role.empty()) out << " role=\"" << role << "\"";
  out << " timeout=\"20s\"/>\n";
}

void writePrimitive(Sink& out, std::string_view indent, const PrimitiveModel& p) {
  const std::string inner = std::string(indent) + "  ";
  out << indent << "<primitive id=\"" << p.id << "\"";
  writeAgent(out, p);
  out << ">\n";
  writeMeta(out, inner, p.id, p.meta);
  out << inner << "<operations>\n";
  if (p.promoted_interval_s > 0) {
    writeMonitorOp(out, inner + "  ", p, p.promoted_interval_s, "Promoted");
    writeMonitorOp(out, inner + "  ", p, p.monitor_interval_s, "Unpromoted");
  } else {
    writeMonitorOp(out, inner + "  ", p, p.monitor_interval_s, "");
  }
  out << inner << "</operations>\n" << indent << "</primitive>\n";
}

void writeCloneMeta(Sink& out, std::string_view indent, const CloneModel& c) {
  const std::string set_id = c.id + "-meta_attributes";
  const std::string inner = std::string(indent) + "  ";
  out << indent << "<meta_attributes id=\"" << set_id << "\">\n";
  if (c.promotable) writeNvpair(out, inner, set_id, "promotable", "true");
  if (!c.clone_max.empty()) writeNvpair(out, inner, set_id, "clone-max", c.clone_max);
  if (!c.clone_node_max.empty()) {
    writeNvpair(out, inner, set_id, "clone-node-max", c.clone_node_max);
  }
  if (!c.interleave.empty()) writeNvpair(out, inner, set_id, "interleave", c.interleave);
  if (!c.promoted_max.empty()) writeNvpair(out, inner, set_id, "promoted-max", c.promoted_max);
  if (!c.meta.target_role.empty()) {
    writeNvpair(out, inner, set_id, "target-role", c.meta.target_role);
  }
  if (!c.meta.stickiness.empty()) {
    writeNvpair(out, inner, set_id, "resource-stickiness", c.meta.stickiness);
  }
  out << indent << "</meta_attributes>\n";
}

void writeCrmConfig(const ClusterModel& m, Sink& out) {
  constexpr std::string_view kIn = "        ";
  constexpr std::string_view kSet = "cib-bootstrap-options";
  out << "    <crm_config>\n"
      << "      <cluster_property_set id=\"cib-bootstrap-options\">\n";
  writeNvpair(out, kIn, kSet, "have-watchdog", "false");
  writeNvpair(out, kIn, kSet, "dc-version", "2.1.5-a3f44794f94");
  writeNvpair(out, kIn, kSet, "cluster-infrastructure", "corosync");
  writeNvpair(out, kIn, kSet, "cluster-name", "pulse-gen");
  writeNvpair(out, kIn, kSet, "stonith-enabled", m.knobs.fencing ? "true" : "false");
  writeNvpair(out, kIn, kSet, "symmetric-cluster", m.knobs.symmetric_cluster ? "true" : "false");
  writeNvpair(out, kIn, kSet, "no-quorum-policy", m.knobs.no_quorum_policy);
  out << "      </cluster_property_set>\n"
      << "    </crm_config>\n";
}

void writeNodes(const ClusterModel& m, Sink& out) {
  out << "    <nodes>\n";
  for (const NodeModel& n : m.nodes) {
    out << "      <node id=\"" << n.id << "\" uname=\"" << n.uname << "\"";
    if (!n.standby && !m.node_attributes) {
      out << "/>\n";
      continue;
    }
    const std::string set_id = "nodes-" + std::to_string(n.id);
    out << ">\n        <instance_attributes id=\"" << set_id << "\">\n";
    if (n.standby) writeNvpair(out, "          ", set_id, "standby", "on");
    if (m.node_attributes) {
      writeNvpair(out, "          ", set_id, "site", n.site);
      writeNvpair(out, "          ", set_id, "rack", std::to_string(n.rack));
      if (n.gpu) writeNvpair(out, "          ", set_id, "gpu", "1");
    }
    out << "        </instance_attributes>\n      </node>\n";
  }
  out << "    </nodes>\n";
}

void writeResources(const ClusterModel& m, Sink& out) {
  out << "    <resources>\n";
  for (const PrimitiveModel& p : m.primitives) {
    const GroupModel* g = p.group >= 0 ? &m.groups[p.group] : nullptr;
    if (g != nullptr && &m.primitives[g->members.front()] != &p) continue;  // with its group
    const int clone = g != nullptr ? g->clone : p.clone;
    std::string indent = "      ";
    if (clone >= 0) {
      const CloneModel& c = m.clones[clone];
      out << indent << "<clone id=\"" << c.id << "\">\n";
      writeCloneMeta(out, indent + "  ", c);
      indent += "  ";
    }
    if (g == nullptr) {
      writePrimitive(out, indent, p);
    } else {
      out << indent << "<group id=\"" << g->id << "\">\n";
      writeMeta(out, indent + "  ", g->id, g->meta);
      for (int member : g->members) writePrimitive(out, indent + "  ", m.primitives[member]);
      out << indent << "</group>\n";
    }
    if (clone >= 0) out << "      </clone>\n";
  }
  out << "    </resources>\n";
}

void writeConstraints(const ClusterModel& m, Sink& out) {
  out << "    <constraints>\n";
  for (const LocationModel& l : m.locations) {
    out << "      <rsc_location id=\"" << l.id << "\" rsc=\"" << l.rsc << "\"";
    if (!l.rule) {
      out << " node=\"" << l.node << "\" score=\"" << l.score << "\"/>\n";
      continue;
    }
    out << ">\n        <rule id=\"" << l.id << "-rule\" score=\"" << l.score << "\"";
    if (!l.boolean_op.empty()) out << " boolean-op=\"" << l.boolean_op << "\"";
    out << ">\n";
    if (l.attribute.empty()) {
      out << "          <expression id=\"" << l.id << "-rule-expr\" attribute=\"#uname\" "
          << "operation=\"" << (l.negate ? "ne" : "eq") << "\" value=\"" << l.node << "\"/>\n";
    } else {
      out << "          <expression id=\"" << l.id << "-rule-expr\" attribute=\"" << l.attribute
          << "\" operation=\"" << l.attr_op << "\"";
      if (!l.attr_value.empty()) out << " value=\"" << l.attr_value << "\"";
      if (l.attribute == "rack") out << " type=\"number\"";
      out << "/>\n";
    }
    if (!l.date_op.empty()) {
      out << "          <date_expression id=\"" << l.id << "-rule-date\" operation=\"" << l.date_op
          << "\"";
      if (!l.date_start.empty()) out << " start=\"" << l.date_start << "\"";
      if (!l.date_end.empty()) out << " end=\"" << l.date_end << "\"";
      out << "/>\n";
    }
    out << "        </rule>\n      </rsc_location>\n";
  }
  for (const ColocationModel& c : m.colocations) {
    out << "      <rsc_colocation id=\"" << c.id << "\" rsc=\"" << c.rsc << "\"";
    if (!c.rsc_role.empty()) out << " rsc-role=\"" << c.rsc_role << "\"";
    out << " with-rsc=\"" << c.with_rsc << "\"";
    if (!c.with_rsc_role.empty()) out << " with-rsc-role=\"" << c.with_rsc_role << "\"";
    out << " score=\"" << c.score << "\"/>\n";
  }
  for (const OrderModel& o : m.orders) {
    out << "      <rsc_order id=\"" << o.id << "\" first=\"" << o.first << "\"";
    if (!o.first_action.empty()) out << " first-action=\"" << o.first_action << "\"";
    out << " then=\"" << o.then << "\"";
    if (!o.then_action.empty()) out << " then-action=\"" << o.then_action << "\"";
    if (!o.kind.empty()) out << " kind=\"" << o.kind << "\"";
    if (!o.symmetrical.empty()) out << " symmetrical=\"" << o.symmetrical << "\"";
    out << "/>\n";
  }
  for (const SetConstraintModel& c : m.set_constraints) {
    const char* tag = c.order ? "rsc_order" : "rsc_colocation";
    out << "      <" << tag << " id=\"" << c.id << "\"";
    if (!c.kind.empty()) out << " kind=\"" << c.kind << "\"";
    if (!c.score.empty()) out << " score=\"" << c.score << "\"";
    out << ">\n";
    for (const ResourceSetModel& set : c.sets) {
      out << "        <resource_set id=\"" << set.id << "\"";
      if (!set.sequential.empty()) out << " sequential=\"" << set.sequential << "\"";
      out << ">\n";
      for (const std::string& rsc : set.resources) {
        out << "          <resource_ref id=\"" << rsc << "\"/>\n";
      }
      out << "        </resource_set>\n";
    }
    out << "      </" << tag << ">\n";
  }
  for (const RscTicketModel& t : m.rsc_tickets) {
    out << "      <rsc_ticket id=\"" << t.id << "\" rsc=\"" << t.rsc << "\"";
    if (!t.rsc_role.empty()) out << " rsc-role=\"" << t.rsc_role << "\"";
    out << " ticket=\"" << t.ticket << "\"";
    if (!t.loss_policy.empty()) out << " loss-policy=\"" << t.loss_policy << "\"";
    out << "/>\n";
  }
  out << "    </constraints>\n";
}

void writeRscDefaults(const ClusterModel& m, Sink& out) {
  if (m.knobs.default_stickiness.empty() && m.knobs.default_migration_threshold.empty()) return;
  constexpr std::string_view kSet = "rsc_defaults-meta_attributes";
  out << "    <rsc_defaults>\n      <meta_attributes id=\"" << kSet << "\">\n";
  if (!m.knobs.default_stickiness.empty()) {
    writeNvpair(out, "        ", kSet, "resource-stickiness", m.knobs.default_stickiness);
  }
  if (!m.knobs.default_migration_threshold.empty()) {
    writeNvpair(out, "        ", kSet, "migration-threshold", m.knobs.default_migration_threshold);
  }
  out << "      </meta_attributes>\n    </rsc_defaults>\n";
}

// Writes the status section: one node_state per node, with fail-counts and operation history.
class StatusWriter {
 public:
  StatusWriter(const ClusterModel& m, Sink& out) : m_(m), out_(out), rng_(m.seed ^ 0x737461ULL) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char& c : uuid_) {
      if (c != '-') c = kHex[rng_.below(16)];
    }
  }

  void write() {
    out_ << "  <status>\n";
    writeTickets();
    for (size_t n = 0; n < m_.nodes.size(); ++n) writeNode(n);
    out_ << "  </status>\n";
  }

 private:
  struct Op {
    std::string_view id_suffix;  // "last_0", "last_failure_0", "monitor_10000"
    std::string_view operation;  // start, stop, monitor
    int64_t interval_ms;
    int rc;
    int target_rc;
    int64_t call_id;
  };

  void writeTickets() {
    bool any = false;
    for (const TicketModel& t : m_.tickets) any = any || t.in_status;
    if (!any) return;
    out_ << "    <tickets>\n";
    for (const TicketModel& t : m_.tickets) {
      if (!t.in_status) continue;
      out_ << "      <ticket_state id=\"" << t.id << "\" granted=\""
           << (t.granted ? "true" : "false") << "\"";
      if (t.standby) out_ << " standby=\"true\"";
      out_ << "/>\n";
    }
    out_ << "    </tickets>\n";
  }

  void writeNode(size_t n) {
    const NodeModel& node = m_.nodes[n];
    out_ << "    <node_state id=\"" << node.id << "\" uname=\"" << node.uname << "\"";
    if (node.unclean) {
      // Lost without stopping its resources: membership says gone, nobody expected it to go.
      out_ << " in_ccm=\"false\" crmd=\"offline\" crm-debug-origin=\"post_cache_update\""
              " join=\"down\" expected=\"member\">\n";
    } else if (!node.online) {
      out_ << " in_ccm=\"false\" crmd=\"offline\" crm-debug-origin=\"do_state_transition\""
              " join=\"down\" expected=\"down\"/>\n";
      return;
    } else {
      out_ << " in_ccm=\"true\" crmd=\"online\" crm-debug-origin=\"do_update_resource\""
              " join=\"member\" expected=\"member\">\n";
    }
    writeTransientAttributes(n);
    out_ << "      <lrm id=\"" << node.id << "\">\n        <lrm_resources>\n";
    call_id_ = 1;
    for (size_t r = 0; r < m_.primitives.size(); ++r) {
      if (m_.at(r, n) != History::kNone) writeHistory(r, n);
    }
    out_ << "        </lrm_resources>\n      </lrm>\n    </node_state>\n";
  }

  void writeTransientAttributes(size_t n) {
    const std::string set_id = "status-" + std::to_string(m_.nodes[n].id);
    out_ << "      <transient_attributes id=\"" << m_.nodes[n].id << "\">\n"
         << "        <instance_attributes id=\"" << set_id << "\">\n"
         << "          <nvpair id=\"" << set_id << "-.feature-set\" name=\"#feature-set\" value=\""
         << m_.feature_set << "\"/>\n";
    for (size_t r = 0; r < m_.primitives.size(); ++r) {
      const History h = m_.at(r, n);
      const uint8_t count = m_.fail_count[r * m_.nodes.size() + n];
      if (h == History::kStartFailed || h == History::kStartFailedLive) {
        writeFailCount(set_id, r, "start_0", "INFINITY");
      } else if (h == History::kPromotedFailed) {
        writeFailCount(set_id, r, promotedMonitorKey(r), std::to_string(count));
      } else if (count > 0) {
        writeFailCount(set_id, r, monitorKey(r), std::to_string(count));
      }
      const int score =
          m_.promotion_score.empty() ? -1 : m_.promotion_score[r * m_.nodes.size() + n];
      if (score >= 0) {
        const std::string& rsc = m_.primitives[r].id;
        out_ << "          <nvpair id=\"" << set_id << "-master-" << rsc << "\" name=\"master-"
             << rsc << "\" value=\"" << static_cast<int64_t>(score) << "\"/>\n";
      }
    }
    out_ << "        </instance_attributes>\n      </transient_attributes>\n";
  }

  void writeFailCount(const std::string& set_id, size_t r, std::string_view op_key,
                      std::string_view value) {
    const std::string& rsc = m_.primitives[r].id;
    for (std::string_view what : {"fail-count-", "last-failure-"}) {
      out_ << "          <nvpair id=\"" << set_id << "-" << what << rsc << "." << op_key
           << "\" name=\"" << what << rsc << "#" << op_key << "\" value=\"";
      if (what == "fail-count-") {
        out_ << value;
      } else {
        out_ << kBaseTime + 3600;
      }
      out_ << "\"/>\n";
    }
  }

  std::string monitorKey(size_t r) const {
    return "monitor_" + std::to_string(m_.primitives[r].monitor_interval_s * 1000);
  }
  std::string promotedMonitorKey(size_t r) const {
    return "monitor_" + std::to_string(m_.primitives[r].promoted_interval_s * 1000);
  }

  void writeHistory(size_t r, size_t n) {
    const PrimitiveModel& p = m_.primitives[r];
    out_ << "          <lrm_resource id=\"" << p.id << "\"";
    writeAgent(out_, p);
    out_ << ">\n";
    const int64_t interval = p.monitor_interval_s * 1000;
    const std::string monitor_id = monitorKey(r);
    const bool old_failure = m_.fail_count[r * m_.nodes.size() + n] > 0;
    switch (m_.at(r, n)) {
      case History::kNone:
        break;
      case History::kProbed:
        writeOp(r, n, {"last_0", "monitor", 0, 7, 7, nextCall()});
        break;
      case History::kRunning:
        writeOp(r, n, {"last_0", "start", 0, 0, 0, nextCall()});
        writeOp(r, n, {monitor_id, "monitor", interval, 0, 0, nextCall()});
        break;
      case History::kMonitorError:
      case History::kMonitorStopped: {
        const int rc = m_.at(r, n) == History::kMonitorError ? 1 : 7;
        writeOp(r, n, {"last_0", "start", 0, 0, 0, nextCall()});
        const int64_t call = nextCall();
        writeOp(r, n, {monitor_id, "monitor", interval, rc, 0, call});
        writeOp(r, n, {"last_failure_0", "monitor", interval, rc, 0, call});
        break;
      }
      case History::kRecovered:
        writeOp(r, n, {"last_failure_0", "monitor", interval, 7, 0, nextCall()});
        writeOp(r, n, {"last_0", "start", 0, 0, 0, nextCall()});
        writeOp(r, n, {monitor_id, "monitor", interval, 0, 0, nextCall()});
        break;
      case History::kStopped:
        if (old_failure) writeOp(r, n, {"last_failure_0", "monitor", interval, 7, 0, nextCall()});
        writeOp(r, n, {"last_0", "stop", 0, 0, 0, nextCall()});
        break;
      case History::kStartFailed:
        writeOp(r, n, {"last_failure_0", "start", 0, 1, 0, nextCall()});
        writeOp(r, n, {"last_0", "stop", 0, 0, 0, nextCall()});
        break;
      case History::kStartFailedLive: {
        const int64_t call = nextCall();
        writeOp(r, n, {"last_failure_0", "start", 0, 1, 0, call});
        writeOp(r, n, {"last_0", "start", 0, 1, 0, call});
        break;
      }
      case History::kPromoted:
      case History::kPromotedFailed: {
        const int64_t promoted = p.promoted_interval_s * 1000;
        writeOp(r, n, {"last_0", "promote", 0, 0, 0, nextCall()});
        if (m_.at(r, n) == History::kPromoted) {
          writeOp(r, n, {promotedMonitorKey(r), "monitor", promoted, 8, 8, nextCall()});
        } else {
          const int64_t call = nextCall();
          writeOp(r, n, {promotedMonitorKey(r), "monitor", promoted, 1, 8, call});
          writeOp(r, n, {"last_failure_0", "monitor", promoted, 1, 8, call});
        }
        break;
      }
      case History::kNotInstalled: {
        const int64_t call = nextCall();
        writeOp(r, n, {"last_failure_0", "monitor", 0, 5, 7, call});
        writeOp(r, n, {"last_0", "monitor", 0, 5, 7, call});
        break;
      }
    }
    out_ << "          </lrm_resource>\n";
  }

  int64_t nextCall() { return call_id_++; }

  void writeOp(size_t r, size_t n, const Op& op) {
    const std::string& rsc = m_.primitives[r].id;
    const int64_t action = 1 + static_cast<int64_t>(rng_.below(60));
    const int64_t transition = static_cast<int64_t>(rng_.below(40));
    const int64_t changed = kBaseTime + op.call_id * 7 + static_cast<int64_t>(rng_.below(5));
    out_ << "            <lrm_rsc_op id=\"" << rsc << "_" << op.id_suffix << "\" operation_key=\""
         << rsc << "_" << op.operation << "_" << op.interval_ms << "\" operation=\"" << op.operation
         << "\" crm-debug-origin=\"do_update_resource\" crm_feature_set=\"" << m_.feature_set
         << "\" transition-key=\"" << action << ":" << transition << ":" << op.target_rc << ":"
         << uuid_ << "\" transition-magic=\"0:" << op.rc << ";" << action << ":" << transition
         << ":" << op.target_rc << ":" << uuid_ << "\" exit-reason=\"\" on_node=\""
         << m_.nodes[n].uname << "\" call-id=\"" << op.call_id << "\" rc-code=\"" << op.rc
         << "\" op-status=\"0\" interval=\"" << op.interval_ms << "\" last-rc-change=\"" << changed
         << "\" exec-time=\"" << static_cast<int64_t>(rng_.below(60))
         << "\" queue-time=\"0\" op-digest=\""
         << (op.interval_ms > 0 ? kDigestMonitor20s : kDigestNoParams) << "\"/>\n";
  }

  const ClusterModel& m_;
  Sink& out_;
  Rng rng_;
  std::string uuid_ = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  int64_t call_id_ = 1;
};

}  // namespace

Sink::Sink(WriteFn write) : write_(std::move(write)) { buffer_.reserve(kChunk + 4096); }

Sink::~Sink() { flush(); }

Sink& Sink::operator<<(int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  return *this << std::string_view(digits, static_cast<size_t>(result.ptr - digits));
}

bool Sink::flush() {
  if (ok_ && !buffer_.empty()) ok_ = write_(buffer_.data(), buffer_.size());
  buffer_.clear();
  return ok_;
}

bool writeModel(const ClusterModel& m, Sink& out) {
  int dc = 0;
  for (const NodeModel& n : m.nodes) {
    if (n.online) {
      dc = n.id;
      break;
    }
  }
  out << "<cib crm_feature_set=\"" << m.feature_set << "\" validate-with=\"pacemaker-3.7\" epoch=\""
      << static_cast<int64_t>(100 + m.seed % 900) << "\" num_updates=\"" << m.primitives.size()
      << "\" admin_epoch=\"0\""
      << " cib-last-written=\"Tue Nov 12 08:26:40 2024\" update-origin=\"node1\""
      << " update-client=\"cibadmin\" update-user=\"root\" have-quorum=\""
      << (m.have_quorum ? "1" : "0") << "\" dc-uuid=\"" << dc << "\"";
  if (m.execution_date > 0) out << " execution-date=\"" << m.execution_date << "\"";
  out << ">\n"
      << "  <configuration>\n";
  writeCrmConfig(m, out);
  writeNodes(m, out);
  writeResources(m, out);
  writeConstraints(m, out);
  writeRscDefaults(m, out);
  out << "  </configuration>\n";
  StatusWriter(m, out).write();
  out << "</cib>\n";
  return out.flush();
}

}  // namespace pulse::cibgen
