// pcs's --wait[=N]: after a live CIB write, poll the DC until its transition engine is idle on
// a CIB at least as new as the write, then say where the resource runs ("Resource 'vip' is
// running on node n2."). Blocking, for the pcs command line only.
//
// Invariant: returns within `limit` (plus one request timeout); never reports success on a CIB
// older than `written`, so an answer cannot describe the cluster before the change.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "pcs-cli/cluster_commands.h"
#include "peer.pb.h"
#include "policy-engine/transition.h"

namespace pulse::pcs {

// pcs's default when --wait has no value.
inline constexpr std::chrono::seconds kDefaultWait{60};

// Takes --wait / --wait=N out of `words`. nullopt: no --wait. Error: N is not a positive
// integer ("'abc' is not a valid number of seconds to wait").
Result<std::optional<std::chrono::seconds>> takeWaitFlag(std::vector<std::string>& words);

// Polls until idle (see the header comment). Error "Waiting timeout" when `limit` passes, or
// the DC cannot be read. kAnnounce first prints pcs's "Waiting for the cluster to apply
// configuration changes..." (its resource commands do; `cluster cib-push --wait` does not).
enum class WaitAnnounce { kAnnounce, kSilent };
Result<std::string> waitForIdle(const PcsOptions& options, const peer::CibVersion& written,
                                std::chrono::seconds limit,
                                WaitAnnounce announce = WaitAnnounce::kAnnounce);

// "Resource 'vip' is running on node n2." / "... on nodes n1, n2." / "Resource 'vip' is not
// running on any node" (pcs's wording), from a CIB's status section; a promotable clone
// "Resource 'pg-clone' is promoted on node n2; unpromoted on nodes n1, n3."
std::string resourceLocation(const std::string& cib_xml, const std::string& rsc);
// The nodes `rsc` (or any member of it) is active on according to the CIB's status section.
std::vector<std::string> resourceNodes(const std::string& cib_xml, const std::string& rsc);

// The resource (or group member) `id` in a crm_mon-style view; nullptr when absent.
const pe::ResourceView* findView(const std::vector<pe::ResourceView>& resources,
                                 const std::string& id);

}  // namespace pulse::pcs
