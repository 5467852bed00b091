// pcs alert: create/update/delete alerts and their recipients, and `pcs alert config`, as pcs
// 0.11.5 does them (pcs/alert.py, pcs/lib/cib/alert.py): generated ids "alert", "alert-1",
// "ALERT-recipient", "ALERT-recipient-1"; instance and meta attributes in the element's first
// instance_attributes / meta_attributes set, a new set put first (pcs's arrange_first_nvset:
// instance attributes first, then meta, so a new meta set ends up before a new instance set),
// pairs written in name order, an empty value removing the pair and a set left empty kept.
#include <algorithm>
#include <map>
#include <sstream>

#include "cib_commands.h"

namespace pulse::pcs {
namespace {

Error usage(const std::string& command) {
  return Error{"invalid usage of 'pcs alert " + command + "', see pcs alert --help"};
}

// pcs's group_by_keywords + prepare_options: words before `options`/`meta` are the main
// group; each k=v once (the same pair twice is one), in name order.
struct Groups {
  std::map<std::string, std::string> main, options, meta;
};

Result<Groups> groups(const std::vector<std::string>& words) {
  Groups out;
  std::map<std::string, std::string>* into = &out.main;
  for (const std::string& w : words) {
    if (w == "options" || w == "meta") {
      into = w == "options" ? &out.options : &out.meta;
      continue;
    }
    const std::size_t eq = w.find('=');
    if (eq == std::string::npos) return Error{"missing value of '" + w + "' option"};
    if (eq == 0) return Error{"missing key in '" + w + "' option"};
    const std::string name = w.substr(0, eq), value = w.substr(eq + 1);
    auto [it, added] = into->emplace(name, value);
    if (!added && it->second != value) {
      return Error{"duplicate option '" + name + "' with different values '" + it->second +
                   "' and '" + value + "'"};
    }
  }
  return out;
}

Status onlyAllowed(const std::map<std::string, std::string>& main,
                   std::initializer_list<const char*> allowed) {
  for (const auto& [name, value] : main) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Error{"Unexpected parameter '" + name + "=" + value + "'"};
    }
  }
  return {};
}

std::optional<std::string> given(const std::map<std::string, std::string>& main, const char* name) {
  auto it = main.find(name);
  if (it == main.end()) return std::nullopt;
  return it->second;
}

NvPairs pairs(const std::map<std::string, std::string>& m) { return {m.begin(), m.end()}; }

}  // namespace

Result<Edit> parseAlertEdit(const std::vector<std::string>& a, bool force) {
  // a: the words after "alert", flags removed.
  const std::string sub = a.empty() ? "" : a[0];
  const bool recipient = sub == "recipient";
  const std::string verb = recipient ? (a.size() > 1 ? a[1] : "") : sub;
  const std::size_t first = recipient ? 2 : 1;
  const std::string command = recipient ? "recipient " + verb : verb;
  if (force && !recipient)
    return Error{"Specified option '--force' is not supported in this command"};
  if (verb == "delete" || verb == "remove") {
    if (a.size() <= first) return usage(command);
    return Edit{AlertDelete{recipient, {a.begin() + static_cast<long>(first), a.end()}}};
  }
  const bool create = recipient ? verb == "add" : verb == "create";
  if (!create && verb != "update") return usage(command.empty() ? "" : command);
  // update names its alert or recipient first; recipient add names the alert.
  std::vector<std::string> rest(a.begin() + static_cast<long>(std::min(first, a.size())), a.end());
  AlertEdit e;
  e.recipient = recipient;
  e.create = create;
  e.force = force;
  if (!create || recipient) {
    if (rest.empty() || (recipient && create && rest.size() < 2)) return usage(command);
    (recipient && create ? e.alert : e.id) = rest.front();
    rest.erase(rest.begin());
  } else if (rest.empty()) {
    return usage(command);
  }
  auto g = groups(rest);
  if (!g.ok()) return g.error();
  Status allowed = !recipient ? (create ? onlyAllowed(g->main, {"id", "description", "path"})
                                        : onlyAllowed(g->main, {"description", "path"}))
                              : (create ? onlyAllowed(g->main, {"description", "id", "value"})
                                        : onlyAllowed(g->main, {"description", "value"}));
  if (!allowed) return allowed.error();
  if (create) e.id = given(g->main, "id").value_or("");
  e.path = given(g->main, "path");
  e.value = given(g->main, "value");
  e.description = given(g->main, "description");
  e.options = pairs(g->options);
  e.meta = pairs(g->meta);
  return Edit{std::move(e)};
}

