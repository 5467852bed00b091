// The CIB's fencing topology (<fencing-topology>, Pacemaker's "Fencing Topology"), read in one
// place for the DC's fencing (crmd/controller) and for `pcs stonith level`.
//
// A <fencing-level> names its target one of three ways: a node name (target), a POSIX extended
// regular expression matched anywhere in the node's name (target-pattern), or a node attribute
// of <nodes> (target-attribute + target-value). Its devices (devices="a,b") are tried together:
// the level succeeds only when every one of them does; levels are tried by increasing index.
//
// Invariants: the reader never fails on a damaged CIB: a level without a target or without
// devices is not part of any topology, and an index Pacemaker's fencer refuses (not an integer in
// 1..9) is left out of the levels a node is fenced with (fencingLevelsFor); pcs still lists it.
//
// Thread-safety: pure functions over pugixml nodes; no shared state.
#pragma once

#include <string>
#include <vector>

namespace pugi {
class xml_node;
}  // namespace pugi

namespace pulse::pe::cibconf {

enum class FencingTarget { kNode, kPattern, kAttribute };

struct FencingLevel {
  std::string id;
  std::string index;  // as written: pcs prints it so
  FencingTarget kind = FencingTarget::kNode;
  std::string target;                // the node name, the pattern, or the attribute's name
  std::string value;                 // target-value (kAttribute only)
  std::vector<std::string> devices;  // in the level's order
  friend bool operator==(const FencingLevel&, const FencingLevel&) = default;
};

// Pacemaker's fencer knows levels 1 to 9 (ST_LEVEL_MAX 10).
inline constexpr int kMaxFencingLevel = 9;

// Every <fencing-level> with a target and devices, in document order (pcs's export).
std::vector<FencingLevel> fencingLevels(const pugi::xml_node& cib);

// The levels `node` is fenced with, by increasing index: those of the one topology that applies
// to it, as Pacemaker's fencer picks it: the levels naming the node exactly, else those of the
// first pattern or node attribute (in document order) that matches it. Empty: no topology, the
// node is fenced with any device that may fence it. Of two levels with one target and index the
// later one counts (the fencer replaces a level it is given again).
std::vector<FencingLevel> fencingLevelsFor(const pugi::xml_node& cib, const std::string& node);

// The index as the fencer reads it, or 0 when it is not an integer in 1..kMaxFencingLevel.
int fencingLevelIndex(const std::string& index);

}  // namespace pulse::pe::cibconf
