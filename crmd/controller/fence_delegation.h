// Who carries out a fencing operation the DC may not run itself (it is the target, or a
// location constraint of -INFINITY keeps the devices off it), as Pacemaker's fencer picks the
// peer: a member other than the DC and the target that may run every device of the request,
// the lowest node id first. When the one chosen cannot carry it out (its agent is missing, the
// device fails there, no result in time, it left the view), the next member not yet tried is
// asked, as the fencer moves to the next capable peer; the operation fails only once every
// eligible member failed, the reason naming each.
// Pure: no I/O (the daemon's resource_manager_delegation.cc sends the requests).
#pragma once

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crmd/controller/controller.h"

namespace pulse::crmd {

// Whether `node` may run every device of `request`: Pacemaker's fencer registers a device only
// on the nodes where its resource may run, so a location constraint of -INFINITY for the node
// (`pcs constraint location fence avoids n2`) keeps that node from fencing with it.
bool mayRunFenceDevices(const pugi::xml_node& cib, const FenceRequest& request,
                        const std::string& node);

// One delegated operation on the DC. Invariant: a member is asked at most once per operation
// (tried() lists each in the order asked), and never the DC or the target.
class FenceDelegation {
 public:
  FenceDelegation(std::string dc, FenceRequest request);

  // The next member to ask among `members` (`cib`: the DC's copy, for the location
  // constraints; null: none known), marked as asked; nullopt when none is left.
  std::optional<Member> next(const std::vector<Member>& members, const pugi::xml_node* cib);
  // The member asked last could not carry it out, for `why`.
  void failed(const std::string& why);

  const FenceRequest& request() const { return request_; }
  // The member asked last (empty before the first next()).
  const std::string& executor() const { return executor_; }
  const std::vector<std::string>& tried() const { return tried_; }
  // The reason the whole operation failed once next() found nobody: why no member could be
  // asked, or what each member asked answered ("n2: ...; n3: ...").
  std::string failure() const;

 private:
  std::string dc_;
  FenceRequest request_;
  std::string executor_;
  std::vector<std::string> tried_;
  std::vector<std::pair<std::string, std::string>> failures_;  // member -> why, in order
};

}  // namespace pulse::crmd
