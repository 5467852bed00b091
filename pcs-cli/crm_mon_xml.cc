// crm_mon --output-as=xml (crm_mon_output.h): Pacemaker 2.1.5's elements and attributes, in its
// order, written by hand as libxml2 formats them (two-space indent, "<a/>" for an empty element).
#include <algorithm>
#include <ctime>
#include <sstream>
#include <utility>
#include <vector>

#include "common/xml_escape.h"
#include "pcs-cli/crm_mon_output.h"
#include "pcs-cli/status_failures.h"
#include "policy-engine/cib_config.h"
#include "policy-engine/xml_dates.h"

namespace pulse::pcs {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

class XmlWriter {
 public:
  // <name a="v"...> (children follow, end with close()) or, with `empty`, <name a="v"/>.
  void open(const std::string& name, const Attributes& attributes, bool empty = false) {
    out_ << std::string(2 * stack_.size(), ' ') << "<" << name;
    for (const auto& [key, value] : attributes)
      out_ << " " << key << "=\"" << xmlEscape(value) << "\"";
    if (empty) {
      out_ << "/>\n";
      return;
    }
    out_ << ">\n";
    stack_.push_back(name);
  }
  void leaf(const std::string& name, const Attributes& attributes) { open(name, attributes, true); }
  void close() {
    const std::string name = stack_.back();
    stack_.pop_back();
    out_ << std::string(2 * stack_.size(), ' ') << "</" << name << ">\n";
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::vector<std::string> stack_;
};

std::string yes(bool b) { return b ? "true" : "false"; }

std::string nodeIdOf(const pugi::xml_node& cib, const std::string& uname) {
  for (pugi::xml_node n : cib.child("configuration").child("nodes").children("node")) {
    if (uname == n.attribute("uname").as_string()) return n.attribute("id").as_string();
  }
  return uname;
}

// crm_time's ISO 8601 text in UTC ("2010-03-29 04:43:35Z"), as <failure last-rc-change=...>.
std::string isoTime(std::time_t t) {
  char text[32] = "";
  std::tm tm{};
  if (gmtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

int runningOn(const std::vector<pe::ResourceView>& resources, const std::string& node) {
  int n = 0;
  for (const pe::ResourceView& r : resources) {
    if (r.is_group || r.is_clone) {
      n += runningOn(r.members, node);
    } else {
      n += static_cast<int>(std::count(r.nodes.begin(), r.nodes.end(), node));
    }
  }
  return n;
}

void countConfigured(const std::vector<pe::ResourceView>& resources, int& disabled, int& blocked) {
  for (const pe::ResourceView& r : resources) {
    if (r.is_group || r.is_clone) {
      countConfigured(r.members, disabled, blocked);
    } else {
      disabled += r.disabled ? 1 : 0;
      blocked += r.blocked ? 1 : 0;
    }
  }
}

// The target-role the resource's own meta attributes set ("" when none), which crm_mon's XML
// repeats as target_role.
std::string targetRole(const pugi::xml_node& cib, const std::string& id) {
  const std::string base = id.substr(0, id.find(':'));
  const pugi::xml_node rsc =
      cib.child("configuration").child("resources").find_node([&](pugi::xml_node n) {
        const std::string_view kind = n.name();
        return base == n.attribute("id").as_string() &&
               (kind == "primitive" || kind == "group" || kind == "clone" || kind == "master");
      });
  // A member inherits its group's or clone's (as Pacemaker's meta attributes are inherited).
  for (pugi::xml_node n = rsc; n && std::string_view(n.name()) != "resources"; n = n.parent()) {
    for (pugi::xml_node set : n.children("meta_attributes")) {
      for (pugi::xml_node p : set.children("nvpair")) {
        if (std::string_view(p.attribute("name").as_string()) == "target-role") {
          return p.attribute("value").as_string();
        }
      }
    }
  }
  return "";
}

// crm_mon's <bans>: the location constraints that keep a resource off a named node (a negative
// score), most recently configured first, as Pacemaker lists them.
void bansXml(XmlWriter& x, const pugi::xml_node& cib) {
  std::vector<Attributes> bans;
  const auto ban = [&](const pugi::xml_node& c, const std::string& id, const std::string& node,
                       const std::string& score) {
    const std::string role = c.attribute("role").as_string();
    const bool promoted = role == "Promoted" || role == "Master";
    bans.push_back({{"id", id},
                    {"resource", c.attribute("rsc").as_string()},
                    {"node", node},
                    {"weight", score == "-INFINITY" ? "-1000000" : score},
                    {"promoted-only", yes(promoted)},
                    {"master_only", yes(promoted)}});
  };
  for (pugi::xml_node c :
       cib.child("configuration").child("constraints").children("rsc_location")) {
    if (!c.attribute("rsc")) continue;
    if (const std::string score = c.attribute("score").as_string();
        c.attribute("node") && score.starts_with("-")) {
      ban(c, c.attribute("id").as_string(), c.attribute("node").as_string(), score);
    }
    // A rule names its node when it is one "#uname eq NODE" expression (the form pcs writes
    // for a ban with a rule); other rules need the node attributes evaluated, and are left out.
    for (pugi::xml_node rule : c.children("rule")) {
      const std::string score = rule.attribute("score").as_string();
      const pugi::xml_node e = rule.child("expression");
      if (!score.starts_with("-") || !e || e.next_sibling("expression") ||
          std::string_view(e.attribute("attribute").as_string()) != "#uname" ||
          std::string_view(e.attribute("operation").as_string()) != "eq") {
        continue;
      }
      ban(c, rule.attribute("id").as_string(), e.attribute("value").as_string(), score);
    }
  }
  if (bans.empty()) return;
  x.open("bans", {});
  for (auto it = bans.rbegin(); it != bans.rend(); ++it) x.leaf("ban", *it);
  x.close();
}

// `anonymous`: inside an anonymous clone, whose instances crm_mon names by the bare id.
void resourceXml(XmlWriter& x, const pugi::xml_node& cib, const pe::ResourceView& r,
                 bool anonymous = false) {
  const std::string role = targetRole(cib, r.id);
  if (r.is_clone) {
    Attributes a = {{"id", r.id},
                    {"multi_state", yes(r.promotable)},
                    {"unique", yes(r.unique)},
                    {"managed", yes(r.managed)},
                    {"disabled", yes(r.disabled)},
                    {"failed", yes(r.failed)},
                    {"failure_ignored", "false"}};
    if (!role.empty()) a.emplace_back("target_role", role);
    x.open("clone", a);  // (a group carries no target_role; its members do)
    for (const pe::ResourceView& m : r.members) resourceXml(x, cib, m, !r.unique);
    x.close();
    return;
  }
  if (r.is_group) {
    x.open("group", {{"id", r.id},
                     {"number_resources", std::to_string(r.members.size())},
                     {"managed", yes(r.managed)},
                     {"disabled", yes(r.disabled)}});
    for (const pe::ResourceView& m : r.members) resourceXml(x, cib, m, anonymous);
    x.close();
    return;
  }
  Attributes a = {
      {"id", anonymous && !r.cloned.empty() ? r.cloned : r.id},
      {"resource_agent", r.agent},
      // crm_mon's role is the operation in flight when there is one ("Starting").
      {"role", !r.pending.empty() ? r.pending
                                  : pe::roleName(r.nodes.empty() ? pe::Role::Stopped : r.role)}};
  if (!role.empty()) a.emplace_back("target_role", role);
  a.insert(a.end(), {{"active", yes(!r.nodes.empty())},
                     {"orphaned", yes(r.orphan)},
                     {"blocked", yes(r.blocked)},
                     {"managed", yes(r.managed)},
                     {"failed", yes(r.failed)},
                     {"failure_ignored", "false"},
                     {"nodes_running_on", std::to_string(r.nodes.size())}});
  if (!r.pending_flag.empty()) a.emplace_back("pending", r.pending_flag);
  if (r.nodes.empty()) {
    x.leaf("resource", a);
    return;
  }
  x.open("resource", a);
  for (const std::string& n : r.nodes) {
    x.leaf("node", {{"name", n}, {"id", nodeIdOf(cib, n)}, {"cached", "true"}});
  }
  x.close();
}

}  // namespace

std::string crmMonXml(const pugi::xml_node& cib, const ClusterStatus& s, const CrmMonFacts& facts,
                      const CrmMonOptions& options) {
  XmlWriter x;
  x.open("pacemaker-result", {{"api-version", "2.25"}, {"request", options.request}});
  x.open("summary", {});
  x.leaf("stack", {{"type", "pulse"}});
  if (s.dc) {
    x.leaf("current_dc", {{"present", "true"},
                          {"version", s.version},
                          {"name", *s.dc},
                          {"id", nodeIdOf(cib, *s.dc)},
                          {"with_quorum", yes(s.quorate)},
                          {"mixed_version", "false"}});
  } else {
    x.leaf("current_dc", {{"present", "false"}});
  }
  x.leaf("last_update", {{"time", crmTimeText(s.now)}});
  if (s.last_change) {
    x.leaf("last_change", {{"time", crmTimeText(*s.last_change)},
                           {"user", cib.attribute("update-user").as_string()},
                           {"client", cib.attribute("update-client").as_string()},
                           {"origin", cib.attribute("update-origin").as_string()}});
  }
  x.leaf("nodes_configured", {{"number", std::to_string(s.view.nodes.size())}});
  int disabled = 0, blocked = 0, instances = 0;
  countConfigured(s.view.resources, disabled, blocked);
  const auto count = [&](const auto& self, const std::vector<pe::ResourceView>& rs) -> void {
    for (const pe::ResourceView& r : rs) {
      if (r.is_group || r.is_clone) {
        self(self, r.members);
      } else {
        ++instances;
      }
    }
  };
  count(count, s.view.resources);
  x.leaf("resources_configured", {{"number", std::to_string(instances)},
                                  {"disabled", std::to_string(disabled)},
                                  {"blocked", std::to_string(blocked)}});
  const auto ms = [](const std::string& text, std::int64_t absent) {
    return std::to_string(pe::parseDurationMs(text).value_or(absent));
  };
  const auto option = [&](const char* name, const char* absent) {
    return pe::cibconf::clusterOption(cib, name, absent);
  };
  x.leaf("cluster_options",
         {{"stonith-enabled", yes(pe::cibconf::stonithEnabled(cib))},
          {"symmetric-cluster", option("symmetric-cluster", "true")},
          {"no-quorum-policy", option("no-quorum-policy", "stop")},
          {"maintenance-mode", option("maintenance-mode", "false")},
          {"stop-all-resources", option("stop-all-resources", "false")},
          {"stonith-timeout-ms", ms(option("stonith-timeout", "60s"), 60000)},
          {"priority-fencing-delay-ms", ms(option("priority-fencing-delay", "0"), 0)}});
  x.close();

  x.open("nodes", {});
  for (const pe::NodeView& n : s.view.nodes) {
    const pugi::xml_node state = [&] {
      for (pugi::xml_node st : cib.child("status").children("node_state")) {
        if (n.name == st.attribute("uname").as_string()) return st;
      }
      return pugi::xml_node();
    }();
    x.leaf("node", {{"name", n.name},
                    {"id", nodeIdOf(cib, n.name)},
                    {"online", yes(n.online)},
                    {"standby", yes(n.standby)},
                    {"standby_onfail", "false"},
                    {"maintenance", yes(n.maintenance)},
                    {"pending", "false"},
                    {"unclean", yes(n.unclean)},
                    {"health", n.health < 0 ? "red" : (n.health == 0 ? "yellow" : "green")},
                    {"shutdown", "false"},
                    {"expected_up",
                     yes(std::string_view(state.attribute("expected").as_string()) == "member")},
                    {"is_dc", yes(s.dc && *s.dc == n.name)},
                    {"resources_running", std::to_string(runningOn(s.view.resources, n.name))},
                    {"type", n.remote || n.guest ? "remote" : "member"}});
  }
  x.close();

  if (!s.view.resources.empty()) {
    x.open("resources", {});
    for (const pe::ResourceView& r : s.view.resources) resourceXml(x, cib, r);
    x.close();
  }
  if (!facts.attributes.empty()) {
    x.open("node_attributes", {});
    for (const NodeAttributes& node : facts.attributes) {
      x.open("node", {{"name", node.node}});
      for (const auto& [name, value] : node.values)
        x.leaf("attribute", {{"name", name}, {"value", value}});
      x.close();
    }
    x.close();
  }
  bool any_history = false;
  for (const NodeHistory& node : facts.history) {
    for (const ResourceHistory& h : node.resources) any_history |= !h.operations.empty();
  }
  if (any_history) {
    x.open("node_history", {});
    for (const NodeHistory& node : facts.history) {
      bool open = false;
      for (const ResourceHistory& h : node.resources) {
        if (h.operations.empty()) continue;
        if (!open) x.open("node", {{"name", node.node}});
        open = true;
        Attributes a = {{"id", h.name},
                        {"orphan", yes(h.orphan)},
                        {"migration-threshold", h.migration_threshold}};
        if (h.fail_count > 0) {
          a.emplace_back("fail-count",
                         h.fail_count >= 1000000 ? "INFINITY" : std::to_string(h.fail_count));
          if (h.last_failure > 0) a.emplace_back("last-failure", crmTimeText(h.last_failure));
        }
        x.open("resource_history", a);
        for (const OperationRecord& o : h.operations) {
          Attributes op = {{"call", o.call},
                           {"task", o.task},
                           {"rc", std::to_string(o.rc)},
                           {"rc_text", rcText(o.rc)}};
          if (o.interval_ms > 0) op.emplace_back("interval", std::to_string(o.interval_ms) + "ms");
          if (o.last_rc_change) op.emplace_back("last-rc-change", crmTimeText(*o.last_rc_change));
          if (o.exec_ms) op.emplace_back("exec-time", std::to_string(*o.exec_ms) + "ms");
          if (o.queue_ms) op.emplace_back("queue-time", std::to_string(*o.queue_ms) + "ms");
          x.leaf("operation_history", op);
        }
        x.close();
      }
      if (open) x.close();
    }
    x.close();
  }
  if (!s.failed_actions.empty()) {
    x.open("failures", {});
    for (const FailedAction& f : s.failed_actions) {
      Attributes a = {f.key.empty() ? std::pair<std::string, std::string>{"id", f.id}
                                    : std::pair<std::string, std::string>{"op_key", f.key},
                      {"node", f.node},
                      {"exitstatus", f.rc_text},
                      {"exitreason", f.exit_reason.empty() ? "none" : f.exit_reason},
                      {"exitcode", std::to_string(f.rc)},
                      {"call", f.call_id},
                      {"status", execStatusText(f.op_status)}};
      if (f.last_rc_change != 0) {
        a.insert(a.end(), {{"last-rc-change", isoTime(f.last_rc_change)},
                           {"queued", std::to_string(f.queue_ms)},
                           {"exec", std::to_string(f.exec_ms)},
                           {"interval", std::to_string(f.interval_ms)},
                           {"task", f.task}});
      }
      x.leaf("failure", a);
    }
    x.close();
  }
  bansXml(x, cib);
  x.leaf("status", {{"code", "0"}, {"message", "OK"}});
  x.close();
  return x.text();
}

}  // namespace pulse::pcs
