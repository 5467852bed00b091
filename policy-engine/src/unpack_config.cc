// <configuration> -> typed model: options, nodes, resources, constraints.
#include <strings.h>

#include <algorithm>
#include <cstdlib>
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
  // Sets guarded by rules are conditional: such a set is left out here, and
  // containers that can have them also keep every set (readNvSetList()).
  if (set.child("rule")) return std::nullopt;
  return readNvPairs(set, out);
}

std::optional<Error> Unpacker::readNvPairs(const pugi::xml_node& set, Attributes& out) {
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
    // The value "#default" (any case) unsets the name, and any value an earlier pair or set
    // gave it (Pacemaker's populate_hash); otherwise the first value wins.
    if (strcasecmp(value, "#default") == 0) {
      out.erase(name);
      continue;
    }
    out.emplace(name, value);
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
      ex.type = c.attribute("type").as_string("");
      ex.value_source = c.attribute("value-source").as_string("");
      std::transform(ex.value_source.begin(), ex.value_source.end(), ex.value_source.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      static const std::set<std::string> kTypes = {"", "string", "integer", "number", "version"};
      if (!kTypes.count(ex.type)) {
        return fail(c, "unknown expression type '" + ex.type +
                           "' (expected string, integer, number or version)");
      }
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
    } else if (name == "rsc_expression") {
      ResourceExpression rx;
      auto part = [&](const char* a) -> std::optional<std::string> {
        if (pugi::xml_attribute at = c.attribute(a)) return std::string(at.value());
        return std::nullopt;
      };
      rx.cls = part("class");
      rx.provider = part("provider");
      rx.type = part("type");
      rule.resource_expressions.push_back(std::move(rx));
    } else if (name == "date_expression") {
      DateExpression date;
      if (auto e = readDateExpression(c, date)) return e;
      rule.dates.push_back(std::move(date));
    } else if (name == "op_expression") {
      OperationExpression ox;
      ox.name = c.attribute("name").as_string("");
      if (pugi::xml_attribute interval = c.attribute("interval")) {
        bool ok = true;
        ox.interval_ms = parseMs(interval.value(), ok);
        if (!ok)
          return fail(c, "interval '" + std::string(interval.value()) + "' is not a duration");
      }
      rule.operation_expressions.push_back(std::move(ox));
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
  if (node.attribute("template")) return applyTemplate(node, out);
  return readPrimitiveBody(node, out);
}

std::optional<Error> Unpacker::readPrimitiveBody(const pugi::xml_node& node, ResourceConfig& out) {
  out.cls = node.attribute("class").as_string("");
  out.provider = node.attribute("provider").as_string("");
  out.type = node.attribute("type").as_string("");
  if (out.cls.empty()) return fail(node, "missing required attribute 'class'");
  if (out.type.empty()) return fail(node, "missing required attribute 'type'");
  if (out.cls == "ocf" && out.provider.empty()) {
    return fail(node, "an ocf resource needs a 'provider'");
  }
  return readPrimitiveChildren(node, out);
}

std::optional<Error> Unpacker::readPrimitiveChildren(const pugi::xml_node& node,
                                                     ResourceConfig& out) {
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
  Attributes same_params;  // the same values as out.params
  if (auto e = readNvSetList(node, "instance_attributes", same_params, out.param_sets)) return e;
  Attributes plain;  // the same values as out.meta
  if (auto e = readNvSetList(node, "meta_attributes", plain, out.meta_sets)) return e;
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
  Attributes plain;  // the same values as out.meta
  if (auto e = readNvSetList(node, "meta_attributes", plain, out.meta_sets)) return e;
  return std::nullopt;
}

// A clone: its meta-attributes and the one primitive or group it clones.
std::optional<Error> Unpacker::readClone(const pugi::xml_node& node, ResourceConfig& out) {
  out.kind = ResourceConfig::Kind::Clone;
  if (auto e = requireId(node, out.id)) return e;
  if (auto e = claimId(node, out.id)) return e;
  out.line = lines_.lineOf(node);
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    if (name == "primitive" || name == "group") {
      if (!out.members.empty()) return fail(c, "a clone holds only one primitive or group");
      ResourceConfig member;
      if (auto e = name == "group" ? readGroup(c, member) : readPrimitive(c, member)) return e;
      out.members.push_back(std::move(member));
    } else if (name == "meta_attributes") {
      if (auto e = readNvSet(c, out.meta)) return e;
    } else if (name == "instance_attributes") {
      if (auto e = readNvSet(c, out.params)) return e;
    } else {
      return fail(c, "unknown element in <clone> (a clone holds a primitive or a group)");
    }
  }
  Attributes plain;  // the same values as out.meta
  if (auto e = readNvSetList(node, "meta_attributes", plain, out.meta_sets)) return e;
  if (out.members.empty()) return fail(node, "the clone has nothing to clone");
  // Every instance is scheduled on its own: an absurd clone-max would exhaust memory.
  constexpr long kMaxInstances = 10000;
  if (auto max = out.meta.find("clone-max"); max != out.meta.end()) {
    char* end = nullptr;
    long value = std::strtol(max->second.c_str(), &end, 10);
    if (end != max->second.c_str() && value > kMaxInstances) {
      return fail(node, "clone-max " + max->second + " is more than the " +
                            std::to_string(kMaxInstances) + " instances Pulse schedules");
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
    } else if (name == "clone") {
      if (auto e = readClone(c, rc)) return e;
    } else if (name == "master") {
      // The legacy name of a promotable clone.
      if (auto e = readClone(c, rc)) return e;
      rc.meta.emplace("promotable", "true");
      // Conditional meta sets are resolved later and then are the meta: the
      // legacy name outranks them all, as an always-applying set of INFINITY.
      if (!rc.meta_sets.empty()) {
        NvSet legacy;
        legacy.score = kInfinity;
        legacy.values.emplace("promotable", "true");
        rc.meta_sets.push_back(std::move(legacy));
      }
    } else if (name == "template") {
      continue;  // read by readTemplates(); only the primitives using one are resources
    } else if (name == "bundle") {
      return fail(c, "<" + std::string(name) + "> resources are not supported yet");
    } else {
      return fail(c, "unknown element in <resources>");
    }
    noteResource(rc);
    cib.resources.push_back(std::move(rc));
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
    if (nc.type == "ping") {
      return fail(c, "node type '" + nc.type + "' is not supported yet");
    }
    for (const NodeConfig& other : cib.nodes) {
      if (other.id == nc.id) return fail(c, "duplicate node id '" + nc.id + "'");
      if (other.uname == nc.uname) return fail(c, "duplicate node name '" + nc.uname + "'");
    }
    if (auto e = readNvSetList(c, "instance_attributes", nc.attributes, nc.attribute_sets)) {
      return e;
    }
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
  cib.dc_uuid = root.attribute("dc-uuid").as_string("");
  cib.no_quorum_panic = toInt(root.attribute("no-quorum-panic").as_string("0"), 0) != 0;
  if (pugi::xml_attribute d = root.attribute("execution-date")) {
    cib.execution_date_text = d.value();
    auto epoch = parseEpochSeconds(d.value());
    if (!epoch)
      return Error{where(root) + ": execution-date '" + cib.execution_date_text +
                   "' is not a number of seconds"};
    cib.execution_date = *epoch;
  }

  pugi::xml_node crm_config = configuration.child("crm_config");
  if (auto e =
          readNvSetList(crm_config, "cluster_property_set", cib.cluster_options, cib.option_sets)) {
    return *e;
  }
  if (auto e = readNvSetList(configuration.child("rsc_defaults"), "meta_attributes",
                             cib.rsc_defaults, cib.rsc_default_sets)) {
    return *e;
  }
  if (auto e = readNvSets(configuration.child("op_defaults"), "meta_attributes", cib.op_defaults)) {
    return *e;
  }
  if (auto e = readNodes(configuration.child("nodes"), cib)) return *e;
  if (auto e = readTemplates(configuration.child("resources"))) return *e;
  if (auto e = readResources(configuration.child("resources"), cib)) return *e;
  if (auto e = readTags(configuration.child("tags"))) return *e;
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

// An operation's interval: Pacemaker keeps it in an unsigned 32-bit count of milliseconds
// (crm_parse_interval_spec caps it there), and the operation keys it prints carry that value.
std::int64_t parseMs(std::string_view text, bool& ok) {
  constexpr std::int64_t kMaxIntervalMs = 4294967295;  // G_MAXUINT
  auto ms = parseDurationMs(text);
  ok = ms.has_value();
  return std::min(ms.value_or(0), kMaxIntervalMs);
}

}  // namespace pulse::pe::xmlread
