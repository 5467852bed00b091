// The CIB's version: Pacemaker's (admin_epoch, epoch, num_updates), kept as attributes of the
// <cib> element. It orders CIB copies across the cluster: the newest version wins when nodes
// compare copies, and a replacement older than the current CIB is refused.
//
// Meaning (Pacemaker 2.1.5, lib/common/patchset.c and lib/cib/cib_ops.c):
// - admin_epoch changes only when an administrator sets it (or a CIB erase/schema upgrade);
//   it overrides everything else, so an admin can force a copy to win.
// - epoch grows by one with every change of the configuration section; num_updates then
//   restarts at 0.
// - num_updates grows by one with every change that touches only the status section.
// Ordering compares admin_epoch, then epoch, then num_updates (lexicographic).
//
// Pure: no I/O. Thread-safety: value types and free functions.
#pragma once

#include <compare>
#include <cstdint>
#include <pugixml.hpp>
#include <string>

#include "common/result.h"

namespace pulse::cib {

struct CibVersion {
  std::int64_t admin_epoch = 0;
  std::int64_t epoch = 0;
  std::int64_t num_updates = 0;

  // Lexicographic in declaration order: exactly Pacemaker's comparison.
  friend auto operator<=>(const CibVersion&, const CibVersion&) = default;
};

// "admin_epoch.epoch.num_updates", as Pacemaker prints it (e.g. "0.12.3").
std::string toString(const CibVersion& version);

// What a change touched; decides which counter moves.
enum class ChangeKind { kNone, kStatus, kConfiguration };

// The version after a change of `kind`: kConfiguration bumps epoch and resets num_updates to
// 0; kStatus bumps num_updates; kNone leaves it. admin_epoch never moves here.
CibVersion nextVersion(const CibVersion& version, ChangeKind kind);

// Reads the three attributes of `cib` (the <cib> element). Each must be present and a
// non-negative decimal integer; otherwise an Error naming the attribute and its value.
Result<CibVersion> readCibVersion(const pugi::xml_node& cib);

// Sets the three attributes of `cib`.
void writeCibVersion(pugi::xml_node cib, const CibVersion& version);

// kConfiguration when the <configuration> sections of the two <cib> elements differ (element
// names, attributes as sets, text, child order), else kStatus when anything else differs
// (status, or a <cib> attribute other than the version counters), else kNone.
ChangeKind classifyChange(const pugi::xml_node& before_cib, const pugi::xml_node& after_cib);

// Bumps the version of `cib` for a change of `kind` (read, nextVersion, write). Fails when the
// current version cannot be read.
Status bumpVersion(pugi::xml_node cib, ChangeKind kind);

// The rule for replacing the whole CIB (Pacemaker's cib_process_replace, cibadmin --replace,
// pcs cluster cib-push): a replacement older than the current CIB is refused, naming the
// counter that is greater in the current CIB; an equal or newer one is accepted.
Status checkReplacement(const CibVersion& current, const CibVersion& replacement);

// Structural equality of two XML subtrees: same element names, same attributes (order
// ignored), same text, same children in the same order. Comments are ignored.
bool sameTree(const pugi::xml_node& a, const pugi::xml_node& b);

}  // namespace pulse::cib
