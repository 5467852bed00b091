// parseEdit(): pcs's word lists to typed edits. Flags may stand anywhere, as in pcs.
#include <algorithm>
#include <cctype>

#include "cib_commands.h"

namespace pulse::pcs {
namespace {

struct Words {
  std::vector<std::string> args;  // positional words, flags removed
  bool force = false, disabled = false, promoted = false;
  std::string group, before, after;
};

Result<Words> splitFlags(const std::vector<std::string>& words) {
  Words out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--force") {
      out.force = true;
    } else if (w == "--disabled") {
      out.disabled = true;
    } else if (w == "--promoted" || w == "--master") {  // --master: pcs 0.11's deprecated name
      out.promoted = true;
    } else if (w == "--group" || w == "--before" || w == "--after" || w.rfind("--group=", 0) == 0 ||
               w.rfind("--before=", 0) == 0 || w.rfind("--after=", 0) == 0) {
      const std::size_t eq = w.find('=');
      const std::string flag = w.substr(0, eq);
      std::string value;
      if (eq != std::string::npos) {
        value = w.substr(eq + 1);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return Error{"option " + flag + " requires an argument"};
      }
      (flag == "--group" ? out.group : flag == "--before" ? out.before : out.after) = value;
    } else if (w.rfind("--", 0) == 0) {
      return Error{"unknown option '" + w + "'"};
    } else {
      out.args.push_back(w);
    }
  }
  return out;
}

Result<std::pair<std::string, std::string>> splitOption(const std::string& word,
                                                        bool allow_empty_value) {
  const std::size_t eq = word.find('=');
  if (eq == std::string::npos) return Error{"missing value of '" + word + "' option"};
  if (eq == 0) return Error{"missing key in '" + word + "' option"};
  std::string value = word.substr(eq + 1);
  if (value.empty() && !allow_empty_value) {
    return Error{"value of '" + word.substr(0, eq) + "' option is empty"};
  }
  return std::pair{word.substr(0, eq), value};
}

// k=v words up to the next keyword among `stops`.
Result<NvPairs> options(const std::vector<std::string>& args, std::size_t& i,
                        std::initializer_list<const char*> stops, bool allow_empty) {
  NvPairs out;
  for (; i < args.size(); ++i) {
    if (std::find(stops.begin(), stops.end(), args[i]) != stops.end()) break;
    auto kv = splitOption(args[i], allow_empty);
    if (!kv.ok()) return kv.error();
    out.push_back(*kv);
  }
  return out;
}

// [k=v…] [op ACTION k=v… …] [meta k=v…]: the tail of create and update.
Status paramsOpsMeta(const std::vector<std::string>& args, std::size_t i, NvPairs& params,
                     std::vector<OperationSpec>& ops, NvPairs& meta, bool allow_empty) {
  auto p = options(args, i, {"op", "meta"}, allow_empty);
  if (!p.ok()) return p.error();
  params = *p;
  while (i < args.size()) {
    if (args[i] == "op") {
      ++i;
      if (i >= args.size() || args[i].find('=') != std::string::npos || args[i] == "meta" ||
          args[i] == "op") {
        return Error{
            "When using 'op' you must specify an operation name and at least one "
            "option"};
      }
      // Several operations may follow one `op`: a word without '=' starts the next one.
      ops.push_back(OperationSpec{args[i++], {}});
      for (; i < args.size() && args[i] != "op" && args[i] != "meta"; ++i) {
        if (args[i].find('=') == std::string::npos) {
          ops.push_back(OperationSpec{args[i], {}});
          continue;
        }
        auto kv = splitOption(args[i], false);
        if (!kv.ok()) return kv.error();
        ops.back().options.push_back(*kv);
      }
    } else if (args[i] == "meta") {
      ++i;
      auto m = options(args, i, {"op", "meta"}, allow_empty);
      if (!m.ok()) return m.error();
      meta.insert(meta.end(), m->begin(), m->end());
    } else {
      return Error{"unexpected '" + args[i] + "'"};
    }
  }
  for (const OperationSpec& op : ops) {
    if (op.options.empty()) {
      return Error{
          "When using 'op' you must specify an operation name and at least one "
          "option"};
    }
  }
  return {};
}

