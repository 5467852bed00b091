// FenceDelegation (fence_delegation.h): the DC's choice of the member that fences for it.

#include "crmd/controller/fence_delegation.h"

#include <algorithm>

#include "policy-engine/score.h"

namespace pulse::crmd {
namespace {

std::vector<std::string> devicesOf(const FenceRequest& request) {
  std::vector<std::string> devices;
  if (request.levels.empty()) devices.push_back(request.device.resource);
  for (const FenceLevel& level : request.levels)
    for (const ActionRequest& device : level.devices) devices.push_back(device.resource);
  return devices;
}

}  // namespace

bool mayRunFenceDevices(const pugi::xml_node& cib, const FenceRequest& request,
                        const std::string& node) {
  const std::vector<std::string> devices = devicesOf(request);
  for (const pugi::xml_node& c :
       cib.child("configuration").child("constraints").children("rsc_location")) {
    if (node != c.attribute("node").value()) continue;
    if (std::find(devices.begin(), devices.end(), c.attribute("rsc").value()) == devices.end())
      continue;
    const auto score = pe::parseScore(c.attribute("score").value());
    if (score && *score <= -pe::kInfinity) return false;
  }
  return true;
}

FenceDelegation::FenceDelegation(std::string dc, FenceRequest request)
    : dc_(std::move(dc)), request_(std::move(request)) {}

std::optional<Member> FenceDelegation::next(const std::vector<Member>& members,
                                            const pugi::xml_node* cib) {
  const Member* chosen = nullptr;
  for (const Member& m : members) {
    if (m.name == dc_ || m.name == request_.node) continue;
    if (std::find(tried_.begin(), tried_.end(), m.name) != tried_.end()) continue;
    if (cib && !mayRunFenceDevices(*cib, request_, m.name)) continue;
    if (!chosen || m.id < chosen->id) chosen = &m;
  }
  if (!chosen) return std::nullopt;
  executor_ = chosen->name;
  tried_.push_back(chosen->name);
  return *chosen;
}

void FenceDelegation::failed(const std::string& why) {
  if (!executor_.empty()) failures_.emplace_back(executor_, why);
}

std::string FenceDelegation::failure() const {
  if (failures_.empty()) {
    return request_.node == dc_
               ? "no other member may run a fence device for " + request_.node +
                     ", and a node does not fence itself with a device"
               : "no member may run the fence devices for " + request_.node +
                     " (location constraints keep them off " + dc_ + " and the others)";
  }
  std::string out = "no member could fence " + request_.node + ": ";
  for (std::size_t i = 0; i < failures_.size(); ++i)
    out += (i ? "; " : "") + failures_[i].first + ": " + failures_[i].second;
  return out;
}

}  // namespace pulse::crmd
