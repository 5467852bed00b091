// XML -> typed CIB. The only place that knows pugixml.
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <unordered_map>

#include "cib_model.h"
#include "xml_dates.h"
#include "xml_layout.h"

namespace pulse::pe {
namespace {

// memchr from newline to newline: fast for CIB-like text with long lines.
int countNewlines(std::string_view text) {
  int count = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    ++count;
    p = static_cast<const char*>(hit) + 1;
  }
  return count;
}

// Turns element offsets into line numbers. Elements are visited roughly in
// document order, so counting forward from the last position is O(n) overall.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text, int base_line = 0)
      : text_(text), line_(1 + base_line), base_(base_line) {}
  int lineOf(const pugi::xml_node& node) {
    return lineAt(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0)));
  }
  // Counts forward from the last position asked for, so visiting offsets in
  // increasing order costs O(n) overall.
  int lineAt(std::size_t offset) {
    if (offset < pos_) {
      pos_ = 0;
      line_ = 1 + base_;
    }
    offset = std::min(offset, text_.size());
    line_ += countNewlines(text_.substr(pos_, offset - pos_));
    pos_ = offset;
    return line_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int base_ = 0;
};

class Unpacker {
 public:
  explicit Unpacker(std::string_view text, int base_line = 0) : lines_(text, base_line) {}

  Result<Cib> run(const pugi::xml_document& doc);
  std::optional<Error> readNodeState(const pugi::xml_node& ns, Cib& cib);

 private:
  std::string where(const pugi::xml_node& node) {
    std::string text = "<" + std::string(node.name());
    if (const char* id = node.attribute("id").as_string(nullptr)) {
      text += " id=\"" + std::string(id) + "\"";
    }
    return text + "> (line " + std::to_string(lines_.lineOf(node)) + ")";
  }
  std::optional<Error> fail(const pugi::xml_node& node, const std::string& what) {
    return Error{where(node) + ": " + what};
  }
  std::optional<Error> requireId(const pugi::xml_node& node, std::string& out) {
    const char* id = node.attribute("id").as_string(nullptr);
    if (id == nullptr || *id == '\0') return fail(node, "missing required attribute 'id'");
    out = id;
    return std::nullopt;
  }
  std::optional<Error> claimId(const pugi::xml_node& node, const std::string& id) {
    auto [it, inserted] = config_ids_.emplace(id, node);
    if (!inserted) {
      return fail(node, "duplicate id '" + id + "' (first used at line " +
                            std::to_string(lines_.lineOf(it->second)) + ")");
    }
    return std::nullopt;
  }
  void indexIds(const pugi::xml_node& root);
  pugi::xml_node resolve(const pugi::xml_node& node);
  std::optional<Error> readNvSet(const pugi::xml_node& set, Attributes& out);
  std::optional<Error> readNvSets(const pugi::xml_node& parent, const char* tag, Attributes& out);
  std::optional<Error> readScore(const pugi::xml_node& node, const char* attribute, Score& out,
                                 bool required);
  std::optional<Error> readRule(const pugi::xml_node& node, Rule& out);
  std::optional<Error> readPrimitive(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readGroup(const pugi::xml_node& node, ResourceConfig& out);
  std::optional<Error> readResources(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readConstraints(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readNodes(const pugi::xml_node& node, Cib& cib);
  std::optional<Error> readStatus(const pugi::xml_node& node, Cib& cib);

  LineCounter lines_;
  std::unordered_map<std::string, pugi::xml_node> all_ids_;     // every id in <configuration>
  std::unordered_map<std::string, pugi::xml_node> config_ids_;  // resources, nodes, constraints
};

bool isTrue(std::string_view v) {
  return v == "true" || v == "on" || v == "yes" || v == "y" || v == "1" || v == "TRUE" ||
         v == "True" || v == "ON" || v == "YES";
}

std::int64_t parseMs(std::string_view text, bool& ok);

void Unpacker::indexIds(const pugi::xml_node& root) {
  for (pugi::xml_node n = root.first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element) continue;
    if (const char* id = n.attribute("id").as_string(nullptr)) all_ids_.emplace(id, n);
    indexIds(n);
  }
}

pugi::xml_node Unpacker::resolve(const pugi::xml_node& node) {
  const char* ref = node.attribute("id-ref").as_string(nullptr);
  if (ref == nullptr) return node;
  auto it = all_ids_.find(ref);
  if (it == all_ids_.end()) return pugi::xml_node();
  return it->second;
}

std::optional<Error> Unpacker::readNvSet(const pugi::xml_node& set_in, Attributes& out) {
  pugi::xml_node set = resolve(set_in);
  if (!set) {
    return fail(set_in, "id-ref '" + std::string(set_in.attribute("id-ref").value()) +
                            "' names no element");
  }
  // Sets guarded by rules are conditional; the engine evaluates none yet,
  // so such a set is skipped rather than applied unconditionally.
  if (set.child("rule")) return std::nullopt;
  for (pugi::xml_node nv = set.first_child(); nv; nv = nv.next_sibling()) {
    if (nv.type() != pugi::node_element) continue;
    if (std::strcmp(nv.name(), "nvpair") != 0) {
      if (std::strcmp(nv.name(), "rule") == 0) continue;
      return fail(nv, "unknown element in <" + std::string(set.name()) + ">");
    }
    pugi::xml_node target = resolve(nv);
    if (!target) {
      return fail(nv, "id-ref '" + std::string(nv.attribute("id-ref").value()) +
                          "' names no element");
    }
    const char* name = nv.attribute("name").as_string(nullptr);
    if (name == nullptr) name = target.attribute("name").as_string(nullptr);
    if (name == nullptr) return fail(nv, "nvpair without a 'name'");
    const char* value = target.attribute("value").as_string(nullptr);
    if (value == nullptr) value = nv.attribute("value").as_string("");
    out.emplace(name, value);  // first value wins, as in Pacemaker
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readNvSets(const pugi::xml_node& parent, const char* tag,
                                          Attributes& out) {
  for (pugi::xml_node set = parent.child(tag); set; set = set.next_sibling(tag)) {
    if (auto e = readNvSet(set, out)) return e;
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readScore(const pugi::xml_node& node, const char* attribute,
                                         Score& out, bool required) {
  pugi::xml_attribute a = node.attribute(attribute);
  if (!a) {
    if (required) return fail(node, std::string("missing required attribute '") + attribute + "'");
    return std::nullopt;
  }
  auto score = parseScore(a.value());
  if (!score) {
    return fail(node, std::string("attribute '") + attribute + "' is not a score: '" +
                          a.value() + "' (expected an integer, INFINITY or -INFINITY)");
  }
  out = *score;
  return std::nullopt;
}

std::optional<Error> Unpacker::readRule(const pugi::xml_node& node, Rule& rule) {
  if (auto e = requireId(node, rule.id)) return e;
  rule.line = lines_.lineOf(node);
  rule.score_attribute = node.attribute("score-attribute").as_string("");
  if (node.attribute("score")) {
    if (auto e = readScore(node, "score", rule.score, false)) return e;
  }
  rule.role = node.attribute("role").as_string("");
  std::string op = node.attribute("boolean-op").as_string("and");
  if (op != "and" && op != "or") return fail(node, "boolean-op must be 'and' or 'or', not '" + op + "'");
  rule.boolean_and = op == "and";
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    if (name == "expression") {
      RuleExpression ex;
      ex.attribute = c.attribute("attribute").as_string("");
      ex.operation = c.attribute("operation").as_string("");
      ex.value = c.attribute("value").as_string("");
      ex.type = c.attribute("type").as_string("string");
      if (ex.attribute.empty()) return fail(c, "expression without 'attribute'");
      static const std::set<std::string> kOps = {"eq",  "ne",  "lt",      "gt",
                                                 "lte", "gte", "defined", "not_defined"};
      if (!kOps.count(ex.operation)) {
        return fail(c, "unknown expression operation '" + ex.operation + "'");
      }
      rule.expressions.push_back(std::move(ex));
    } else if (name == "rule") {
      Rule sub;
      if (auto e = readRule(c, sub)) return e;
      rule.subrules.push_back(std::move(sub));
    } else if (name == "date_expression") {
      return fail(c, "date expressions in rules are not supported yet");
    } else {
      return fail(c, "unknown element in <rule>");
    }
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readPrimitive(const pugi::xml_node& node, ResourceConfig& out) {
  out.kind = ResourceConfig::Kind::Primitive;
  if (auto e = requireId(node, out.id)) return e;
  if (auto e = claimId(node, out.id)) return e;
  out.line = lines_.lineOf(node);
  if (node.attribute("template")) return fail(node, "resource templates are not supported yet");
  out.cls = node.attribute("class").as_string("");
  out.provider = node.attribute("provider").as_string("");
  out.type = node.attribute("type").as_string("");
  if (out.cls.empty()) return fail(node, "missing required attribute 'class'");
  if (out.type.empty()) return fail(node, "missing required attribute 'type'");
  if (out.cls == "ocf" && out.provider.empty()) {
    return fail(node, "an ocf resource needs a 'provider'");
  }
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    if (name == "instance_attributes") {
      if (auto e = readNvSet(c, out.params)) return e;
    } else if (name == "meta_attributes") {
      if (auto e = readNvSet(c, out.meta)) return e;
    } else if (name == "operations") {
      pugi::xml_node ops = resolve(c);
      if (!ops) return fail(c, "id-ref names no element");
      for (pugi::xml_node op = ops.first_child(); op; op = op.next_sibling()) {
        if (op.type() != pugi::node_element) continue;
        if (std::strcmp(op.name(), "op") != 0) return fail(op, "unknown element in <operations>");
        OperationConfig oc;
        if (auto e = requireId(op, oc.id)) return e;
        oc.line = lines_.lineOf(op);
        oc.name = op.attribute("name").as_string("");
        if (oc.name.empty()) return fail(op, "missing required attribute 'name'");
        bool ok = true;
        oc.interval_ms = parseMs(op.attribute("interval").as_string("0"), ok);
        if (!ok) {
          return fail(op, "interval '" + std::string(op.attribute("interval").value()) +
                              "' is not a duration");
        }
        oc.role = op.attribute("role").as_string("");
        for (pugi::xml_attribute a = op.first_attribute(); a; a = a.next_attribute()) {
          oc.attributes.emplace(a.name(), a.value());
        }
        if (auto e = readNvSets(op, "meta_attributes", oc.meta)) return e;
        if (auto e = readNvSets(op, "instance_attributes", oc.params)) return e;
        out.ops.push_back(std::move(oc));
      }
    } else if (name == "utilization") {
      continue;
    } else {
      return fail(c, "unknown element in <primitive>");
    }
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readGroup(const pugi::xml_node& node, ResourceConfig& out) {
  out.kind = ResourceConfig::Kind::Group;
  if (auto e = requireId(node, out.id)) return e;
  if (auto e = claimId(node, out.id)) return e;
  out.line = lines_.lineOf(node);
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    if (name == "primitive") {
      ResourceConfig member;
      if (auto e = readPrimitive(c, member)) return e;
      out.members.push_back(std::move(member));
    } else if (name == "meta_attributes") {
      if (auto e = readNvSet(c, out.meta)) return e;
    } else if (name == "instance_attributes") {
      if (auto e = readNvSet(c, out.params)) return e;
    } else {
      return fail(c, "unknown element in <group> (a group holds primitives)");
    }
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readResources(const pugi::xml_node& node, Cib& cib) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    ResourceConfig rc;
    if (name == "primitive") {
      if (auto e = readPrimitive(c, rc)) return e;
    } else if (name == "group") {
      if (auto e = readGroup(c, rc)) return e;
    } else if (name == "clone" || name == "master" || name == "bundle" || name == "template") {
      return fail(c, "<" + std::string(name) + "> resources are not supported yet");
    } else {
      return fail(c, "unknown element in <resources>");
    }
    cib.resources.push_back(std::move(rc));
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readConstraints(const pugi::xml_node& node, Cib& cib) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    std::string id;
    if (auto e = requireId(c, id)) return e;
    if (auto e = claimId(c, id)) return e;
    int line = lines_.lineOf(c);
    if (c.child("resource_set")) return fail(c, "resource sets are not supported yet");
    if (name == "rsc_location") {
      LocationConstraint lc;
      lc.id = id;
      lc.line = line;
      lc.rsc = c.attribute("rsc").as_string("");
      if (lc.rsc.empty()) {
        if (c.attribute("rsc-pattern")) return fail(c, "rsc-pattern is not supported yet");
        return fail(c, "missing required attribute 'rsc'");
      }
      lc.node = c.attribute("node").as_string("");
      lc.role = c.attribute("role").as_string("");
      if (!lc.node.empty()) {
        if (auto e = readScore(c, "score", lc.score, true)) return e;
      }
      for (pugi::xml_node r = c.child("rule"); r; r = r.next_sibling("rule")) {
        Rule rule;
        if (auto e = readRule(r, rule)) return e;
        lc.rules.push_back(std::move(rule));
      }
      if (lc.node.empty() && lc.rules.empty()) {
        return fail(c, "a location constraint needs 'node' and 'score', or a <rule>");
      }
      cib.locations.push_back(std::move(lc));
    } else if (name == "rsc_colocation") {
      ColocationConstraint cc;
      cc.id = id;
      cc.line = line;
      cc.rsc = c.attribute("rsc").as_string("");
      cc.with_rsc = c.attribute("with-rsc").as_string("");
      if (cc.rsc.empty()) return fail(c, "missing required attribute 'rsc'");
      if (cc.with_rsc.empty()) return fail(c, "missing required attribute 'with-rsc'");
      if (auto e = readScore(c, "score", cc.score, true)) return e;
      cc.rsc_role = c.attribute("rsc-role").as_string("");
      cc.with_rsc_role = c.attribute("with-rsc-role").as_string("");
      cc.node_attribute = c.attribute("node-attribute").as_string("");
      cib.colocations.push_back(std::move(cc));
    } else if (name == "rsc_order") {
      OrderConstraint oc;
      oc.id = id;
      oc.line = line;
      oc.first = c.attribute("first").as_string("");
      oc.then = c.attribute("then").as_string("");
      if (oc.first.empty()) return fail(c, "missing required attribute 'first'");
      if (oc.then.empty()) return fail(c, "missing required attribute 'then'");
      oc.first_action = c.attribute("first-action").as_string("start");
      oc.then_action = c.attribute("then-action").as_string(oc.first_action.c_str());
      static const std::set<std::string> kActions = {"start", "stop", "promote", "demote"};
      if (!kActions.count(oc.first_action)) {
        return fail(c, "first-action '" + oc.first_action + "' is not start/stop/promote/demote");
      }
      if (!kActions.count(oc.then_action)) {
        return fail(c, "then-action '" + oc.then_action + "' is not start/stop/promote/demote");
      }
      if (pugi::xml_attribute kind = c.attribute("kind")) {
        std::string k = kind.value();
        if (k == "Mandatory" || k == "mandatory") {
          oc.kind = OrderConstraint::Kind::Mandatory;
        } else if (k == "Optional" || k == "optional") {
          oc.kind = OrderConstraint::Kind::Optional;
        } else if (k == "Serialize" || k == "serialize") {
          oc.kind = OrderConstraint::Kind::Serialize;
        } else {
          // Pacemaker resets an unknown kind to Mandatory with a config error.
          cib.warnings.push_back(where(c) + ": kind '" + k +
                                 "' is not valid; treating it as Mandatory");
        }
      } else if (c.attribute("score")) {
        Score s = 0;
        if (auto e = readScore(c, "score", s, false)) return e;
        if (s == 0) oc.kind = OrderConstraint::Kind::Optional;
      }
      if (pugi::xml_attribute sym = c.attribute("symmetrical")) {
        oc.symmetrical = isTrue(sym.value());
      }
      cib.orders.push_back(std::move(oc));
    } else if (name == "rsc_ticket") {
      return fail(c, "tickets are not supported yet");
    } else {
      return fail(c, "unknown element in <constraints>");
    }
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readNodes(const pugi::xml_node& node, Cib& cib) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (std::strcmp(c.name(), "node") != 0) return fail(c, "unknown element in <nodes>");
    NodeConfig nc;
    if (auto e = requireId(c, nc.id)) return e;
    nc.line = lines_.lineOf(c);
    nc.uname = c.attribute("uname").as_string(nc.id.c_str());
    nc.type = c.attribute("type").as_string("member");
    if (nc.type == "remote" || nc.type == "ping") {
      return fail(c, "node type '" + nc.type + "' is not supported yet");
    }
    for (const NodeConfig& other : cib.nodes) {
      if (other.id == nc.id) return fail(c, "duplicate node id '" + nc.id + "'");
      if (other.uname == nc.uname) return fail(c, "duplicate node name '" + nc.uname + "'");
    }
    if (auto e = readNvSets(c, "instance_attributes", nc.attributes)) return e;
    if (auto e = readNvSets(c, "utilization", nc.utilization)) return e;
    cib.nodes.push_back(std::move(nc));
  }
  return std::nullopt;
}

int toInt(const char* text, int fallback) {
  if (text == nullptr) return fallback;
  int value = fallback;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc()) return fallback;
  return value;
}

std::optional<Error> Unpacker::readStatus(const pugi::xml_node& node, Cib& cib) {
  for (pugi::xml_node ns = node.child("node_state"); ns; ns = ns.next_sibling("node_state")) {
    if (auto e = readNodeState(ns, cib)) return e;
  }
  return std::nullopt;
}

// transition-key "action:transition:target-rc:uuid" -> the expected rc.
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
void readOperation(const pugi::xml_node& op, OperationRecord& r) {
  long long last_run = 0;
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
          r.restart_digest = value;
        } else if (std::strcmp(name, "op-force-restart") == 0) {
          r.op_force_restart = value;
        } else if (std::strcmp(name, "op-secure-params") == 0) {
          r.op_secure_params = value;
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
        }
        break;
      case 'l':
        if (std::strcmp(name, "last-rc-change") == 0) {
          r.last_rc_change = toLong(value);
        } else if (std::strcmp(name, "last-run") == 0) {
          last_run = toLong(value);
        }
        break;
      case 'e':
        if (*value != '\0' && std::strcmp(name, "exit-reason") == 0) r.exit_reason = value;
        break;
      default:
        break;
    }
  }
  if (r.last_rc_change == 0) r.last_rc_change = last_run;
}

std::optional<Error> Unpacker::readNodeState(const pugi::xml_node& ns, Cib& cib) {
  NodeStateRecord rec;
  rec.id = ns.attribute("id").as_string("");
  if (rec.id.empty()) return fail(ns, "missing required attribute 'id'");
  rec.uname = ns.attribute("uname").as_string("");
  auto opt = [&](const char* a) -> std::optional<std::string> {
    if (pugi::xml_attribute at = ns.attribute(a)) return std::string(at.value());
    return std::nullopt;
  };
  rec.in_ccm = opt("in_ccm");
  rec.crmd = opt("crmd");
  rec.join = opt("join");
  rec.expected = opt("expected");
  for (pugi::xml_node ta = ns.child("transient_attributes"); ta;
       ta = ta.next_sibling("transient_attributes")) {
    if (auto e = readNvSets(ta, "instance_attributes", rec.transient)) return e;
  }
  pugi::xml_node lrm_resources = ns.child("lrm").child("lrm_resources");
  for (pugi::xml_node lr = lrm_resources.child("lrm_resource"); lr;
       lr = lr.next_sibling("lrm_resource")) {
    ResourceHistory rh;
    rh.id = lr.attribute("id").as_string("");
    if (rh.id.empty()) return fail(lr, "missing required attribute 'id'");
    rh.cls = lr.attribute("class").as_string("");
    rh.provider = lr.attribute("provider").as_string("");
    rh.type = lr.attribute("type").as_string("");
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

Result<Cib> Unpacker::run(const pugi::xml_document& doc) {
  Cib cib;
  pugi::xml_node root = doc.document_element();
  if (!root || std::strcmp(root.name(), "cib") != 0) {
    return Error{"the document's root element is <" + std::string(root ? root.name() : "") +
                 ">, not <cib>"};
  }
  pugi::xml_node configuration = root.child("configuration");
  if (!configuration) return Error{where(root) + ": no <configuration> element"};
  indexIds(configuration);

  if (pugi::xml_attribute q = root.attribute("have-quorum")) cib.have_quorum = isTrue(q.value());
  cib.feature_set = root.attribute("crm_feature_set").as_string("");
  if (pugi::xml_attribute d = root.attribute("execution-date")) {
    cib.execution_date_text = d.value();
    auto epoch = parseEpochSeconds(d.value());
    if (!epoch) return Error{where(root) + ": execution-date '" + cib.execution_date_text +
                             "' is not a number of seconds"};
    cib.execution_date = *epoch;
  }

  pugi::xml_node crm_config = configuration.child("crm_config");
  if (auto e = readNvSets(crm_config, "cluster_property_set", cib.cluster_options)) return *e;
  if (auto e = readNvSets(configuration.child("rsc_defaults"), "meta_attributes", cib.rsc_defaults)) {
    return *e;
  }
  if (auto e = readNvSets(configuration.child("op_defaults"), "meta_attributes", cib.op_defaults)) {
    return *e;
  }
  if (auto e = readNodes(configuration.child("nodes"), cib)) return *e;
  if (auto e = readResources(configuration.child("resources"), cib)) return *e;
  if (auto e = readConstraints(configuration.child("constraints"), cib)) return *e;
  for (pugi::xml_node c = configuration.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    static const std::set<std::string> kKnown = {"crm_config", "rsc_defaults", "op_defaults",
                                                 "nodes",      "resources",    "constraints",
                                                 "acls",       "alerts",       "tags",
                                                 "fencing-topology"};
    if (!kKnown.count(c.name())) return *fail(c, "unknown element in <configuration>");
  }
  if (pugi::xml_node status = root.child("status")) {
    if (auto e = readStatus(status, cib)) return *e;
  }
  return cib;
}

std::int64_t parseMs(std::string_view text, bool& ok) {
  auto ms = parseDurationMs(text);
  ok = ms.has_value();
  return ms.value_or(0);
}

}  // namespace

namespace {

Error malformed(std::string_view text, std::size_t offset, int base_line, const char* what) {
  LineCounter lines(text, base_line);
  return Error{"malformed XML at line " + std::to_string(lines.lineAt(offset)) + ": " + what};
}

// Below this size the status is parsed with the rest of the document.
constexpr std::size_t kSplitStatusBytes = 4u << 20;

Result<Cib> parseWhole(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return malformed(xml, static_cast<std::size_t>(parsed.offset), 0, parsed.description());
  return Unpacker(xml).run(doc);
}

}  // namespace

Result<Cib> unpackCib(std::string_view xml) {
  auto layout = scanCibLayout(xml);
  if (!layout || layout->status.end - layout->status.begin < kSplitStatusBytes) {
    return parseWhole(xml);
  }
  // Large status: the configuration is parsed on its own (the status
  // replaced by an empty element and as many newlines, so lines stay
  // true), then each node_state is parsed and converted in turn. Any piece
  // that does not parse sends us back to the whole document, whose parser
  // then names the real problem.
  std::string_view status = xml.substr(layout->status.begin,
                                       layout->status.end - layout->status.begin);
  std::string config;
  config.reserve(xml.size() - status.size() + 64);
  config.append(xml.substr(0, layout->status.begin));
  config.append("<status/>");
  config.append(static_cast<std::size_t>(countNewlines(status)), '\n');
  config.append(xml.substr(layout->status.end));
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer_inplace(config.data(), config.size(),
                                                          pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return parseWhole(xml);
  auto cib = Unpacker(config).run(doc);
  if (!cib) return cib;
  doc.reset();
  LineCounter lines(xml);
  pugi::xml_document chunk;
  for (const ByteRange& range : layout->node_states) {
    std::string_view text = xml.substr(range.begin, range.end - range.begin);
    int base_line = lines.lineAt(range.begin) - 1;
    pugi::xml_parse_result r = chunk.load_buffer(text.data(), text.size(),
                                                 pugi::parse_minimal | pugi::parse_escapes,
                                                 pugi::encoding_utf8);
    pugi::xml_node ns = chunk.document_element();
    if (!r || std::strcmp(ns.name(), "node_state") != 0 || ns.next_sibling()) {
      return parseWhole(xml);
    }
    if (auto e = Unpacker(text, base_line).readNodeState(ns, *cib)) return *e;
  }
  return cib;
}

}  // namespace pulse::pe
