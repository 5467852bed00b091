#include "pcs-cli/resource_move.h"

#include <iostream>
#include <optional>
#include <pugixml.hpp>
#include <set>

#include "pcs-cli/cluster_commands.h"
#include "pcs-cli/wait_idle.h"

namespace pulse::pcs {
namespace {

// The ids of the cli-prefer-RSC / cli-ban-RSC-* constraints in a CIB.
std::set<std::string> moveConstraints(const std::string& cib_xml, const std::string& rsc) {
  pugi::xml_document doc;
  std::set<std::string> out;
  if (!doc.load_string(cib_xml.c_str())) return out;
  for (pugi::xml_node c :
       doc.child("cib").child("configuration").child("constraints").children("rsc_location")) {
    const std::string id = c.attribute("id").as_string();
    if (id == "cli-prefer-" + rsc || id.starts_with("cli-ban-" + rsc + "-on-")) out.insert(id);
  }
  return out;
}

int fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

}  // namespace

int moveResource(const PcsOptions& options, const ResourceMove& move, const LiveEditor& edit,
                 std::chrono::seconds wait) {
  const std::string& rsc = move.id;
  auto created = edit(Edit{move});
  if (!created.ok()) return fail(created.error().message);
  std::set<std::string> made = moveConstraints(created->after, rsc);
  for (const std::string& id : moveConstraints(created->before, rsc)) made.erase(id);
  std::cout << "Location constraint to move resource '" << rsc << "' has been created" << std::endl;

  auto moved = waitForIdle(options, created->written, wait);

  // Remove what this command made, whether or not the move finished.
  std::string removal_error;
  std::optional<peer::CibVersion> removed_at;
  if (!made.empty()) {
    auto removed = edit(Edit{ConstraintDelete{{made.begin(), made.end()}}});
    if (removed.ok()) {
      removed_at = removed->written;
      std::cout << "Location constraint created to move resource '" << rsc << "' has been removed"
                << std::endl;
    } else {
      removal_error = removed.error().message;
    }
  }
  std::string remains;
  for (const std::string& id : made) remains += (remains.empty() ? "" : ", ") + id;
  const std::string leftover =
      removal_error.empty()
          ? ""
          : "\nUnable to remove the location constraint created to move resource '" + rsc + "' (" +
                removal_error + "): constraint " + remains +
                " remains; remove it with 'pcs resource clear " + rsc + "'";
  if (!moved.ok()) {
    return fail(moved.error().message + "\nResource '" + rsc + "' may not have moved" +
                (removal_error.empty()
                     ? std::string("; no constraint created by this command remains")
                     : leftover));
  }
  if (!removal_error.empty()) return fail(leftover.substr(1));
  // Without its constraint the resource may move back (stickiness): report where it settles.
  std::string settled = *moved;
  if (removed_at) {
    auto again = waitForIdle(options, *removed_at, wait);
    if (!again.ok()) return fail(again.error().message);
    settled = *again;
  }
  std::cout << resourceLocation(settled, rsc) << "\n";
  return 0;
}

}  // namespace pulse::pcs