// What follows `clone`/`promotable` (create) or the resource id (resource clone): an optional
// clone id, then name=value meta attributes; create also takes a `meta` keyword there.
// `primitive_meta` (create only): pairs after a `meta` keyword there belong to the primitive,
// as in pcs 0.11; null (resource clone): `meta` only introduces the clone's options.
Result<CloneSpec> cloneSpec(bool promotable, const std::vector<std::string>& words,
                            NvPairs* primitive_meta) {
  CloneSpec spec{true, promotable, "", {}};
  std::size_t i = 0;
  if (i < words.size() && words[i].find('=') == std::string::npos && words[i] != "meta") {
    spec.clone_id = words[i++];
  }
  NvPairs* into = &spec.options;
  for (; i < words.size(); ++i) {
    if (words[i] == "meta") {  // resource clone: the clone's own meta attributes
      if (primitive_meta != nullptr) into = primitive_meta;
      continue;
    }
    auto kv = splitOption(words[i], false);
    if (!kv.ok()) return kv.error();
    into->push_back(*kv);
  }
  return spec;
}

Error usage(const std::string& command) {
  return Error{"invalid usage of 'pcs " + command + "', see pcs " + command + " --help"};
}

Result<Edit> parseResource(const Words& w) {
  const std::vector<std::string>& a = w.args;
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (sub == "create") {
    if (a.size() < 4) return usage("resource create");
    ResourceCreate e;
    e.id = a[2];
    e.agent = a[3];
    const auto clone_word = std::find_if(a.begin() + 4, a.end(), [](const std::string& x) {
      return x == "clone" || x == "promotable";
    });
    const std::vector<std::string> head(a.begin(), clone_word);
    if (Status s = paramsOpsMeta(head, 4, e.params, e.operations, e.meta, false); !s) {
      return s.error();
    }
    if (clone_word != a.end()) {
      if (!w.group.empty())
        return Error{"you can specify only one of clone, promotable, bundle or --group"};
      auto clone = cloneSpec(*clone_word == "promotable", {clone_word + 1, a.end()}, &e.meta);
      if (!clone.ok()) return clone.error();
      e.clone = *clone;
    }
    e.group = w.group;
    e.before = w.before;
    e.after = w.after;
    e.disabled = w.disabled;
    e.force = w.force;
    return Edit{e};
  }
  if ((sub == "delete" || sub == "remove") && a.size() == 3) return Edit{ResourceDelete{a[2]}};
  if (sub == "update" && a.size() >= 3) {
    ResourceUpdate e;
    e.id = a[2];
    if (Status s = paramsOpsMeta(a, 3, e.params, e.operations, e.meta, true); !s) return s.error();
    e.force = w.force;
    return Edit{e};
  }
  if ((sub == "enable" || sub == "disable") && a.size() == 3) {
    return Edit{ResourceEnable{a[2], sub == "enable"}};
  }
  if (sub == "meta" && a.size() >= 4) {
    std::size_t i = 3;
    auto m = options(a, i, {}, true);
    if (!m.ok()) return m.error();
    return Edit{ResourceMeta{a[2], *m}};
  }
  if (sub == "op" && a.size() >= 6 && a[2] == "add") {
    std::size_t i = 5;
    auto o = options(a, i, {}, false);
    if (!o.ok()) return o.error();
    return Edit{ResourceOpAdd{a[3], OperationSpec{a[4], *o}, w.force}};
  }
  if (sub == "group" && a.size() >= 5 && a[2] == "add") {
    return Edit{GroupAdd{a[3], {a.begin() + 4, a.end()}, w.before, w.after}};
  }
  if ((sub == "clone" || sub == "promotable") && a.size() >= 3) {
    auto clone = cloneSpec(sub == "promotable", {a.begin() + 3, a.end()}, nullptr);
    if (!clone.ok()) return clone.error();
    return Edit{ResourceClone{a[2], *clone}};
  }
  if (sub == "unclone" && a.size() == 3) return Edit{ResourceUnclone{a[2]}};
  const bool op_defaults = sub == "op" && a.size() > 2 && a[2] == "defaults";
  if (sub == "defaults" || op_defaults) {
    std::size_t i = op_defaults ? 3 : 2;
    if (i < a.size() && a[i] == "update") ++i;
    if (i >= a.size())
      return usage("resource " + std::string(op_defaults ? "op " : "") + "defaults");
    auto pairs = options(a, i, {}, true);
    if (!pairs.ok()) return pairs.error();
    return Edit{DefaultsUpdate{op_defaults, *pairs}};
  }
  if (sub == "utilization" && a.size() >= 4) {
    std::size_t i = 3;
    auto pairs = options(a, i, {}, true);
    if (!pairs.ok()) return pairs.error();
    return Edit{NvSetUpdate{NvSetUpdate::Target::ResourceUtilization, a[2], *pairs}};
  }
  if (sub == "op" && a.size() >= 4 && (a[2] == "delete" || a[2] == "remove")) {
    if (a.size() == 4) return Edit{OpDelete{a[3], "", {}}};
    std::size_t i = 5;
    auto o = options(a, i, {}, false);
    if (!o.ok()) return o.error();
    return Edit{OpDelete{a[3], a[4], *o}};
  }
  if (sub == "group" && a.size() >= 4 && (a[2] == "delete" || a[2] == "remove")) {
    return Edit{GroupRemove{a[3], {a.begin() + 4, a.end()}}};
  }
  if (sub == "ungroup" && a.size() >= 3) {
    return Edit{GroupRemove{a[2], {a.begin() + 3, a.end()}}};
  }
  if (sub == "move" && (a.size() == 3 || a.size() == 4)) {
    return Edit{ResourceMove{a[2], a.size() == 4 ? a[3] : "", w.promoted, ""}};
  }
  if ((sub == "move-with-constraint" || sub == "ban") && a.size() >= 3 && a.size() <= 5) {
    // pcs's _parse_resource_move_ban: a node and a lifetime=, each at most once, in any order;
    // a lifetime starting with a digit gets the 'P' of a duration ("30M" is thirty months).
    std::string node, lifetime;
    bool lifetime_given = false;
    for (std::size_t i = 3; i < a.size(); ++i) {
      if (a[i].starts_with("lifetime=")) {
        if (lifetime_given && !lifetime.empty()) return usage("resource " + sub);
        lifetime_given = true;
        lifetime = a[i].substr(9);
        if (!lifetime.empty() && std::isdigit(static_cast<unsigned char>(lifetime[0]))) {
          lifetime = "P" + lifetime;
        }
      } else if (node.empty()) {
        node = a[i];
      } else {
        return usage("resource " + sub);
      }
    }
    if (sub == "ban") return Edit{ResourceBan{a[2], node, w.promoted, lifetime}};
    return Edit{ResourceMove{a[2], node, w.promoted, lifetime}};
  }
  if (sub == "clear" && (a.size() == 3 || a.size() == 4)) {
    return Edit{ResourceClear{a[2], a.size() == 4 ? a[3] : "", w.promoted}};
  }
  return usage("resource" + (sub.empty() ? "" : " " + sub));
}

