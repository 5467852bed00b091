// The orders Pacemaker's data structures impose where its comparisons tie or
// are not transitive (balanced placement compares nodes by capacity votes):
// GLib 2.74's string-keyed hash table iteration and g_list_sort's merge sort.
// Reproducing them makes those placements come out as Pacemaker's do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::pe {

// Pacemaker's pcmk__numeric_strcasecmp: case-insensitive, digit runs compared
// as numbers ("node9" < "node10"). Negative, 0 or positive.
int numericStrcasecmp(std::string_view a, std::string_view b);

// Positions in `keys` in the order GLib iterates a GHashTable keyed by
// Pacemaker's string hash into which `keys` were inserted in the given order.
std::vector<int> hashIterationOrder(const std::vector<std::string>& keys);

// g_list_sort_with_data: a top-down merge sort that splits after the first
// half (rounded down) and takes the left element unless cmp(left, right) > 0.
template <class Compare>
std::vector<int> glibSorted(const std::vector<int>& items, Compare cmp) {
  if (items.size() <= 1) return items;
  const auto half = static_cast<std::ptrdiff_t>(items.size() / 2);
  std::vector<int> left = glibSorted(std::vector<int>(items.begin(), items.begin() + half), cmp);
  std::vector<int> right = glibSorted(std::vector<int>(items.begin() + half, items.end()), cmp);
  std::vector<int> out;
  out.reserve(items.size());
  std::size_t l = 0, r = 0;
  while (l < left.size() && r < right.size()) {
    if (cmp(left[l], right[r]) <= 0) {
      out.push_back(left[l++]);
    } else {
      out.push_back(right[r++]);
    }
  }
  out.insert(out.end(), left.begin() + static_cast<std::ptrdiff_t>(l), left.end());
  out.insert(out.end(), right.begin() + static_cast<std::ptrdiff_t>(r), right.end());
  return out;
}

}  // namespace pulse::pe
