// pcs constraint location RSC rule [options] EXPRESSION: pcs 0.11's rule language (and/or with
// equal precedence, left to right; parentheses; defined/not_defined; comparisons with an
// optional type; date gt|lt|in_range; date-spec) written as a <rule> tree with pcs's ids.
#include <algorithm>
#include <charconv>
#include <memory>

#include "cib_commands.h"

namespace pulse::pcs::cibxml {
namespace {

constexpr const char* kComparisons[] = {"lt", "gt", "lte", "gte", "eq", "ne"};
constexpr const char* kTypes[] = {"string", "integer", "number", "version"};

bool oneOf(const std::string& word, const auto& list) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

Status checkTyped(const std::string& type, const std::string& value) {
  if (type == "integer") {
    long long n = 0;
    const char* end = value.data() + value.size();
    const char* begin = value.data() + (value.starts_with("-") || value.starts_with("+") ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, end, n);
    if (ec != std::errc() || ptr != end) return Error{"invalid integer value '" + value + "'"};
  } else if (type == "number") {
    double d = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return Error{"invalid number value '" + value + "'"};
    }
  } else if (type == "version" &&
             (value.empty() || value.find_first_not_of("0123456789.") != std::string::npos)) {
    return Error{"invalid version value '" + value + "'"};
  }
  return {};
}

// A parsed expression: a leaf (its words) or an and/or of operands.
struct Node {
  std::string op;                 // "and" / "or"; "" for a leaf
  std::vector<std::string> leaf;  // the leaf's words
  std::vector<std::unique_ptr<Node>> operands;
  bool grouped = false;  // written in parentheses: never merged into an outer chain
};

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& words) : w_(words) {}

  Result<std::unique_ptr<Node>> parse() {
    auto node = chain();
    if (!node.ok()) return node;
    if (i_ != w_.size()) return fail("unexpected '" + w_[i_] + "'");
    return node;
  }

 private:
  Error fail(const std::string& why) const {
    std::string text;
    for (const std::string& word : w_) text += (text.empty() ? "" : " ") + word;
    return Error{"'" + text + "' is not a valid rule expression: " + why};
  }

  Result<std::unique_ptr<Node>> chain() {
    auto left = operand();
    if (!left.ok()) return left;
    std::unique_ptr<Node> node = std::move(*left);
    while (i_ < w_.size() && (w_[i_] == "and" || w_[i_] == "or")) {
      const std::string op = w_[i_++];
      auto right = operand();
      if (!right.ok()) return right;
      if (node->op == op && !node->grouped) {
        node->operands.push_back(std::move(*right));
        continue;
      }
      auto parent = std::make_unique<Node>();
      parent->op = op;
      parent->operands.push_back(std::move(node));
      parent->operands.push_back(std::move(*right));
      node = std::move(parent);
    }
    return node;
  }

  Result<std::unique_ptr<Node>> operand() {
    if (i_ >= w_.size()) return fail("missing expression");
    if (w_[i_] == "(") {
      ++i_;
      auto inner = chain();
      if (!inner.ok()) return inner;
      if (i_ >= w_.size() || w_[i_] != ")") return fail("missing ')'");
      ++i_;
      (*inner)->grouped = true;
      return inner;
    }
    auto node = std::make_unique<Node>();
    const std::string& first = w_[i_];
    std::size_t take = 0;
    if (first == "defined" || first == "not_defined") {
      take = 2;
    } else if (first == "date-spec") {
      take = 1;
      while (i_ + take < w_.size() && w_[i_ + take].find('=') != std::string::npos) ++take;
      if (take == 1) return fail("missing date-spec options");
    } else if (first == "date" && i_ + 1 < w_.size() && w_[i_ + 1] == "in_range") {
      take = 3;
      if (i_ + 4 < w_.size() && w_[i_ + 3] == "to") {
        take = 5;
        if (w_[i_ + 4] == "duration") {
          while (i_ + take < w_.size() && w_[i_ + take].find('=') != std::string::npos) ++take;
          if (take == 5) return fail("missing duration options");
        }
      }
    } else if (oneOf(first, kTypes) && i_ + 1 < w_.size() && !checkTyped(first, w_[i_ + 1])) {
      // pcs reads a type word as the start of a typed value, even where an attribute stands.
      return fail(checkTyped(first, w_[i_ + 1]).error().message);
    } else if (i_ + 2 < w_.size() && oneOf(w_[i_ + 1], kComparisons)) {
      take = oneOf(w_[i_ + 2], kTypes) && i_ + 3 < w_.size() ? 4 : 3;
    } else {
      return fail("unexpected '" + first + "'");
    }
    if (i_ + take > w_.size()) return fail("missing value after '" + w_.back() + "'");
    node->leaf.assign(w_.begin() + static_cast<long>(i_),
                      w_.begin() + static_cast<long>(i_ + take));
    for (const std::string& word : node->leaf) {
      if (word == "(" || word == ")" || word == "and" || word == "or") {
        return fail("unexpected '" + word + "'");
      }
    }
    i_ += take;
    return node;
  }

  const std::vector<std::string>& w_;
  std::size_t i_ = 0;
};

Status appendPairs(pugi::xml_node element, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    const std::size_t eq = word.find('=');
    if (eq == 0 || eq + 1 >= word.size()) return Error{"invalid option '" + word + "'"};
    element.append_attribute(word.substr(0, eq).c_str()) = word.substr(eq + 1).c_str();
  }
  return {};
}

