// <status> -> typed history: node_state, transient attributes, lrm_rsc_op.
// Kept lean: a large cluster's status holds a million operation records.
#include "unpacker.h"

namespace pulse::pe::xmlread {
namespace {

bool targetRcFromKey(std::string_view key, int& out) {
  std::size_t first = key.find(':');
  if (first == std::string_view::npos) return false;
  std::size_t second = key.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  std::size_t third = key.find(':', second + 1);
  if (third == std::string_view::npos) return false;
  std::string_view rc = key.substr(second + 1, third - second - 1);
  auto [ptr, ec] = std::from_chars(rc.data(), rc.data() + rc.size(), out);
  return ec == std::errc() && ptr == rc.data() + rc.size();
}

long long toLong(const char* text) {
  long long value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

// One <lrm_rsc_op>, reading each attribute once (a status section can hold
// a million of these).
// From a transition-magic "status:rc;action:transition:target-rc:uuid": whether the
// transition is -1 or the uuid is not the fake one ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
// that tools such as crm_simulate record operations under, with transition -1.
bool outlastsRecordedOps(std::string_view magic) {
  constexpr std::string_view kFakeController = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  const std::size_t semi = magic.find(';');
  if (semi == std::string_view::npos) return false;
  const std::string_view key = magic.substr(semi + 1);
  const std::size_t first = key.find(':');
  const std::size_t second = first == std::string_view::npos ? first : key.find(':', first + 1);
  const std::size_t third = second == std::string_view::npos ? second : key.find(':', second + 1);
  if (third == std::string_view::npos) return false;
  const std::string_view transition = key.substr(first + 1, second - first - 1);
  return transition == "-1" || key.substr(third + 1) != kFakeController;
}

void readOperation(const pugi::xml_node& op, OperationRecord& r) {
  long long last_run = 0;
  OperationRecord::Rare rare;
  bool any_rare = false;
  for (pugi::xml_attribute a = op.first_attribute(); a; a = a.next_attribute()) {
    const char* name = a.name();
    const char* value = a.value();
    // Dispatch on the first letter before comparing whole names.
    switch (name[0]) {
      case 'o':
        if (std::strcmp(name, "operation") == 0) {
          r.task = value;
        } else if (std::strcmp(name, "op-status") == 0) {
          r.op_status = toInt(value, 0);
        } else if (std::strcmp(name, "op-digest") == 0) {
          r.op_digest = value;
        } else if (std::strcmp(name, "op-restart-digest") == 0) {
          rare.restart_digest = value;
          any_rare = true;
        } else if (std::strcmp(name, "op-secure-digest") == 0) {
          rare.secure_digest = value;
          any_rare = true;
        } else if (std::strcmp(name, "on_node") == 0) {
          r.on_node = value;
        } else if (std::strcmp(name, "op-force-restart") == 0) {
          rare.op_force_restart = value;
          any_rare = true;
        } else if (std::strcmp(name, "op-secure-params") == 0) {
          rare.op_secure_params = value;
          any_rare = true;
        }
        break;
      case 'i':
        if (std::strcmp(name, "interval") == 0) {
          r.interval_ms = toLong(value);
        } else if (std::strcmp(name, "id") == 0) {
          std::string_view id = value;
          constexpr std::string_view kLastFailure = "_last_failure_0";
          r.is_last_failure = id.size() >= kLastFailure.size() &&
                              id.substr(id.size() - kLastFailure.size()) == kLastFailure;
        }
        break;
      case 'c':
        if (std::strcmp(name, "call-id") == 0) {
          r.call_id = toInt(value, 0);
        } else if (std::strcmp(name, "crm_feature_set") == 0) {
          r.feature_set = value;
        }
        break;
      case 'r':
        if (std::strcmp(name, "rc-code") == 0) r.rc = toInt(value, 0);
        break;
      case 't':
        if (std::strcmp(name, "transition-key") == 0) {
          r.has_target_rc = targetRcFromKey(value, r.target_rc);
        } else if (std::strcmp(name, "transition-magic") == 0) {
          r.outlasts_recorded_ops = outlastsRecordedOps(value);
        }
        break;
      case 'l':
        if (std::strcmp(name, "last-rc-change") == 0) {
          r.last_rc_change = toLong(value);
        } else if (std::strcmp(name, "last-run") == 0) {
          last_run = toLong(value);
        }
        break;
      case 'm':
        if (std::strcmp(name, "migrate_source") == 0) {
          rare.migrate_source = value;
          any_rare = true;
        } else if (std::strcmp(name, "migrate_target") == 0) {
          rare.migrate_target = value;
          any_rare = true;
        }
        break;
      case 'e':
        if (*value != '\0' && std::strcmp(name, "exit-reason") == 0) {
          rare.exit_reason = value;
          any_rare = true;
        }
        break;
      default:
        break;
    }
  }
  if (r.last_rc_change == 0) r.last_rc_change = last_run;
  if (any_rare) r.rare = std::make_shared<const OperationRecord::Rare>(std::move(rare));
}
}  // namespace

std::optional<Error> Unpacker::readStatus(const pugi::xml_node& node, Cib& cib) {
  for (pugi::xml_node t = node.child("tickets"); t; t = t.next_sibling("tickets")) {
    if (auto e = readTicketStates(t, cib)) return e;
  }
  for (pugi::xml_node ns = node.child("node_state"); ns; ns = ns.next_sibling("node_state")) {
    if (auto e = readNodeState(ns, cib)) return e;
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readNodeState(const pugi::xml_node& ns, Cib& cib) {
  NodeStateRecord rec;
  rec.id = ns.attribute("id").as_string("");
  rec.uname = ns.attribute("uname").as_string("");
  // Pacemaker skips a node_state without id with a warning: the node is then unseen, as if it
  // had no status at all. (One without uname is still read by its id: Pulse's controller
  // records a fenced node that way.)
  if (!ns.attribute("id")) {
    cib.warnings.push_back(where(ns) + ": node_state without id; ignoring it");
    return std::nullopt;
  }
  auto opt = [&](const char* a) -> std::optional<std::string> {
    if (pugi::xml_attribute at = ns.attribute(a)) return std::string(at.value());
    return std::nullopt;
  };
  rec.in_ccm = opt("in_ccm");
  rec.crmd = opt("crmd");
  rec.join = opt("join");
  rec.expected = opt("expected");
  rec.node_fenced = ns.attribute("node_fenced").as_int(0) > 0;
  for (pugi::xml_node ta = ns.child("transient_attributes"); ta;
       ta = ta.next_sibling("transient_attributes")) {
    if (auto e = readNvSets(ta, "instance_attributes", rec.transient)) return e;
  }
  pugi::xml_node lrm_resources = ns.child("lrm").child("lrm_resources");
  // Sized exactly: a node of a large cluster has ten thousand entries, and growing by
  // doubling would leave a third of them unused on average.
  std::size_t count = 0;
  for (pugi::xml_node lr = lrm_resources.child("lrm_resource"); lr;
       lr = lr.next_sibling("lrm_resource")) {
    ++count;
  }
  rec.resources.reserve(count);
  for (pugi::xml_node lr = lrm_resources.child("lrm_resource"); lr;
       lr = lr.next_sibling("lrm_resource")) {
    ResourceHistory rh;
    rh.id = lr.attribute("id").as_string("");
    if (rh.id.empty()) return fail(lr, "missing required attribute 'id'");
    rh.cls = lr.attribute("class").as_string("");
    rh.provider = lr.attribute("provider").as_string("");
    rh.type = lr.attribute("type").as_string("");
    rh.shutdown_lock = lr.attribute("shutdown-lock").as_llong(0);
    rh.container = lr.attribute("container").as_string("");
    std::size_t op_count = 0;
    for (pugi::xml_node op = lr.child("lrm_rsc_op"); op; op = op.next_sibling("lrm_rsc_op")) {
      ++op_count;
    }
    rh.ops.reserve(op_count);
    for (pugi::xml_node op = lr.child("lrm_rsc_op"); op; op = op.next_sibling("lrm_rsc_op")) {
      OperationRecord r;
      readOperation(op, r);
      if (r.task.empty()) return fail(op, "missing required attribute 'operation'");
      rh.ops.push_back(std::move(r));
    }
    rec.resources.push_back(std::move(rh));
  }
  cib.node_states.push_back(std::move(rec));
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread
