// Pacemaker's reading of a boolean option value (crm_is_true): "true", "on", "yes", "y" and
// "1", in any letter case, are true; everything else, including the empty string, is false.
// Every part reads CIB and config booleans through this one function so that they agree.
#pragma once

#include <string_view>

namespace pulse {

constexpr bool crmIsTrue(std::string_view value) {
  auto equals = [value](std::string_view word) {
    if (value.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      char c = value[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  return equals("true") || equals("on") || equals("yes") || equals("y") || equals("1");
}

}  // namespace pulse