bool isRole(const std::string& word) {
  for (const char* r : {"started", "stopped", "promoted", "unpromoted", "master", "slave"}) {
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == r) return true;
  }
  return false;
}

// A role as pcs 0.11 writes it: capitalized, the deprecated Master/Slave as Promoted/Unpromoted.
std::string capitalize(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!word.empty()) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  if (word == "Master") return "Promoted";
  if (word == "Slave") return "Unpromoted";
  return word;
}

// `set R… [k=v…] [set R… [k=v…]]… [setoptions k=v…]`, from `words` (after the kind).
Result<Edit> parseSets(const std::string& kind, const std::vector<std::string>& words) {
  SetConstraint e;
  e.kind = kind;
  std::size_t i = 0;
  while (i < words.size() && words[i] != "setoptions") {
    if (words[i] == "set") {
      ++i;
      continue;
    }
    ResourceSet set;
    for (; i < words.size() && words[i] != "set" && words[i] != "setoptions"; ++i) {
      if (words[i].find('=') == std::string::npos) {
        if (!set.options.empty()) return Error{"unexpected '" + words[i] + "'"};
        set.resources.push_back(words[i]);
        continue;
      }
      auto kv = splitOption(words[i], false);
      if (!kv.ok()) return kv.error();
      set.options.push_back(*kv);
    }
    e.sets.push_back(set);
  }
  if (i < words.size()) {
    ++i;
    auto o = options(words, i, {}, false);
    if (!o.ok()) return o.error();
    e.options = *o;
  }
  if (e.sets.empty()) return usage("constraint " + kind);
  return Edit{e};
}