namespace cibxml {
namespace {

pugi::xml_node findIn(pugi::xml_node alerts, const char* tag, const std::string& id) {
  if (std::string_view(tag) == "alert")
    return alerts.find_child_by_attribute("alert", "id", id.c_str());
  for (pugi::xml_node alert : alerts.children("alert")) {
    if (auto r = alert.find_child_by_attribute("recipient", "id", id.c_str())) return r;
  }
  return {};
}

// pcs's _update_optional_attribute: nullopt leaves it, "" removes it.
void optionalAttribute(pugi::xml_node element, const char* name,
                       const std::optional<std::string>& value) {
  if (!value) return;
  if (value->empty()) {
    element.remove_attribute(name);
  } else {
    if (!element.attribute(name)) element.append_attribute(name);
    element.attribute(name) = value->c_str();
  }
}

// A recipient value the alert already has (on another recipient): an error unless --force
// (where pcs also warns; applyEdit() prints nothing).
Status uniqueValue(pugi::xml_node alert, const std::string& value, const std::string& own_id,
                   bool force) {
  for (pugi::xml_node r : alert.children("recipient")) {
    if (value != r.attribute("value").as_string() || own_id == r.attribute("id").as_string()) {
      continue;
    }
    if (!force) {
      return Error{"Recipient '" + value + "' in alert '" + alert.attribute("id").as_string() +
                   "' already exists, use --force to override"};
    }
  }
  return {};
}

void attributes(Cib& cib, pugi::xml_node element, const AlertEdit& edit) {
  if (!edit.options.empty()) updateNvSet(cib, element, "instance_attributes", edit.options, true);
  if (!edit.meta.empty()) updateNvSet(cib, element, "meta_attributes", edit.meta, true);
}

}  // namespace

Status apply(Cib& cib, const AlertEdit& edit, const EditContext&) {
  if (!edit.recipient && edit.create) {
    if (!edit.path || edit.path->empty()) return Error{"required option 'path' is missing"};
    std::string id = edit.id;
    if (!id.empty()) {
      if (Status s = validateId(id, "alert-id"); !s) return s;
      if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
    } else {
      id = uniqueId(cib, "alert");
    }
    pugi::xml_node alert = section(cib, "alerts").append_child("alert");
    alert.append_attribute("id") = id.c_str();
    alert.append_attribute("path") = edit.path->c_str();
    if (edit.description && !edit.description->empty()) {
      alert.append_attribute("description") = edit.description->c_str();
    }
    attributes(cib, alert, edit);
    return {};
  }
  pugi::xml_node alerts = cib.configuration.child("alerts");
  if (!edit.recipient) {
    pugi::xml_node alert = findIn(alerts, "alert", edit.id);
    if (!alert) return Error{"alert '" + edit.id + "' does not exist"};
    if (edit.path && !edit.path->empty()) alert.attribute("path") = edit.path->c_str();
    optionalAttribute(alert, "description", edit.description);
    attributes(cib, alert, edit);
    return {};
  }
  if (edit.create) {
    if (!edit.value || edit.value->empty()) return Error{"required option 'value' is missing"};
    std::string id = edit.id;
    if (!id.empty()) {
      if (idExists(cib, id)) return Error{"'" + id + "' already exists"};
      if (Status s = validateId(id, "recipient-id"); !s) return s;
    } else {
      id = uniqueId(cib, edit.alert + "-recipient");
    }
    pugi::xml_node alert = findIn(alerts, "alert", edit.alert);
    if (!alert) return Error{"alert '" + edit.alert + "' does not exist"};
    if (Status s = uniqueValue(alert, *edit.value, "", edit.force); !s) return s;
    pugi::xml_node recipient = alert.append_child("recipient");
    recipient.append_attribute("id") = id.c_str();
    recipient.append_attribute("value") = edit.value->c_str();
    if (edit.description && !edit.description->empty()) {
      recipient.append_attribute("description") = edit.description->c_str();
    }
    attributes(cib, recipient, edit);
    return {};
  }
  if (edit.value && edit.value->empty()) return Error{"Recipient value '' is not valid."};
  pugi::xml_node recipient = findIn(alerts, "recipient", edit.id);
  if (!recipient) return Error{"recipient '" + edit.id + "' does not exist"};
  if (edit.value) {
    if (Status s = uniqueValue(recipient.parent(), *edit.value, edit.id, edit.force); !s) return s;
    recipient.attribute("value") = edit.value->c_str();
  }
  optionalAttribute(recipient, "description", edit.description);
  attributes(cib, recipient, edit);
  return {};
}

Status apply(Cib& cib, const AlertDelete& edit, const EditContext&) {
  pugi::xml_node alerts = cib.configuration.child("alerts");
  std::string errors;
  for (const std::string& id : edit.ids) {
    pugi::xml_node found = findIn(alerts, edit.recipient ? "recipient" : "alert", id);
    if (!found) {
      errors += (errors.empty() ? "" : "\nError: ") +
                std::string(edit.recipient ? "recipient '" : "alert '") + id + "' does not exist";
      continue;
    }
    found.parent().remove_child(found);
  }
  if (!errors.empty()) return Error{errors};
  return {};
}

}  // namespace cibxml

