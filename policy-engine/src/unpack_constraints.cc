// <constraints> -> typed model, after Pacemaker 2.1.5's constraint unpackers.
//
// A template or tag named where a resource is expected stands for its
// resources: it becomes a resource set (pcmk__tag_to_set), and one named in
// a set is replaced by its resources in place (pcmk__expand_tags_in_sets).
// Sets of locations, colocations and tickets are expanded here into one
// constraint per resource (or resource pair), in Pacemaker's order; ordering
// sets stay sets, since what they mean is a matter of actions (order_sets.cc).
#include <regex>
#include <set>

#include "common/crm_bool.h"
#include "unpacker.h"

namespace pulse::pe::xmlread {
namespace {

std::string lowercase(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v;
}

// Pacemaker's crm_str_to_boolean(): anything else is "not set".
std::optional<bool> parseBool(const pugi::xml_node& node, const char* attribute) {
  pugi::xml_attribute a = node.attribute(attribute);
  if (!a) return std::nullopt;
  if (crmIsTrue(a.value())) return true;
  static const std::set<std::string> kFalse = {"false", "off", "no", "n", "0"};
  if (kFalse.count(lowercase(a.value()))) return false;
  return std::nullopt;
}

std::optional<OrderKind> parseOrderKind(const std::string& k) {
  const std::string v = lowercase(k);
  if (v == "mandatory") return OrderKind::Mandatory;
  if (v == "optional") return OrderKind::Optional;
  if (v == "serialize") return OrderKind::Serialize;
  return std::nullopt;
}

bool isOrderAction(const std::string& a) {
  return a == "start" || a == "stop" || a == "promote" || a == "demote";
}

// Pacemaker's pe_expand_re_matches(): %0..%9 become the pattern's submatches.
std::string expandMatches(const std::string& text, const std::smatch& m) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9') {
      std::size_t n = static_cast<std::size_t>(text[i + 1] - '0');
      if (n < m.size() && m[n].matched) out += m[n].str();
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

void expandRuleMatches(Rule& rule, const std::smatch& m) {
  rule.score_attribute = expandMatches(rule.score_attribute, m);
  for (RuleExpression& ex : rule.expressions) {
    ex.attribute = expandMatches(ex.attribute, m);
    ex.value = expandMatches(ex.value, m);
  }
  for (Rule& sub : rule.subrules) expandRuleMatches(sub, m);
}

}  // namespace

// `name` as resources: a resource is itself; a template or tag stands for the
// resources derived from or tagged with it (`expanded` says which). An unknown
// name is kept for the later stage, which names the constraint when it fails.
std::optional<Error> Unpacker::expandReference(const pugi::xml_node& at, const std::string& name,
                                               std::vector<std::string>& out, bool& expanded) {
  expanded = false;
  if (resource_ids_.count(name)) {
    out.push_back(name);
    return std::nullopt;
  }
  const std::vector<std::string>* members = nullptr;
  if (auto t = template_members_.find(name); t != template_members_.end()) {
    if (t->second.empty()) return fail(at, "no primitive is built from template '" + name + "'");
    members = &t->second;
  } else if (auto g = tags_.find(name); g != tags_.end()) {
    if (g->second.empty()) return fail(at, "tag '" + name + "' tags nothing");
    members = &g->second;
  }
  if (members == nullptr) {
    out.push_back(name);
    return std::nullopt;
  }
  for (const std::string& m : *members) {
    if (!resource_ids_.count(m)) {
      return fail(at, "'" + name + "' stands for '" + m + "', which is not a resource");
    }
    out.push_back(m);
  }
  expanded = true;
  return std::nullopt;
}

std::optional<Error> Unpacker::readSets(const pugi::xml_node& c, std::vector<ResourceSet>& out) {
  for (pugi::xml_node set_in = c.child("resource_set"); set_in;
       set_in = set_in.next_sibling("resource_set")) {
    pugi::xml_node set = resolve(set_in);
    if (!set) {
      return fail(set_in, "id-ref '" + std::string(set_in.attribute("id-ref").value()) +
                              "' names no element");
    }
    ResourceSet rs;
    if (auto e = requireId(set, rs.id)) return e;
    rs.line = lines_.lineOf(set);
    rs.sequential = parseBool(set, "sequential");
    rs.require_all = parseBool(set, "require-all").value_or(true);
    rs.role = set.attribute("role").as_string("");
    rs.action = set.attribute("action").as_string("");
    if (!rs.action.empty() && !isOrderAction(rs.action)) {
      return fail(set, "action '" + rs.action + "' is not start/stop/promote/demote");
    }
    if (pugi::xml_attribute k = set.attribute("kind")) {
      rs.kind = parseOrderKind(k.value());
      if (!rs.kind) {
        return fail(
            set, "kind '" + std::string(k.value()) + "' is not Mandatory, Optional or Serialize");
      }
    }
    rs.symmetrical = parseBool(set, "symmetrical");
    rs.ordering = lowercase(set.attribute("ordering").as_string("group"));
    if (set.attribute("score")) {
      Score s = 0;
      if (auto e = readScore(set, "score", s, false)) return e;
      rs.score = s;
    }
    for (pugi::xml_node ref = set.first_child(); ref; ref = ref.next_sibling()) {
      if (ref.type() != pugi::node_element) continue;
      if (std::strcmp(ref.name(), "resource_ref") != 0) {
        return fail(ref, "unknown element in <resource_set> (it holds <resource_ref>s)");
      }
      std::string name;
      if (auto e = requireId(ref, name)) return e;
      bool expanded = false;
      std::size_t before = rs.resources.size();
      if (auto e = expandReference(ref, name, rs.resources, expanded)) return e;
      if (!expanded && !resource_ids_.count(rs.resources[before])) {
        return fail(ref, "resource '" + name +
                             "' does not exist (no resource, template or tag has that id)");
      }
    }
    out.push_back(std::move(rs));
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readReferencePair(const pugi::xml_node& c, const char* first,
                                                 const char* second, ReferencePair& out) {
  out.first = c.attribute(first).as_string("");
  out.second = c.attribute(second).as_string("");
  if (out.first.empty()) return fail(c, "missing required attribute '" + std::string(first) + "'");
  if (out.second.empty()) {
    return fail(c, "missing required attribute '" + std::string(second) + "'");
  }
  std::vector<std::string> probe;
  if (auto e = expandReference(c, out.first, probe, out.first_tagged)) return e;
  return expandReference(c, out.second, probe, out.second_tagged);
}

// The `attribute` of constraint `c` (rsc, with-rsc, first, then) as a set when
// it names a template or tag, or (with `convert_resource`) a resource whose
// partner in the constraint is one. Pacemaker's pcmk__tag_to_set().
std::optional<Error> Unpacker::referenceToSet(const pugi::xml_node& c, const char* attribute,
                                              bool convert_resource, std::vector<ResourceSet>& sets,
                                              bool& expanded) {
  std::string name = c.attribute(attribute).as_string("");
  ResourceSet rs;
  rs.id = name;
  rs.line = lines_.lineOf(c);
  if (auto e = expandReference(c, name, rs.resources, expanded)) return e;
  if (expanded) rs.sequential = false;
  if (expanded || convert_resource) sets.push_back(std::move(rs));
  return std::nullopt;
}

std::optional<Error> Unpacker::readLocation(const pugi::xml_node& c, Cib& cib) {
  LocationConstraint lc;
  lc.id = c.attribute("id").value();
  lc.line = lines_.lineOf(c);
  std::string rsc = c.attribute("rsc").as_string("");
  std::string pattern = c.attribute("rsc-pattern").as_string("");
  lc.node = c.attribute("node").as_string("");
  lc.role = c.attribute("role").as_string("");
  lc.discovery = c.attribute("resource-discovery").as_string("always");
  if (lc.discovery != "always" && lc.discovery != "never" && lc.discovery != "exclusive") {
    return fail(
        c, "resource-discovery '" + lc.discovery + "' is not one of always, never or exclusive");
  }
  std::vector<ResourceSet> sets;
  if (auto e = readSets(c, sets)) return e;
  if (sets.empty() && rsc.empty() && pattern.empty()) {
    return fail(c, "missing required attribute 'rsc' (or 'rsc-pattern', or a <resource_set>)");
  }
  bool any_set_score = !sets.empty();
  for (const ResourceSet& s : sets) any_set_score = any_set_score && s.score.has_value();
  if (!lc.node.empty()) {
    if (auto e = readScore(c, "score", lc.score, !any_set_score)) return e;
  }
  for (pugi::xml_node r = c.child("rule"); r; r = r.next_sibling("rule")) {
    Rule rule;
    if (auto e = readRule(r, rule)) return e;
    lc.rules.push_back(std::move(rule));
  }
  if (lc.node.empty() && lc.rules.empty()) {
    return fail(c, "a location constraint needs 'node' and 'score', or a <rule>");
  }
  if (sets.empty() && !rsc.empty()) {
    bool expanded = false;
    if (auto e = referenceToSet(c, "rsc", false, sets, expanded)) return e;
  }
  if (!sets.empty()) {
    // unpack_location_set(): the set's role and score override the constraint's.
    for (const ResourceSet& s : sets) {
      for (const std::string& r : s.resources) {
        LocationConstraint each = lc;
        each.rsc = r;
        if (!s.role.empty()) each.role = s.role;
        if (s.score) each.score = *s.score;
        cib.locations.push_back(std::move(each));
      }
    }
    return std::nullopt;
  }
  if (!rsc.empty()) {
    lc.rsc = rsc;
    cib.locations.push_back(std::move(lc));
    return std::nullopt;
  }
  // rsc-pattern: an extended regular expression over the top-level
  // resources' ids ("!" inverts it); submatches replace %1.. in the rules.
  bool invert = pattern[0] == '!';
  if (invert) pattern.erase(0, 1);
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::extended);
  } catch (const std::regex_error&) {
    return fail(c, "rsc-pattern '" + pattern + "' is not an extended regular expression");
  }
  for (const ResourceConfig& top : cib.resources) {
    std::smatch m;
    bool found = std::regex_search(top.id, m, re);
    if (found == invert) continue;
    LocationConstraint each = lc;
    each.rsc = top.id;
    if (!invert) {
      for (Rule& rule : each.rules) expandRuleMatches(rule, m);
    }
    cib.locations.push_back(std::move(each));
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readColocation(const pugi::xml_node& c, Cib& cib) {
  ColocationConstraint cc;
  cc.id = c.attribute("id").value();
  cc.line = lines_.lineOf(c);
  // Without a score a colocation scores 0, which Pacemaker ignores (sets may carry their own).
  if (auto e = readScore(c, "score", cc.score, false)) return e;
  cc.influence = parseBool(c, "influence");
  std::vector<ResourceSet> sets;
  if (auto e = readSets(c, sets)) return e;
  if (sets.empty()) {
    ReferencePair pair;
    if (auto e = readReferencePair(c, "rsc", "with-rsc", pair)) return e;
    cc.rsc = pair.first;
    cc.with_rsc = pair.second;
    cc.rsc_role = c.attribute("rsc-role").as_string("");
    cc.with_rsc_role = c.attribute("with-rsc-role").as_string("");
    cc.node_attribute = c.attribute("node-attribute").as_string("");
    if (!pair.first_tagged && !pair.second_tagged) {
      cib.colocations.push_back(std::move(cc));
      return std::nullopt;
    }
    if (pair.first_tagged && pair.second_tagged) {
      // Pacemaker ignores such a constraint with a configuration error.
      cib.warnings.push_back(where(c) + ": two templates or tags ('" + cc.rsc + "', '" +
                             cc.with_rsc + "') cannot be colocated; ignoring the constraint");
      return std::nullopt;
    }
    bool expanded = false;
    if (auto e = referenceToSet(c, "rsc", true, sets, expanded)) return e;
    sets.back().role = cc.rsc_role;
    if (auto e = referenceToSet(c, "with-rsc", true, sets, expanded)) return e;
    sets.back().role = cc.with_rsc_role;
  }
  auto add = [&](const std::string& dependent, const std::string& primary, Score score,
                 const std::string& dependent_role, const std::string& primary_role) {
    if (score == 0) return;
    ColocationConstraint each;
    each.id = cc.id;
    each.line = cc.line;
    each.rsc = dependent;
    each.with_rsc = primary;
    each.score = score;
    each.rsc_role = dependent_role;
    each.with_rsc_role = primary_role;
    each.influence = cc.influence;
    cib.colocations.push_back(std::move(each));
  };
  const ResourceSet* last = nullptr;
  for (const ResourceSet& s : sets) {
    // unpack_colocation_set(): within a set, each resource with the one before
    // it (a negative score keeps every pair apart); sequential=false: none.
    Score score = s.score.value_or(cc.score);
    if (score != 0 && s.sequential.value_or(true)) {
      for (std::size_t i = 1; i < s.resources.size(); ++i) {
        bool listed = s.ordering != "group";
        if (score > 0 && !listed) {
          add(s.resources[i], s.resources[i - 1], score, s.role, s.role);
        } else if (score > 0) {
          add(s.resources[i - 1], s.resources[i], score, s.role, s.role);
        } else {
          for (std::size_t j = 0; j < i; ++j) {
            if (s.resources[j] == s.resources[i]) break;
            add(s.resources[i], s.resources[j], score, s.role, s.role);
          }
        }
      }
    }
    // colocate_rsc_sets(): the first of a sequential set with the last of the
    // next one; a non-sequential side contributes every member.
    if (last != nullptr && cc.score != 0) {
      std::vector<std::string> deps = last->resources, prims = s.resources;
      if (last->sequential.value_or(true) && !deps.empty()) deps = {deps.front()};
      if (s.sequential.value_or(true) && !prims.empty()) prims = {prims.back()};
      for (const std::string& d : deps) {
        for (const std::string& p : prims) add(d, p, cc.score, last->role, s.role);
      }
    }
    last = &s;
  }
  return std::nullopt;
}

std::optional<Error> Unpacker::readOrder(const pugi::xml_node& c, Cib& cib) {
  OrderConstraint oc;
  oc.id = c.attribute("id").value();
  oc.line = lines_.lineOf(c);
  if (pugi::xml_attribute kind = c.attribute("kind")) {
    if (auto k = parseOrderKind(kind.value())) {
      oc.kind = *k;
    } else {
      // Pacemaker resets an unknown kind to Mandatory with a config error.
      cib.warnings.push_back(where(c) + ": kind '" + kind.value() +
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
  // Deprecated: require-all="false" on a constraint between resources is clone-min 1.
  if (pugi::xml_attribute all = c.attribute("require-all")) {
    oc.require_all = crmIsTrue(all.value());
  }
  if (auto e = readSets(c, oc.sets)) return e;
  if (!oc.sets.empty()) {
    cib.orders.push_back(std::move(oc));
    return std::nullopt;
  }
  ReferencePair pair;
  if (auto e = readReferencePair(c, "first", "then", pair)) return e;
  oc.first = pair.first;
  oc.then = pair.second;
  oc.first_action = c.attribute("first-action").as_string("start");
  oc.then_action = c.attribute("then-action").as_string(oc.first_action.c_str());
  if (!isOrderAction(oc.first_action)) {
    return fail(c, "first-action '" + oc.first_action + "' is not start/stop/promote/demote");
  }
  if (!isOrderAction(oc.then_action)) {
    return fail(c, "then-action '" + oc.then_action + "' is not start/stop/promote/demote");
  }
  if (pair.first_tagged || pair.second_tagged) {
    // unpack_order_tags(): both ends become sets; only explicit actions move into them.
    bool expanded = false;
    if (auto e = referenceToSet(c, "first", true, oc.sets, expanded)) return e;
    oc.sets.back().action = c.attribute("first-action").as_string("");
    if (auto e = referenceToSet(c, "then", true, oc.sets, expanded)) return e;
    oc.sets.back().action = c.attribute("then-action").as_string("");
    oc.first.clear();
    oc.then.clear();
  }
  cib.orders.push_back(std::move(oc));
  return std::nullopt;
}

std::optional<Error> Unpacker::readTicket(const pugi::xml_node& c, Cib& cib) {
  TicketConstraint tc;
  tc.id = c.attribute("id").value();
  tc.line = lines_.lineOf(c);
  tc.ticket = c.attribute("ticket").as_string("");
  if (tc.ticket.empty()) return fail(c, "missing required attribute 'ticket'");
  std::vector<ResourceSet> sets;
  if (auto e = readSets(c, sets)) return e;
  if (sets.empty()) {
    std::string rsc = c.attribute("rsc").as_string("");
    if (rsc.empty()) return fail(c, "missing required attribute 'rsc' (or a <resource_set>)");
    bool expanded = false;
    if (auto e = referenceToSet(c, "rsc", true, sets, expanded)) return e;
    sets.back().role = c.attribute("rsc-role").as_string("");
  }
  std::string policy = c.attribute("loss-policy").as_string("");
  for (const ResourceSet& s : sets) {
    for (const std::string& r : s.resources) {
      TicketConstraint each = tc;
      each.rsc = r;
      each.rsc_role = s.role;
      const std::string lower = lowercase(policy);
      using Loss = TicketConstraint::LossPolicy;
      if (lower == "stop") {
        each.loss_policy = Loss::Stop;
      } else if (lower == "demote") {
        each.loss_policy = Loss::Demote;
      } else if (lower == "fence") {
        each.loss_policy = Loss::Fence;
      } else if (lower == "freeze") {
        each.loss_policy = Loss::Freeze;
      } else if (lower.empty()) {
        // Without a loss-policy, a ticket for the promoted role demotes.
        const std::string role = lowercase(s.role);
        each.loss_policy = (role == "promoted" || role == "master") ? Loss::Demote : Loss::Stop;
      } else {
        return fail(c, "loss-policy '" + policy + "' is not stop, demote, fence or freeze");
      }
      cib.tickets.push_back(std::move(each));
    }
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
    std::optional<Error> e;
    if (name == "rsc_location") {
      e = readLocation(c, cib);
    } else if (name == "rsc_colocation") {
      e = readColocation(c, cib);
    } else if (name == "rsc_order") {
      e = readOrder(c, cib);
    } else if (name == "rsc_ticket") {
      e = readTicket(c, cib);
    } else {
      e = fail(c, "unknown element in <constraints>");
    }
    if (e) return e;
  }
  return std::nullopt;
}

// <status><tickets><ticket_state id= granted= standby= last-granted=/>.
std::optional<Error> Unpacker::readTicketStates(const pugi::xml_node& tickets, Cib& cib) {
  for (pugi::xml_node t = tickets.child("ticket_state"); t; t = t.next_sibling("ticket_state")) {
    std::string id = t.attribute("id").as_string("");
    if (id.empty()) continue;  // Pacemaker skips a ticket state without an id
    TicketState& state = cib.ticket_states[id];
    state.granted = crmIsTrue(t.attribute("granted").as_string(""));
    state.standby = crmIsTrue(t.attribute("standby").as_string(""));
    if (pugi::xml_attribute lg = t.attribute("last-granted")) {
      state.last_granted = lg.as_llong(0);
    }
  }
  return std::nullopt;
}

}  // namespace pulse::pe::xmlread