Result<Edit> parseConstraint(const Words& w) {
  std::vector<std::string> a(w.args.begin() + 1, w.args.end());  // after "constraint"
  const std::string sub = a.empty() ? "" : a[0];
  if ((sub == "order" || sub == "colocation" || sub == "ticket") && a.size() >= 2 &&
      a[1] == "set") {
    return parseSets(sub, {a.begin() + 2, a.end()});
  }
  if (sub == "location" && a.size() >= 6 && a[1] == "add") {
    LocationAdd e{a[2], a[3], a[4], a[5], {}, w.force};
    std::size_t i = 6;
    auto o = options(a, i, {}, false);
    if (!o.ok()) return o.error();
    e.options = *o;
    return Edit{e};
  }
  if (sub == "location" && a.size() >= 3 && a[2] == "rule") {
    LocationRule e{a[1], {}, {}};
    std::size_t i = 3;
    for (; i < a.size(); ++i) {
      const std::size_t eq = a[i].find('=');
      const std::string key = a[i].substr(0, eq);
      if (eq == std::string::npos ||
          (key != "id" && key != "constraint-id" && key != "score" && key != "score-attribute" &&
           key != "role" && key != "resource-discovery")) {
        break;
      }
      e.options.emplace_back(key, a[i].substr(eq + 1));
    }
    e.expression.assign(a.begin() + static_cast<long>(i), a.end());
    return Edit{e};
  }
  if (sub == "ticket" && a.size() >= 4 && a[1] == "add") {
    TicketAdd e;
    e.ticket = a[2];
    std::size_t i = 3;
    if (i + 1 < a.size() && isRole(a[i]) && a[i + 1].find('=') == std::string::npos) {
      e.role = capitalize(a[i++]);
    }
    e.rsc = a[i++];
    auto o = options(a, i, {}, false);
    if (!o.ok()) return o.error();
    e.options = *o;
    return Edit{e};
  }
  if (sub == "ticket" && a.size() == 4 && (a[1] == "delete" || a[1] == "remove")) {
    return Edit{TicketDelete{a[2], a[3]}};
  }
  if (sub == "location" && a.size() >= 4 && (a[2] == "prefers" || a[2] == "avoids")) {
    LocationPrefers e{a[1], a[2] == "avoids", {}, w.force};
    for (std::size_t i = 3; i < a.size(); ++i) {
      const std::size_t eq = a[i].find('=');
      e.node_scores.emplace_back(a[i].substr(0, eq),
                                 eq == std::string::npos ? "" : a[i].substr(eq + 1));
    }
    return Edit{e};
  }
  if (sub == "colocation" && a.size() >= 4 && a[1] == "add") {
    ColocationAdd e;
    e.force = w.force;
    std::vector<std::string> r(a.begin() + 2, a.end());
    std::size_t i = 0;
    if (r.size() > 2 && r[2] == "with") e.rsc_role = capitalize(r[i++]);
    e.rsc = r[i++];
    if (i >= r.size() || r[i++] != "with") return usage("constraint colocation add");
    if (std::count(r.begin() + static_cast<long>(i), r.end(), "with") > 0) {
      return Error{"Multiple 'with's cannot be specified."};
    }
    if (i + 1 < r.size() && isRole(r[i]) && r[i + 1].find('=') == std::string::npos) {
      e.with_rsc_role = capitalize(r[i++]);
    }
    if (i >= r.size()) return usage("constraint colocation add");
    e.with_rsc = r[i++];
    if (i < r.size() && r[i].find('=') == std::string::npos) e.score = r[i++];
    auto o = options(r, i, {}, false);
    if (!o.ok()) return o.error();
    e.options = *o;
    return Edit{e};
  }
  if (sub == "order" && a.size() >= 4) {
    OrderAdd e;
    e.force = w.force;
    const std::vector<std::string> actions = {"start", "stop", "promote", "demote"};
    auto isAction = [&](const std::string& s) {
      return std::find(actions.begin(), actions.end(), s) != actions.end();
    };
    std::size_t i = 1;
    if (isAction(a[i])) e.first_action = a[i++];
    if (i + 1 >= a.size()) return usage("constraint order");
    e.first = a[i++];
    if (a[i++] != "then" || i >= a.size()) return usage("constraint order");
    if (isAction(a[i])) e.then_action = a[i++];
    if (i >= a.size()) return usage("constraint order");
    e.then = a[i++];
    for (; i < a.size(); ++i) {
      if (a[i] == "then") return Error{"Multiple 'then's cannot be specified."};
      if (a[i] == "symmetrical" || a[i] == "nonsymmetrical") {
        e.options.emplace_back("symmetrical", a[i] == "symmetrical" ? "true" : "false");
        continue;
      }
      auto kv = splitOption(a[i], false);
      if (!kv.ok()) return kv.error();
      e.options.push_back(*kv);
    }
    return Edit{e};
  }
  if ((sub == "delete" || sub == "remove") && a.size() >= 2) {
    return Edit{ConstraintDelete{{a.begin() + 1, a.end()}}};
  }
  return usage("constraint" + (sub.empty() ? "" : " " + sub));
}

