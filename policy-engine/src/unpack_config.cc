// <configuration> -> typed model: options, nodes, resources, constraints.
#include <set>

#include "common/crm_bool.h"
#include "policy-engine/xml_dates.h"
#include "unpacker.h"

namespace pulse::pe::xmlread {

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
      return fail(nv,
                  "id-ref '" + std::string(nv.attribute("id-ref").value()) + "' names no element");
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
    return fail(node, std::string("attribute '") + attribute + "' is not a score: '" + a.value() +
                          "' (expected an integer, INFINITY or -INFINITY)");
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
  if (op != "and" && op != "or")
    return fail(node, "boolean-op must be 'and' or 'or', not '" + op + "'");
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
      if (auto e = readNvSet(c, out.utilization)) return e;
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
    } else if (name == "utilization") {
      // Kept but not counted: a group consumes what its members do (Pacemaker too).
      if (auto e = readNvSet(c, out.utilization)) return e;
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
        oc.symmetrical = crmIsTrue(sym.value());
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

  if (pugi::xml_attribute q = root.attribute("have-quorum")) cib.have_quorum = crmIsTrue(q.value());
  cib.feature_set = root.attribute("crm_feature_set").as_string("");
  if (pugi::xml_attribute d = root.attribute("execution-date")) {
    cib.execution_date_text = d.value();
    auto epoch = parseEpochSeconds(d.value());
    if (!epoch)
      return Error{where(root) + ": execution-date '" + cib.execution_date_text +
                   "' is not a number of seconds"};
    cib.execution_date = *epoch;
  }

  pugi::xml_node crm_config = configuration.child("crm_config");
  if (auto e = readNvSets(crm_config, "cluster_property_set", cib.cluster_options)) return *e;
  if (auto e =
          readNvSets(configuration.child("rsc_defaults"), "meta_attributes", cib.rsc_defaults)) {
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
    static const std::set<std::string> kKnown = {
        "crm_config",  "rsc_defaults", "op_defaults", "nodes", "resources",
        "constraints", "acls",         "alerts",      "tags",  "fencing-topology"};
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

}  // namespace pulse::pe::xmlread
