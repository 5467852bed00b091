// crm_simulate -s lines, recorded while the assignment runs (see score_display.h).
#include "score_display.h"

#include <algorithm>
#include <string>
#include <vector>

#include "glib_order.h"

namespace pulse::pe {

void showNodeWeights(WorkingSet& ws, int index, std::string_view stage) {
  if (!ws.show_scores) return;
  const Resource& r = ws.resources[static_cast<std::size_t>(index)];
  if (r.orphan) return;  // Pacemaker shows no scores for orphans
  std::vector<int> nodes;
  for (std::size_t n = 0; n < r.allowed.size(); ++n) {
    if (r.allowed[n]) nodes.push_back(static_cast<int>(n));
  }
  std::stable_sort(nodes.begin(), nodes.end(), [&](int a, int b) {
    return numericStrcasecmp(ws.nodes[static_cast<std::size_t>(a)].name,
                             ws.nodes[static_cast<std::size_t>(b)].name) < 0;
  });
  for (int n : nodes) {
    ws.score_lines.push_back({std::string(stage) + ": " + r.id + " allocation score on " +
                              ws.nodes[static_cast<std::size_t>(n)].name + ": " +
                              scoreText(*r.allowed[static_cast<std::size_t>(n)])});
  }
  // A copy: the children of a resource do not change while it is shown.
  const std::vector<int> children = r.children;
  for (int child : children) showNodeWeights(ws, child, stage);
}

void showPromotionScore(WorkingSet& ws, int instance) {
  if (!ws.show_scores) return;
  const Resource& r = ws.resources[static_cast<std::size_t>(instance)];
  const int node = r.provisional ? -1 : r.assigned_to;
  const std::string where = node < 0 ? "none" : ws.nodes[static_cast<std::size_t>(node)].name;
  ws.score_lines.push_back(
      {r.id + " promotion score on " + where + ": " + scoreText(r.sort_index)});
}

}  // namespace pulse::pe