namespace {

// pcs's _nvset_to_str: the first set of that tag, by name, values with a space quoted.
std::string nvsetText(pugi::xml_node owner, const char* tag) {
  std::map<std::string, std::string> pairs;
  for (pugi::xml_node p : owner.child(tag).children("nvpair")) {
    pairs[p.attribute("name").as_string()] = p.attribute("value").as_string();
  }
  std::string out;
  for (const auto& [name, value] : pairs) {
    const bool quote = value.find(' ') != std::string::npos;
    out += (out.empty() ? "" : " ") + name + "=" + (quote ? "\"" + value + "\"" : value);
  }
  return out;
}

// Description, Options and Meta options lines of an alert or recipient, at `indent`.
void details(std::ostringstream& out, pugi::xml_node element, const std::string& indent) {
  if (const std::string d = element.attribute("description").as_string(); !d.empty()) {
    out << indent << "Description: " << d << "\n";
  }
  if (const std::string o = nvsetText(element, "instance_attributes"); !o.empty()) {
    out << indent << "Options: " << o << "\n";
  }
  if (const std::string m = nvsetText(element, "meta_attributes"); !m.empty()) {
    out << indent << "Meta options: " << m << "\n";
  }
}

}  // namespace

Result<std::string> alertConfig(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  std::ostringstream out;
  out << "Alerts:\n";
  bool any = false;
  for (pugi::xml_node alert : cib.configuration.child("alerts").children("alert")) {
    any = true;
    out << " Alert: " << alert.attribute("id").as_string()
        << " (path=" << alert.attribute("path").as_string() << ")\n";
    details(out, alert, "  ");
    if (!alert.child("recipient")) continue;
    out << "  Recipients:\n";
    for (pugi::xml_node r : alert.children("recipient")) {
      out << "   Recipient: " << r.attribute("id").as_string()
          << " (value=" << r.attribute("value").as_string() << ")\n";
      details(out, r, "    ");
    }
  }
  if (!any) out << " No alerts defined\n";
  return out.str();
}

}  // namespace pulse::pcs
