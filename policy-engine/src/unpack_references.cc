// What constraints may name instead of a resource: resource templates (and
// the primitives built from them) and tags, after Pacemaker 2.1.5's
// unpack_template() and unpack_tags(); and the date expressions of rules.
#include <set>

#include "policy-engine/xml_dates.h"
#include "unpacker.h"

namespace pulse::pe::xmlread {
namespace {

// Pacemaker's template_op_key(): a primitive's op replaces the template's op
// of the same name and role (Started and Unpromoted count as no role).
std::string templateOpKey(const OperationConfig& op) {
  std::string role = op.role;
  if (role == "Started" || role == "Unpromoted" || role == "Slave") role.clear();
  return op.name + "-" + role;
}

}  // namespace

std::optional<Error> Unpacker::readTemplates(const pugi::xml_node& resources) {
  for (pugi::xml_node t = resources.child("template"); t; t = t.next_sibling("template")) {
    std::string id;
    if (auto e = requireId(t, id)) return e;
    if (auto e = claimId(t, id)) return e;
    templates_.emplace(id, t);
    template_members_[id];  // known even while no primitive uses it
  }
  return std::nullopt;
}

// A primitive with template="T" is T's definition under the primitive's id,
// with the primitive's own attribute sets and operations taking precedence.
std::optional<Error> Unpacker::applyTemplate(const pugi::xml_node& node, ResourceConfig& out) {
  std::string ref = node.attribute("template").value();
  if (ref == out.id) return fail(node, "a primitive cannot be its own template");
  auto it = templates_.find(ref);
  if (it == templates_.end()) {
    return fail(node, "template '" + ref + "' does not exist (no <template id=\"" + ref +
                          "\"> in <resources>)");
  }
  for (const char* attribute : {"class", "provider", "type"}) {
    if (node.attribute(attribute)) {
      return fail(node, std::string("'") + attribute + "' comes from template '" + ref +
                            "'; a primitive using a template may not set it");
    }
  }
  ResourceConfig own;
  if (auto e = readPrimitiveChildren(node, own)) return e;
  ResourceConfig base;
  if (auto e = readPrimitiveBody(it->second, base)) return e;
  // With sets that have rules or scores, the template's sets come first in
  // document order, then the primitive's.
  auto mergeSets = [&](std::vector<NvSet> ResourceConfig::*sets,
                       Attributes ResourceConfig::*plain) {
    if ((own.*sets).empty() && (base.*sets).empty()) return;
    for (ResourceConfig* part : {&base, &own}) {
      if ((part->*sets).empty()) (part->*sets).push_back({"", 0, {}, part->*plain});
      (out.*sets).insert((out.*sets).end(), (part->*sets).begin(), (part->*sets).end());
    }
  };
  mergeSets(&ResourceConfig::meta_sets, &ResourceConfig::meta);
  mergeSets(&ResourceConfig::param_sets, &ResourceConfig::params);
  out.cls = base.cls;
  out.provider = base.provider;
  out.type = base.type;
  out.params = std::move(own.params);
  out.params.insert(base.params.begin(), base.params.end());
  out.meta = std::move(own.meta);
  out.meta.insert(base.meta.begin(), base.meta.end());
  // What the primitive consumes: the template's utilization unless the primitive says.
  out.utilization = std::move(own.utilization);
  out.utilization.insert(base.utilization.begin(), base.utilization.end());
  std::set<std::string> own_ops;
  for (const OperationConfig& op : own.ops) own_ops.insert(templateOpKey(op));
  out.ops = std::move(own.ops);
  for (OperationConfig& op : base.ops) {
    if (!own_ops.count(templateOpKey(op))) out.ops.push_back(std::move(op));
  }
  template_members_[ref].push_back(out.id);
  return std::nullopt;
}

// Constraints may name any resource, however deeply nested.
void Unpacker::noteResource(const ResourceConfig& rc) {
  resource_ids_.insert(rc.id);
  for (const ResourceConfig& member : rc.members) noteResource(member);
}

std::optional<Error> Unpacker::readTags(const pugi::xml_node& tags) {
  for (pugi::xml_node tag = tags.first_child(); tag; tag = tag.next_sibling()) {
    if (tag.type() != pugi::node_element) continue;
    if (std::strcmp(tag.name(), "tag") != 0) return fail(tag, "unknown element in <tags>");
    std::string id;
    if (auto e = requireId(tag, id)) return e;
    if (tags_.count(id)) return fail(tag, "duplicate tag id '" + id + "'");
    std::vector<std::string>& refs = tags_[id];
    for (pugi::xml_node ref = tag.first_child(); ref; ref = ref.next_sibling()) {
      if (ref.type() != pugi::node_element) continue;
      if (std::strcmp(ref.name(), "obj_ref") != 0) return fail(ref, "unknown element in <tag>");
      std::string target;
      if (auto e = requireId(ref, target)) return e;
      if (std::find(refs.begin(), refs.end(), target) == refs.end()) refs.push_back(target);
    }
  }
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread

namespace pulse::pe::xmlread {

std::optional<Error> Unpacker::readDateExpression(const pugi::xml_node& node, DateExpression& out) {
  if (auto e = requireId(node, out.id)) return e;
  out.line = lines_.lineOf(node);
  out.operation = node.attribute("operation").as_string("in_range");
  std::transform(out.operation.begin(), out.operation.end(), out.operation.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kOps = {"in_range", "gt", "lt", "date_spec"};
  if (!kOps.count(out.operation)) {
    return fail(node, "unknown date operation '" + out.operation +
                          "' (expected in_range, gt, lt or date_spec)");
  }
  for (const char* bound : {"start", "end"}) {
    pugi::xml_attribute a = node.attribute(bound);
    if (!a) continue;
    auto when = parseIsoDateTime(a.value());
    if (!when) {
      return fail(node, std::string(bound) + " '" + a.value() + "' is not an ISO 8601 date");
    }
    (std::strcmp(bound, "start") == 0 ? out.start : out.end) = *when;
  }
  auto fields = [](const pugi::xml_node& n, Attributes& into) {
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      if (std::strcmp(a.name(), "id") != 0) into.emplace(a.name(), a.value());
    }
  };
  if (pugi::xml_node d = node.child("duration")) fields(d, out.duration);
  if (pugi::xml_node d = node.child("date_spec")) fields(d, out.date_spec);
  if (out.operation == "gt" && !out.start) return fail(node, "operation 'gt' needs a 'start'");
  if (out.operation == "lt" && !out.end) return fail(node, "operation 'lt' needs an 'end'");
  if (out.operation == "in_range" && !out.start && !out.end) {
    return fail(node, "operation 'in_range' needs a 'start' or an 'end'");
  }
  if (out.operation == "date_spec" && !node.child("date_spec")) {
    return fail(node, "operation 'date_spec' needs a <date_spec>");
  }
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread

namespace pulse::pe::xmlread {

// `plain` gets the sets without rules (first value wins); when some set has
// a rule or a score, `sets` also gets every set as written, for the
// scheduler to resolve against "now" (nvsets.h).
std::optional<Error> Unpacker::readNvSetList(const pugi::xml_node& parent, const char* tag,
                                             Attributes& plain, std::vector<NvSet>& sets) {
  if (auto e = readNvSets(parent, tag, plain)) return e;
  bool conditional = false;
  for (pugi::xml_node s = parent.child(tag); s; s = s.next_sibling(tag)) {
    pugi::xml_node set = resolve(s);
    conditional = conditional || (set && (set.child("rule") || set.attribute("score")));
  }
  if (!conditional) return std::nullopt;
  for (pugi::xml_node s = parent.child(tag); s; s = s.next_sibling(tag)) {
    pugi::xml_node set = resolve(s);  // readNvSets() has named any bad id-ref
    NvSet nv;
    nv.id = set.attribute("id").as_string("");
    if (auto e = readScore(set, "score", nv.score, false)) return e;
    for (pugi::xml_node r = set.child("rule"); r; r = r.next_sibling("rule")) {
      Rule rule;
      pugi::xml_node target = resolve(r);  // a rule may be an id-ref to another
      if (!target) return fail(r, "id-ref names no element");
      if (auto e = readRule(target, rule)) return e;
      nv.rules.push_back(std::move(rule));
    }
    if (auto e = readNvPairs(set, nv.values)) return e;
    sets.push_back(std::move(nv));
  }
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread
