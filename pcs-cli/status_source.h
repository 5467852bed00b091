// The facts behind one cluster status (pcs status, crm_mon): the CIB, and what a running
// cluster adds to it (the DC, quorum, who is in the membership), read from a CIB file or from
// this node's crmd; and the ClusterStatus the formatters (status_output.h, crm_mon_output.h)
// show, built from them. One builder, so pcs status and crm_mon never disagree on a fact.
#pragma once

#include <chrono>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "admin.pb.h"
#include "common/result.h"
#include "pcs-cli/status_output.h"

namespace pulse::pcs {

// What a running cluster adds to a CIB's own view: the DC, quorum, and which nodes the
// membership sees (the DC does not record node_state entries yet, so the CIB alone would show
// every node offline).
struct LiveFacts {
  std::string cluster_name;
  std::string dc;
  bool quorate = false;
  std::vector<std::string> online;
  std::vector<std::string> out_of_date;  // ClusterStatus::out_of_date
  bool enabled = false;
};

// What the membership of one node (its ClusterStatus `st`) adds to the CIB; `version`: the
// version of the CIB shown, which nodes lost since hold an older copy of.
LiveFacts liveFacts(const admin::ClusterStatusReply& st, const std::string& dc,
                    const peer::CibVersion& version);

struct StatusInput {
  std::string cib_xml;
  std::optional<LiveFacts> live;  // nullopt: a CIB file
  std::string file;               // the CIB file's path; "" for a running cluster
  // Equal fingerprints show the same status (up to the clock): what a watch compares to know
  // when to redraw.
  std::string fingerprint() const;
};

// The CIB file at `path` (CIB_file=, pcs -f): errors name the file.
Result<StatusInput> readFileInput(const std::string& path);

// The running cluster as pcs status sees it: this node's status socket; else its admin API,
// when its copy holds every acknowledged write (or it has no quorum); else the DC's copy.
Result<StatusInput> readLiveInput(const std::string& state_dir, std::chrono::seconds timeout);

// The status of `input`, whose CIB `doc` holds (parsed from input.cib_xml). The current
// placement is the policy engine's view of the CIB; a running cluster's membership overrides
// each node's online state. Errors: a CIB the engine cannot read.
Result<ClusterStatus> buildStatus(const pugi::xml_document& doc, const StatusInput& input);

}  // namespace pulse::pcs
