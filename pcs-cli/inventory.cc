#include "pcs-cli/inventory.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace pulse::pcs {
namespace {

// Groups that every host is in (Ansible's) or that only say "the nodes": not roles.
const std::set<std::string> kNotRoles = {"all", "ungrouped", "nodes"};

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// Node and group names as the cluster config and CIB ids take them.
bool validName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  if (!std::isalnum(static_cast<unsigned char>(s[0])) && s[0] != '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// A CIB nvpair name (an XML NCName, kept to ASCII).
bool validAttribute(const std::string& s) {
  if (s.empty() || (!std::isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// The text of a line before a comment: '#' (and INI's ';') at the start or after a blank,
// outside quotes.
std::string stripComment(const std::string& line, bool ini) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if ((c == '#' || (ini && c == ';')) &&
               (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

class Builder {
 public:
  explicit Builder(std::string file) : file_(std::move(file)) {}

  Error error(int line, const std::string& what) const {
    return Error{file_ + ":" + std::to_string(line) + ": " + what};
  }

  Result<InventoryNode*> node(const std::string& name, int line) {
    if (!validName(name)) {
      return error(line, "'" + name +
                             "' is not a valid node name (letters, digits, '-', '_', '.'; host "
                             "patterns such as web[1:3] are not expanded)");
    }
    for (InventoryNode& n : inventory_.nodes) {
      if (n.name == name) return &n;
    }
    inventory_.nodes.push_back(InventoryNode{name, "", {}, {}, line});
    return &inventory_.nodes.back();
  }

  Status addRole(InventoryNode& node, const std::string& role, int line) {
    if (!validName(role)) return error(line, "'" + role + "' is not a valid role (group) name");
    if (kNotRoles.contains(role)) return {};
    if (std::find(node.roles.begin(), node.roles.end(), role) == node.roles.end()) {
      node.roles.push_back(role);
      std::sort(node.roles.begin(), node.roles.end());
    }
    return {};
  }

  // addr= / ansible_host= / address=: the node's address; anything else a var (the host's own
  // values: they win over group vars). Ansible's connection vars are dropped.
  Status setVar(InventoryNode& node, const std::string& key, const std::string& value, int line) {
    if (key == "addr" || key == "address" || key == "ansible_host") {
      if (value.empty()) return error(line, node.name + ": " + key + " is empty");
      if (!node.address.empty() && node.address != value) {
        return error(line, node.name + ": two addresses ('" + node.address + "' and '" + value +
                               "'); Pulse runs one ring, give one addr=");
      }
      node.address = value;
      return {};
    }
    if (key.starts_with("ansible_")) return {};
    if (!validAttribute(key)) {
      return error(line, node.name + ": '" + key +
                             "' is not a valid attribute name (a letter or '_' first, then "
                             "letters, digits, '-', '_', '.')");
    }
    if (key == "roles" || key.starts_with("role-")) {
      return error(line,
                   node.name + ": '" + key + "' is set from the node's groups; it cannot be a var");
    }
    node.vars[key] = value;
    return {};
  }

  Result<Inventory> finish(int last_line) {
    if (inventory_.nodes.empty()) return error(last_line, "no nodes in the inventory");
    for (const auto& [group, vars] : group_vars_) {
      for (InventoryNode& n : inventory_.nodes) {
        const bool member =
            group == "all" || std::find(n.roles.begin(), n.roles.end(), group) != n.roles.end();
        if (!member) continue;
        for (const auto& [key, value] : vars.values) {
          if (own_vars_[n.name].contains(key)) continue;
          if (Status s = setVar(n, key, value.first, value.second); !s) return s.error();
        }
      }
    }
    return std::move(inventory_);
  }

  void markOwn(const std::string& node, const std::string& key) { own_vars_[node].insert(key); }

  struct GroupVars {
    std::map<std::string, std::pair<std::string, int>> values;  // key -> value, line
  };
  std::map<std::string, GroupVars> group_vars_;

 private:
  std::string file_;
  Inventory inventory_;
  std::map<std::string, std::set<std::string>> own_vars_;
};

// Splits an INI host line into words, keeping quoted values whole (quotes removed).
Result<std::vector<std::string>> words(const std::string& line) {
  std::vector<std::string> out;
  std::string word;
  char quote = 0;
  bool in_word = false;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return Error{"unterminated quote"};
  if (in_word) out.push_back(word);
  return out;
}

Result<Inventory> parseIni(const std::vector<std::string>& lines, const std::string& file) {
  Builder b(file);
  std::string group = "ungrouped";
  bool vars_section = false;
  int number = 0;
  for (const std::string& raw : lines) {
    ++number;
    const std::string line = trim(stripComment(raw, true));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']') return b.error(number, "a section header ends with ']'");
      std::string name = trim(line.substr(1, line.size() - 2));
      vars_section = false;
      if (const auto colon = name.find(':'); colon != std::string::npos) {
        const std::string kind = name.substr(colon + 1);
        name = name.substr(0, colon);
        if (kind == "children") {
          return b.error(number, "[" + name +
                                     ":children] is not supported: list the hosts under [" + name +
                                     "] itself");
        }
        if (kind != "vars") {
          return b.error(number,
                         "unknown section kind ':" + kind + "' (use [group] or " + "[group:vars])");
        }
        vars_section = true;
      }
      if (!validName(name)) return b.error(number, "'" + name + "' is not a valid group name");
      group = name;
      continue;
    }
    if (vars_section) {
      const auto eq = line.find('=');
      if (eq == std::string::npos || eq == 0) {
        return b.error(number, "[" + group + ":vars] lines are written key=value");
      }
      std::string value = trim(line.substr(eq + 1));
      auto unquoted = words(value);
      if (!unquoted) return b.error(number, unquoted.error().message);
      if (unquoted->size() == 1) value = unquoted->front();
      b.group_vars_[group].values[trim(line.substr(0, eq))] = {value, number};
      continue;
    }
    auto split = words(line);
    if (!split) return b.error(number, split.error().message);
    auto node = b.node(split->front(), number);
    if (!node) return node.error();
    if (Status s = b.addRole(**node, group, number); !s) return s.error();
    for (std::size_t i = 1; i < split->size(); ++i) {
      const std::string& word = (*split)[i];
      const auto eq = word.find('=');
      if (eq == std::string::npos || eq == 0) {
        return b.error(number, "'" + word +
                                   "': host vars are written key=value after the host "
                                   "name (one host per line)");
      }
      const std::string key = word.substr(0, eq);
      if (Status s = b.setVar(**node, key, word.substr(eq + 1), number); !s) return s.error();
      b.markOwn((*node)->name, key);
    }
  }
  return b.finish(number);
}

// ---- YAML subset ---------------------------------------------------------------------------

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// "[a, b]" -> {a, b}; a plain scalar -> {it}.
std::vector<std::string> flowList(const std::string& value) {
  std::vector<std::string> out;
  if (value.size() < 2 || value.front() != '[' || value.back() != ']') {
    out.push_back(unquote(value));
    return out;
  }
  std::string inner = value.substr(1, value.size() - 2);
  std::size_t start = 0;
  while (start <= inner.size()) {
    const auto comma = inner.find(',', start);
    const std::string item = trim(inner.substr(start, comma - start));
    if (!item.empty()) out.push_back(unquote(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct YamlLine {
  int number;
  std::size_t indent;
  std::string text;
};

Result<Inventory> parseYaml(const std::vector<std::string>& lines, const std::string& file) {
  Builder b(file);
  std::vector<YamlLine> content;
  int number = 0;
  for (const std::string& raw : lines) {
    ++number;
    const std::string line = stripComment(raw, false);
    if (trim(line).empty() || trim(line) == "---") continue;
    const std::size_t indent = line.find_first_not_of(' ');
    if (line[indent] == '\t') return b.error(number, "tabs are not allowed for indentation");
    std::string text = line.substr(indent);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
    content.push_back({number, indent, text});
  }
  if (content.empty()) return b.error(number, "no nodes in the inventory");
  if (content.front().indent != 0 || content.front().text != "nodes:") {
    return b.error(content.front().number,
                   "a YAML inventory starts with 'nodes:' (a list of name/addr/roles/vars)");
  }
  InventoryNode* node = nullptr;
  std::optional<std::size_t> item_indent;
  std::size_t key_indent = 0;
  std::string block;  // "roles" or "vars" while their indented lines follow
  std::set<std::string> named;
  for (std::size_t i = 1; i < content.size(); ++i) {
    const YamlLine& l = content[i];
    std::string text = l.text;
    std::size_t indent = l.indent;
    if (l.indent == 0) return b.error(l.number, "only 'nodes:' may be at the top level");
    const bool dash = text == "-" || text.starts_with("- ");
    if (dash && (!item_indent || indent == *item_indent)) {
      item_indent = indent;
      node = nullptr;
      block.clear();
      text = trim(text.substr(1));
      indent += 1 + (l.text.size() - 1 - trim(l.text.substr(1)).size());
      // "-" alone: the node's keys follow on the next lines, wherever they are indented.
      key_indent = text.empty() ? std::string::npos : indent;
      if (text.empty()) continue;
    } else if (!item_indent) {
      return b.error(l.number, "'nodes:' holds a list: each node starts with '- '");
    } else if (!block.empty() && indent > key_indent) {
      if (block == "roles") {
        if (!dash) return b.error(l.number, "roles: list items start with '- '");
        if (Status s = b.addRole(*node, unquote(trim(text.substr(1))), l.number); !s) {
          return s.error();
        }
      } else {
        const auto colon = text.find(':');
        if (colon == std::string::npos) return b.error(l.number, "vars: lines are 'key: value'");
        const std::string key = trim(text.substr(0, colon));
        if (Status s = b.setVar(*node, key, unquote(trim(text.substr(colon + 1))), l.number); !s) {
          return s.error();
        }
      }
      continue;
    } else if (key_indent == std::string::npos && indent > *item_indent) {
      key_indent = indent;
    } else if (indent != key_indent) {
      return b.error(l.number, "unexpected indentation");
    }
    block.clear();
    const auto colon = text.find(':');
    if (colon == std::string::npos) return b.error(l.number, "expected 'key: value'");
    const std::string key = trim(text.substr(0, colon));
    const std::string value = trim(text.substr(colon + 1));
    if (key == "name") {
      if (node != nullptr) return b.error(l.number, "a node has one name");
      auto created = b.node(unquote(value), l.number);
      if (!created) return created.error();
      node = *created;
      if (!named.insert(node->name).second) {
        return b.error(l.number, "node '" + node->name + "' is listed twice");
      }
      continue;
    }
    if (node == nullptr) return b.error(l.number, "each node starts with 'name:'");
    if (key == "addr" || key == "address" || key == "ansible_host") {
      if (Status s = b.setVar(*node, key, unquote(value), l.number); !s) return s.error();
    } else if (key == "roles") {
      if (value.empty()) {
        block = "roles";
        continue;
      }
      for (const std::string& role : flowList(value)) {
        if (Status s = b.addRole(*node, role, l.number); !s) return s.error();
      }
    } else if (key == "vars") {
      if (value.empty()) {
        block = "vars";
        continue;
      }
      if (value.size() < 2 || value.front() != '{' || value.back() != '}') {
        return b.error(l.number, "vars: is a map ({key: value, ...} or indented lines)");
      }
      for (const std::string& pair : flowList("[" + value.substr(1, value.size() - 2) + "]")) {
        const auto c = pair.find(':');
        if (c == std::string::npos) return b.error(l.number, "vars: entries are 'key: value'");
        if (Status s = b.setVar(*node, trim(pair.substr(0, c)), unquote(trim(pair.substr(c + 1))),
                                l.number);
            !s) {
          return s.error();
        }
      }
    } else {
      return b.error(l.number, "unknown node key '" + key + "' (use name, addr, roles, vars)");
    }
  }
  return b.finish(content.back().number);
}

}  // namespace

Result<Inventory> parseInventory(const std::string& text, const std::string& file) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  // The first meaningful line tells the format: YAML starts with `---` or `nodes:`.
  for (const std::string& line : lines) {
    const std::string t = trim(stripComment(line, false));
    if (t.empty()) continue;
    if (t == "---" || t.starts_with("nodes:")) return parseYaml(lines, file);
    break;
  }
  return parseIni(lines, file);
}

std::map<std::string, std::string> inventoryAttributes(const InventoryNode& node) {
  std::map<std::string, std::string> out = node.vars;
  std::string roles;
  for (const std::string& role : node.roles) {
    out["role-" + role] = "1";
    roles += (roles.empty() ? "" : ",") + role;
  }
  if (!roles.empty()) out["roles"] = roles;
  return out;
}

}  // namespace pulse::pcs

namespace pulse::pcs {

std::string formatNodeChecks(const std::vector<NodeCheck>& checks) {
  std::vector<std::vector<std::string>> rows = {
      {"Node", "Address", "Authenticated", "Reachable", "Version", "In cluster"}};
  for (const NodeCheck& c : checks) {
    rows.push_back({c.node, c.address.empty() ? "-" : c.address, c.authenticated ? "yes" : "no",
                    c.reachable ? "yes" : "no", c.version.empty() ? "?" : c.version,
                    !c.reachable   ? "?"
                    : c.in_cluster ? "yes"
                                   : "no"});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> nodeCheckRefusals(const std::vector<NodeCheck>& checks, bool force) {
  std::vector<std::string> out;
  std::map<std::string, std::vector<std::string>> by_version;
  for (const NodeCheck& c : checks) {
    if (!c.problem.empty()) {
      out.push_back(c.node + ": " + c.problem);
      continue;
    }
    if (c.in_cluster && !force) {
      out.push_back(c.node + ": already in a cluster (use --force to override)");
    }
    by_version[c.version.empty() ? "unknown (crmd older than 0.12.0)" : c.version].push_back(
        c.node);
  }
  if (by_version.size() > 1) {
    std::string versions;
    for (const auto& [version, nodes] : by_version) {
      std::string names;
      for (const std::string& n : nodes) names += (names.empty() ? "" : ", ") + n;
      versions += (versions.empty() ? "" : "; ") + version + " on " + names;
    }
    out.push_back("the nodes run different Pulse versions (" + versions +
                  "): install one release on every node first");
  }
  return out;
}

}  // namespace pulse::pcs
