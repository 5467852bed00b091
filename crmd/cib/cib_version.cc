#include "crmd/cib/cib_version.h"

#include <charconv>
#include <cstring>
#include <map>
#include <string_view>

namespace pulse::cib {
namespace {

constexpr const char* kAdminEpoch = "admin_epoch";
constexpr const char* kEpoch = "epoch";
constexpr const char* kNumUpdates = "num_updates";

Result<std::int64_t> readCounter(const pugi::xml_node& cib, const char* name) {
  pugi::xml_attribute a = cib.attribute(name);
  if (!a) return Error{"<cib>: missing version attribute '" + std::string(name) + "'"};
  std::string_view text = a.value();
  std::int64_t value = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return Error{"<cib>: version attribute '" + std::string(name) + "' is not a counter: '" +
                 std::string(text) + "'"};
  }
  return value;
}

bool isVersionAttribute(std::string_view name) {
  return name == kAdminEpoch || name == kEpoch || name == kNumUpdates;
}

std::map<std::string_view, std::string_view> attributesOf(const pugi::xml_node& n,
                                                          bool skip_versions) {
  std::map<std::string_view, std::string_view> out;
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    if (skip_versions && isVersionAttribute(a.name())) continue;
    out.emplace(a.name(), a.value());
  }
  return out;
}

// Next child that takes part in comparisons (elements and text; not comments or PIs).
pugi::xml_node significant(pugi::xml_node n) {
  while (n && n.type() != pugi::node_element && n.type() != pugi::node_pcdata &&
         n.type() != pugi::node_cdata) {
    n = n.next_sibling();
  }
  return n;
}

}  // namespace

std::string toString(const CibVersion& v) {
  return std::to_string(v.admin_epoch) + "." + std::to_string(v.epoch) + "." +
         std::to_string(v.num_updates);
}

CibVersion nextVersion(const CibVersion& version, ChangeKind kind) {
  CibVersion next = version;
  switch (kind) {
    case ChangeKind::kNone:
      break;
    case ChangeKind::kStatus:
      ++next.num_updates;
      break;
    case ChangeKind::kConfiguration:
      ++next.epoch;
      next.num_updates = 0;
      break;
  }
  return next;
}

Result<CibVersion> readCibVersion(const pugi::xml_node& cib) {
  if (!cib || std::strcmp(cib.name(), "cib") != 0) return Error{"no <cib> element"};
  auto admin = readCounter(cib, kAdminEpoch);
  if (!admin) return admin.error();
  auto epoch = readCounter(cib, kEpoch);
  if (!epoch) return epoch.error();
  auto updates = readCounter(cib, kNumUpdates);
  if (!updates) return updates.error();
  return CibVersion{*admin, *epoch, *updates};
}

void writeCibVersion(pugi::xml_node cib, const CibVersion& v) {
  auto set = [&](const char* name, std::int64_t value) {
    pugi::xml_attribute a = cib.attribute(name);
    if (!a) a = cib.append_attribute(name);
    a.set_value(std::to_string(value).c_str());
  };
  set(kAdminEpoch, v.admin_epoch);
  set(kEpoch, v.epoch);
  set(kNumUpdates, v.num_updates);
}

bool sameTree(const pugi::xml_node& a, const pugi::xml_node& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == pugi::node_pcdata || a.type() == pugi::node_cdata) {
    return std::strcmp(a.value(), b.value()) == 0;
  }
  if (std::strcmp(a.name(), b.name()) != 0) return false;
  if (attributesOf(a, false) != attributesOf(b, false)) return false;
  pugi::xml_node x = significant(a.first_child());
  pugi::xml_node y = significant(b.first_child());
  for (; x && y; x = significant(x.next_sibling()), y = significant(y.next_sibling())) {
    if (!sameTree(x, y)) return false;
  }
  return !x && !y;
}

ChangeKind classifyChange(const pugi::xml_node& before_cib, const pugi::xml_node& after_cib) {
  if (!sameTree(before_cib.child("configuration"), after_cib.child("configuration"))) {
    return ChangeKind::kConfiguration;
  }
  if (attributesOf(before_cib, true) != attributesOf(after_cib, true) ||
      !sameTree(before_cib.child("status"), after_cib.child("status"))) {
    return ChangeKind::kStatus;
  }
  return ChangeKind::kNone;
}

Status bumpVersion(pugi::xml_node cib, ChangeKind kind) {
  auto version = readCibVersion(cib);
  if (!version) return version.error();
  writeCibVersion(cib, nextVersion(*version, kind));
  return {};
}

Status checkReplacement(const CibVersion& current, const CibVersion& replacement) {
  if (replacement >= current) return {};
  const char* counter = replacement.admin_epoch < current.admin_epoch ? kAdminEpoch
                        : replacement.epoch < current.epoch           ? kEpoch
                                                                      : kNumUpdates;
  return Error{"the pushed CIB (version " + toString(replacement) +
               ") is older than the current one (" + toString(current) + "): its " + counter +
               " is lower"};
}

}  // namespace pulse::cib
