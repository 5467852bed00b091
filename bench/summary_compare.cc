#include "summary_compare.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <regex>

namespace pulse::bench {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool endsSection(std::string_view line) {
  for (std::string_view header : {"Executing cluster transition:", "Executing Cluster Transition:",
                                  "Revised cluster status:", "Revised Cluster Status:"}) {
    if (line.rfind(header, 0) == 0) return true;
  }
  return false;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string canonical(std::string_view line) {
  const bool blocked = endsWith(line, "blocked") || endsWith(line, "blocked)");
  std::string text(line);
  if (text.rfind("* Fence", 0) == 0 || text.rfind("* Shutdown", 0) == 0) {
    const size_t quote = text.find('\'');
    if (quote != std::string::npos) text.erase(quote);
  } else if (const size_t close = text.find(')'); close != std::string::npos) {
    text.erase(close + 1);  // the details end at the first ')'; a reason may follow
  }
  static const std::regex kSpace("\\s+"), kInstance(":[0-9]+ "), kOpen("\\( "), kClose(" \\)");
  text = std::regex_replace(text, kSpace, " ");
  text = std::regex_replace(text, kInstance, " ");
  text = std::regex_replace(text, kOpen, "(");
  text = std::regex_replace(text, kClose, ")");
  text = std::string(trim(text));
  if (blocked) text += " blocked";
  return text;
}

}  // namespace

std::vector<std::string> transitionSummaryItems(std::string_view text, bool* found) {
  std::vector<std::string> items;
  bool inside = false;
  *found = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!inside) {
      if (trim(line) == "Transition Summary:") inside = *found = true;
      continue;
    }
    if (endsSection(line)) break;
    const std::string_view item = trim(line);
    if (item.rfind("* ", 0) == 0) items.push_back(canonical(item));
  }
  std::sort(items.begin(), items.end());
  return items;
}

SummaryComparison compareSummaries(std::string_view expected, std::string_view actual) {
  SummaryComparison result;
  bool expected_found = false, actual_found = false;
  const std::vector<std::string> a = transitionSummaryItems(expected, &expected_found);
  const std::vector<std::string> b = transitionSummaryItems(actual, &actual_found);
  result.expected_items = a.size();
  result.actual_items = b.size();
  std::vector<std::string> missing, extra;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(missing));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(extra));
  for (const std::string& m : missing) result.differences.push_back("- " + m);
  for (const std::string& e : extra) result.differences.push_back("+ " + e);
  if (expected_found != actual_found) {
    result.differences.push_back(std::string(expected_found ? "+" : "-") +
                                 " no Transition Summary block");
  }
  result.equal = result.differences.empty();
  return result;
}

}  // namespace pulse::bench
