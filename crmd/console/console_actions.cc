#include "crmd/console/console_actions.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace pulse::crmd::console {
namespace {

using Json = nlohmann::json;

bool plausibleValue(const std::string& text) {
  return text.size() <= 4096 && std::none_of(text.begin(), text.end(),
                                             [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// The string field `name` of `request`; an Error when it is missing, not a string, or (for an
// id) not a plausible id.
Result<std::string> field(const Json& request, const char* name, bool is_id = true,
                          bool optional = false) {
  auto it = request.find(name);
  if (it == request.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
    if (optional) return std::string();
    return Error{std::string("missing field '") + name + "'"};
  }
  if (!it->is_string()) return Error{std::string("field '") + name + "' must be a string"};
  std::string value = it->get<std::string>();
  if (is_id ? !plausibleId(value) : !plausibleValue(value)) {
    return Error{std::string("field '") + name + "': '" + value + "' is not " +
                 (is_id ? "an id (letters, digits, _ . : -)" : "a plain value")};
  }
  return value;
}

// An optional "score": INFINITY, -INFINITY, +INFINITY or an integer; "" when absent. A score
// starting with '-' is fine here: it is only ever written after NODE= or after other words.
Result<std::string> scoreField(const Json& request) {
  auto it = request.find("score");
  if (it == request.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Error{"field 'score' must be a string"};
  const std::string score = it->get<std::string>();
  if (score.empty()) return score;
  std::string_view digits = score;
  if (digits.front() == '-' || digits.front() == '+') digits.remove_prefix(1);
  const bool ok =
      digits == "INFINITY" || (!digits.empty() && digits.size() <= 10 &&
                               digits.find_first_not_of("0123456789") == std::string_view::npos);
  if (!ok)
    return Error{"field 'score': '" + score + "' is not a score (INFINITY, -INFINITY or a number)"};
  return score;
}

using Builder = Result<std::vector<std::string>> (*)(const Json&);

template <class... Words>
std::vector<std::string> words(Words&&... w) {
  return {std::forward<Words>(w)...};
}

Result<std::vector<std::string>> idCommand(const Json& request, std::vector<std::string> head) {
  auto id = field(request, "id");
  if (!id) return id.error();
  head.push_back(*id);
  return head;
}

// move/ban: optional destination (move) or banned node (ban).
Result<std::vector<std::string>> placement(const Json& request, const char* verb) {
  auto id = field(request, "id");
  if (!id) return id.error();
  auto node = field(request, "node", true, true);
  if (!node) return node.error();
  std::vector<std::string> out = words("resource", verb, *id);
  if (!node->empty()) out.push_back(*node);
  return out;
}

Result<std::vector<std::string>> create(const Json& request) {
  auto id = field(request, "id");
  if (!id) return id.error();
  auto agent = field(request, "agent");
  if (!agent) return agent.error();
  std::vector<std::string> out = words("resource", "create", *id, *agent);
  if (auto params = request.find("params"); params != request.end() && !params->is_null()) {
    if (!params->is_object()) return Error{"field 'params' must be an object of name: value"};
    for (const auto& [name, value] : params->items()) {
      if (!plausibleId(name)) return Error{"parameter name '" + name + "' is not an id"};
      if (!value.is_string()) return Error{"parameter '" + name + "' must be a string"};
      const std::string text = value.get<std::string>();
      if (text.empty()) continue;  // a form field left empty: the agent's default
      if (!plausibleValue(text)) return Error{"parameter '" + name + "': not a plain value"};
      out.push_back(name + "=" + text);
    }
  }
  if (auto disabled = request.find("disabled");
      disabled != request.end() && disabled->is_boolean() && disabled->get<bool>()) {
    out.push_back("--disabled");
  }
  return out;
}

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"node-standby",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("node", "standby", *node);
       }},
      {"node-unstandby",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("node", "unstandby", *node);
       }},
      // pcs 0.11's `node maintenance` sets the node attribute maintenance=on; Pulse's pcs has
      // the attribute command, which writes the same nvpair.
      {"node-maintenance",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("node", "attribute", *node, "maintenance=on");
       }},
      {"node-unmaintenance",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("node", "attribute", *node, "maintenance=");
       }},
      // pcs cluster start|stop NODE: the node's crmd joins or leaves the cluster.
      {"node-start",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("cluster", "start", *node);
       }},
      {"node-stop",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto node = field(r, "node");
         if (!node) return node.error();
         return words("cluster", "stop", *node);
       }},
      {"resource-enable", [](const Json& r) { return idCommand(r, words("resource", "enable")); }},
      {"resource-disable",
       [](const Json& r) { return idCommand(r, words("resource", "disable")); }},
      {"resource-clear", [](const Json& r) { return idCommand(r, words("resource", "clear")); }},
      {"resource-delete", [](const Json& r) { return idCommand(r, words("resource", "delete")); }},
      {"resource-move", [](const Json& r) { return placement(r, "move"); }},
      {"resource-ban", [](const Json& r) { return placement(r, "ban"); }},
      // Read-only: why the resource runs where it does (or does not), on the node if one is given.
      {"resource-why", [](const Json& r) { return placement(r, "why"); }},
      {"resource-cleanup",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto id = field(r, "id", true, true);
         if (!id) return id.error();
         std::vector<std::string> out = words("resource", "cleanup");
         if (!id->empty()) out.push_back(*id);
         return out;
       }},
      {"resource-create", create},
      // Constraint creation, as pcs spells it: location RSC prefers|avoids NODE[=SCORE],
      // colocation add RSC with WITH [SCORE], order FIRST then THEN.
      {"constraint-location",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto rsc = field(r, "rsc");
         if (!rsc) return rsc.error();
         auto node = field(r, "node");
         if (!node) return node.error();
         auto score = scoreField(r);
         if (!score) return score.error();
         const bool avoids = r.value("avoids", false);
         return words("constraint", "location", *rsc, avoids ? "avoids" : "prefers",
                      score->empty() ? *node : *node + "=" + *score);
       }},
      {"constraint-colocation",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto rsc = field(r, "rsc");
         if (!rsc) return rsc.error();
         auto with = field(r, "with");
         if (!with) return with.error();
         auto score = scoreField(r);
         if (!score) return score.error();
         std::vector<std::string> out =
             words("constraint", "colocation", "add", *rsc, "with", *with);
         if (!score->empty()) out.push_back(*score);
         return out;
       }},
      {"constraint-order",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto first = field(r, "first");
         if (!first) return first.error();
         auto then = field(r, "then");
         if (!then) return then.error();
         return words("constraint", "order", *first, "then", *then);
       }},
      {"constraint-delete",
       [](const Json& r) { return idCommand(r, words("constraint", "delete")); }},
      {"property-set",
       [](const Json& r) -> Result<std::vector<std::string>> {
         auto name = field(r, "name");
         if (!name) return name.error();
         auto value = field(r, "value", false, true);
         if (!value) return value.error();
         return words("property", "set", *name + "=" + *value);
       }},
  };
  return table;
}

}  // namespace

bool plausibleId(const std::string& text) {
  return !text.empty() && text.size() <= 256 && text.front() != '-' &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
         });
}

Result<std::vector<std::string>> actionCommand(const std::string& json_text) {
  const Json request = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object())
    return Error{"the request is not a JSON object"};
  auto action = request.find("action");
  if (action == request.end() || !action->is_string()) return Error{"missing field 'action'"};
  auto it = builders().find(action->get<std::string>());
  if (it == builders().end()) return Error{"unknown action '" + action->get<std::string>() + "'"};
  return it->second(request);
}

std::string commandLine(const std::vector<std::string>& words) {
  std::string out = "pcs";
  for (const std::string& word : words) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
      return std::isalnum(c) ||
             std::string_view("_.:=,/@%+-").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (plain) {
      out += " " + word;
      continue;
    }
    out += " '";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "'";
  }
  return out;
}

}  // namespace pulse::crmd::console