// `pcs stonith create NAME AGENT ...` is `resource create NAME stonith:AGENT ...`; pcs 0.11
// wants the bare fence agent name.
Result<Edit> parseStonith(const Words& w) {
  const std::vector<std::string>& a = w.args;
  const std::string sub = a.size() > 1 ? a[1] : "";
  if (sub == "create") {
    if (a.size() < 4) return usage("stonith create");
    if (a[3].find(':') != std::string::npos) {
      return Error{"Invalid stonith agent name '" + a[3] +
                   "'. Agent name cannot contain the ':' character, do not use the 'stonith:' "
                   "prefix. List of agents can be obtained by using command 'pcs stonith list'."};
    }
    if (!w.group.empty() || !w.before.empty() || !w.after.empty()) {
      return Error{"stonith resources cannot be put in a group"};
    }
    ResourceCreate e;
    e.id = a[2];
    e.agent = "stonith:" + a[3];
    if (Status s = paramsOpsMeta(a, 4, e.params, e.operations, e.meta, false); !s) return s.error();
    e.disabled = w.disabled;
    e.force = w.force;
    return Edit{e};
  }
  if ((sub == "delete" || sub == "remove") && a.size() == 3) {
    return Edit{ResourceDelete{a[2], true}};
  }
  if (sub == "level") return parseFencingLevel({a.begin() + 2, a.end()}, w.force);
  return usage("stonith" + (sub.empty() ? "" : " " + sub));
}

}  // namespace

Result<Edit> parseEdit(const std::vector<std::string>& words) {
  auto split = splitFlags(words);
  if (!split.ok()) return split.error();
  const Words& w = *split;
  const std::vector<std::string>& a = w.args;
  if (a.empty()) return Error{"no command given"};
  if (w.promoted &&
      !(a[0] == "resource" && a.size() > 1 &&
        (a[1] == "move" || a[1] == "move-with-constraint" || a[1] == "ban" || a[1] == "clear"))) {
    return Error{"Specified option '--promoted' is not supported in this command"};
  }
  if (a[0] == "resource") return parseResource(w);
  if (a[0] == "alert") return parseAlertEdit({a.begin() + 1, a.end()}, w.force);
  if (a[0] == "stonith") return parseStonith(w);
  if (a[0] == "constraint") return parseConstraint(w);
  if (a[0] == "property" && a.size() >= 3 && a[1] == "set") {
    std::size_t i = 2;
    auto p = options(a, i, {}, true);
    if (!p.ok()) return p.error();
    return Edit{PropertySet{*p, w.force}};
  }
  if (a[0] == "node" && a.size() >= 4 && (a[1] == "attribute" || a[1] == "utilization")) {
    std::size_t i = 3;
    auto p = options(a, i, {}, true);
    if (!p.ok()) return p.error();
    return Edit{NvSetUpdate{a[1] == "attribute" ? NvSetUpdate::Target::NodeAttribute
                                                : NvSetUpdate::Target::NodeUtilization,
                            a[2], *p}};
  }
  if (a[0] == "tag" && a.size() >= 3 && a[1] == "create") {
    return Edit{TagCreate{a[2], {a.begin() + 3, a.end()}}};
  }
  if (a[0] == "tag" && a.size() >= 3 && (a[1] == "delete" || a[1] == "remove")) {
    return Edit{TagDelete{{a.begin() + 2, a.end()}}};
  }
  if (a[0] == "tag" && a.size() >= 5 && a[1] == "update") {
    TagUpdate e{a[2], {}, {}, w.before, w.after};
    std::vector<std::string>* into = nullptr;
    for (std::size_t i = 3; i < a.size(); ++i) {
      if (a[i] == "add" || a[i] == "remove") {
        into = a[i] == "add" ? &e.add : &e.remove;
      } else if (into == nullptr) {
        return usage("tag update");
      } else {
        into->push_back(a[i]);
      }
    }
    return Edit{e};
  }
  if (a[0] == "node" && a.size() == 3 && (a[1] == "standby" || a[1] == "unstandby")) {
    return Edit{NodeStandby{a[2], a[1] == "standby"}};
  }
  return usage(a[0]);
}

}  // namespace pulse::pcs