Status writeLeaf(Cib& cib, pugi::xml_node rule, const std::vector<std::string>& w) {
  const std::string id = uniqueId(cib, std::string(rule.attribute("id").as_string()) + "-expr");
  if (w[0] == "date-spec" ||
      (w[0] == "date" && (w[1] == "gt" || w[1] == "lt" || w[1] == "in_range"))) {
    pugi::xml_node e = rule.append_child("date_expression");
    e.append_attribute("id") = id.c_str();
    if (w[0] == "date-spec") {
      e.append_attribute("operation") = "date_spec";
      pugi::xml_node spec = e.append_child("date_spec");
      spec.append_attribute("id") = uniqueId(cib, id + "-datespec").c_str();
      return appendPairs(spec, {w.begin() + 1, w.end()});
    }
    e.append_attribute("operation") = w[1].c_str();
    if (w[1] == "lt") {
      e.append_attribute("end") = w[2].c_str();
      return {};
    }
    e.append_attribute("start") = w[2].c_str();
    if (w.size() == 5) e.append_attribute("end") = w[4].c_str();
    if (w.size() > 5) {
      pugi::xml_node duration = e.append_child("duration");
      duration.append_attribute("id") = uniqueId(cib, id + "-duration").c_str();
      return appendPairs(duration, {w.begin() + 5, w.end()});
    }
    return {};
  }
  pugi::xml_node e = rule.append_child("expression");
  e.append_attribute("id") = id.c_str();
  if (w[0] == "defined" || w[0] == "not_defined") {
    e.append_attribute("operation") = w[0].c_str();
    e.append_attribute("attribute") = w[1].c_str();
    return {};
  }
  e.append_attribute("operation") = w[1].c_str();
  e.append_attribute("attribute") = w[0].c_str();
  if (w.size() == 4) {
    if (Status s = checkTyped(w[2], w[3]); !s) return s;
    e.append_attribute("type") = w[2].c_str();
  }
  e.append_attribute("value") = w.back().c_str();
  return {};
}

Status writeRule(Cib& cib, pugi::xml_node rule, const Node& node) {
  if (node.op.empty()) return writeLeaf(cib, rule, node.leaf);
  rule.insert_attribute_after("boolean-op", rule.attribute("id")) = node.op.c_str();
  for (const auto& operand : node.operands) {
    if (operand->op.empty()) {
      if (Status s = writeLeaf(cib, rule, operand->leaf); !s) return s;
      continue;
    }
    pugi::xml_node inner = rule.append_child("rule");
    inner.append_attribute("id") =
        uniqueId(cib, std::string(rule.attribute("id").as_string()) + "-rule").c_str();
    inner.append_attribute("score") = "0";
    if (Status s = writeRule(cib, inner, *operand); !s) return s;
  }
  return {};
}

}  // namespace

Status apply(Cib& cib, const LocationRule& edit, const EditContext&) {
  if (!findResource(cib, edit.rsc)) return Error{"Resource '" + edit.rsc + "' does not exist"};
  if (Status s = checkNotInClone(cib, edit.rsc); !s) return s;
  if (edit.expression.empty()) return Error{"no rule expression was specified"};
  std::string rule_id, constraint_id, score, score_attribute, role, discovery;
  for (const auto& [name, value] : edit.options) {
    if (name == "id") {
      rule_id = value;
    } else if (name == "constraint-id") {
      constraint_id = value;
    } else if (name == "score") {
      score = value;
    } else if (name == "score-attribute") {
      score_attribute = value;
    } else if (name == "role") {
      role = value;
    } else if (name == "resource-discovery") {
      discovery = value;
    } else {
      return Error{"invalid rule option '" + name + "'"};
    }
  }
  if (!score.empty() && !isScore(score)) {
    return Error{"invalid score '" + score + "', use integer or INFINITY or -INFINITY"};
  }
  if (!score.empty() && !score_attribute.empty()) {
    return Error{"can not specify both score and score-attribute"};
  }
  if (!discovery.empty() && discovery != "always" && discovery != "never" &&
      discovery != "exclusive") {
    return Error{"invalid resource-discovery value '" + discovery +
                 "', allowed values are: 'always', 'exclusive', 'never'"};
  }
  auto parsed = Parser(edit.expression).parse();
  if (!parsed.ok()) return parsed.error();

  if (constraint_id.empty()) {
    constraint_id = uniqueId(cib, sanitizeId("location-" + edit.rsc));
  } else {
    if (Status s = validateId(constraint_id, "constraint id"); !s) return s;
    if (idExists(cib, constraint_id)) return Error{"id '" + constraint_id + "' is already in use"};
  }
  pugi::xml_node location = section(cib, "constraints").append_child("rsc_location");
  location.append_attribute("id") = constraint_id.c_str();
  location.append_attribute("rsc") = edit.rsc.c_str();
  if (!discovery.empty()) location.append_attribute("resource-discovery") = discovery.c_str();
  if (rule_id.empty()) {
    rule_id = uniqueId(cib, constraint_id + "-rule");
  } else {
    if (Status s = validateId(rule_id, "rule id"); !s) return s;
    if (idExists(cib, rule_id)) return Error{"id '" + rule_id + "' is already in use"};
  }
  pugi::xml_node rule = location.append_child("rule");
  rule.append_attribute("id") = rule_id.c_str();
  if (!role.empty()) rule.append_attribute("role") = role.c_str();
  if (!score_attribute.empty()) {
    rule.append_attribute("score-attribute") = score_attribute.c_str();
  } else {
    rule.append_attribute("score") = score.empty() ? "INFINITY" : score.c_str();
  }
  return writeRule(cib, rule, **parsed);
}

}  // namespace pulse::pcs::cibxml
