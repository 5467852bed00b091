// The record of why resources were placed as they were (policy-engine/reasons.h): the deciding
// stages add a note beside each score they apply, through noteWhy(), and explainPlacement()
// turns the notes and the assignment into the public ResourceReasons after the run.
//
// Invariant: notes never feed back into a decision. Without a log (WorkingSet::why null, the
// default) noteWhy() does not even build its text, so a run that did not ask costs nothing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "policy-engine/reasons.h"
#include "working_set.h"

namespace pulse::pe {

struct WhyLog {
  struct Note {
    int rsc = -1;
    int node = -1;  // -1: every node
    ReasonKind kind = ReasonKind::Location;
    Score score = 0;
    std::string text;
  };
  std::vector<Note> notes;
};

// Records one contribution when the run keeps a log; `text` is a callable returning the
// sentence, called only then.
template <typename Text>
void noteWhy(WorkingSet& ws, int rsc, int node, ReasonKind kind, Score score, Text&& text) {
  if (ws.why == nullptr) return;
  ws.why->notes.push_back({rsc, node, kind, score, std::string(text())});
}

// Notes what colocation `c` changes in the dependent's scores, node by node (`work`: the
// scores with it applied), when the run keeps a log.
void noteColocation(WorkingSet& ws, const Resource& dependent, const Resource& primary,
                    const Colocation& c, const NodeScores& work);

// After assignment: per resource, its notes (and those of its ancestors and descendants), what
// the cluster's and the nodes' state add, and its primitives' final node scores.
std::vector<ResourceReasons> explainPlacement(const WorkingSet& ws);

}  // namespace pulse::pe
