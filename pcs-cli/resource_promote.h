// `pcs resource promote <promotable clone | its resource> <node> --allow-data-loss`: the
// operator's answer when every remaining replica's agent refuses promotion because it may lack
// commits that were acknowledged to clients (ocf:pulse:pgsql's guard after the primary and the
// synchronous standby were lost together). It sets the transient node attribute
// <resource>-allow-data-loss=true on the node, which the agent's promote reads (and removes once
// the node is promoted), and cleans up the resource's failures on that node (the refused
// promote, with on-fail=demote, keeps the engine from promoting there until cleared), so the
// next transition promotes it there. One status-only write: the configuration is untouched.
//
// Invariants: without --allow-data-loss nothing is written and the error says what may be lost
// (the agent's own reason when its promote was refused); refused while the resource is promoted
// anywhere (a second primary is never forced: move the primary instead) and on a node where it
// does not run (there is nothing to promote). Pure: no I/O, safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "pcs-cli/cib_file_commands.h"

namespace pulse::pcs {

struct PromoteOutcome {
  std::string cib_xml;             // the new CIB
  std::vector<std::string> lines;  // what was done, for the operator
};

// Errors: unknown resource or node, a resource that is not promotable, already promoted
// somewhere, not running on `node`, or (without `allow_data_loss`) the refusal explaining
// what may be lost. Nothing is changed then.
Result<PromoteOutcome> forcePromotion(const std::string& cib_xml, const std::string& rsc,
                                      const std::string& node, bool allow_data_loss);

// The command line (words as cibCommand() has them): on the file with -f, else on the live CIB
// through the DC (redone on a fresh copy when another write got there first). 0, or 1 with
// "Error: ..." printed.
int promoteCommand(const CibCommandOptions& options);

}  // namespace pulse::pcs
