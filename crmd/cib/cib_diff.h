// Configuration diffs for `pcs cluster cib-push FILE diff-against=ORIGINAL`: what the user
// changed between ORIGINAL and FILE, applied to the CURRENT CIB, refused on a conflict.
//
// The model. Only the <configuration> section is compared. Elements are keyed:
// - an element with an `id` attribute is keyed by that id (ids are unique in a valid
//   configuration, see cib_validate.h);
// - <configuration> and its direct children (<crm_config>, <resources>, ...) are keyed by
//   their path, e.g. "/configuration/resources";
// - an element without an id is part of its nearest keyed ancestor's own content, together
//   with that ancestor's attributes, text and the order of its children.
// A keyed element's parent is its nearest keyed ancestor plus the tag path of the id-less
// elements in between (a primitive's <op>s sit under "operations").
//
// A diff is a list of changes, in document order of FILE, each about one keyed element:
// - kCreate: a new element (with its whole subtree) under parent `parent` at `path`, after the
//   keyed sibling `after` (empty: first). Conflict: the parent is gone from CURRENT or the id
//   already exists there.
// - kDelete: element `key` removed. Conflict: it is gone from CURRENT or differs there from
//   ORIGINAL (someone changed what the user deleted).
// - kModify: attributes of `key` set or removed (`attributes`, with their ORIGINAL values in
//   `before`). Conflict: the element is gone, or one of these attributes has a value in CURRENT
//   other than its ORIGINAL one. Other attributes may have changed meanwhile: no conflict.
// - kReplace: `key`'s whole subtree replaced by `xml`, used when its own id-less content or its
//   children's order changed, or it moved to another parent (a delete and a create). Conflict:
//   the element is gone from CURRENT or differs there from ORIGINAL.
// Applying is all or nothing: the first conflict is an Error naming the element, and CURRENT
// is not changed. A successful non-empty apply is a configuration change: epoch + 1,
// num_updates 0.
//
// Pure: no I/O. Thread-safety: value types and free functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pulse::cib {

struct CibChange {
  enum class Kind { kCreate, kDelete, kModify, kReplace };
  Kind kind = Kind::kModify;
  std::string key;  // the element's id (or section path)
  // kCreate: where the element goes.
  std::string parent;
  std::vector<std::string> path;  // id-less tags between parent and the new element
  std::string after;
  // kCreate, kReplace: the new subtree; kDelete, kReplace: the ORIGINAL subtree.
  std::string xml;
  std::string original_xml;
  // kModify: new values (nullopt: attribute removed) and ORIGINAL values (nullopt: absent).
  std::map<std::string, std::optional<std::string>> attributes;
  std::map<std::string, std::optional<std::string>> before;
};

struct CibDiff {
  std::vector<CibChange> changes;
  bool empty() const { return changes.empty(); }
};

// One line per change, e.g. "modify vip: ip=192.0.2.10 (was 192.0.2.9)", for logs and pcs.
std::string describe(const CibDiff& diff);

// The changes that turn ORIGINAL's configuration into EDITED's. An Error when either does not
// parse or has no <configuration>, or when an id is used twice in one of them.
Result<CibDiff> computeDiff(std::string_view original_xml, std::string_view edited_xml);

// CURRENT with `diff` applied and its version bumped for a configuration change (unchanged
// text when the diff is empty), or an Error naming the first conflicting element.
Result<std::string> applyDiff(std::string_view current_xml, const CibDiff& diff);

}  // namespace pulse::cib
