// `pcs -f FILE resource|constraint|property|node ...` and `pcs -f FILE status`: pcs's "perform
// actions on file instead of active CIB". The file is read, the edit applied (pulse_cib_edit),
// the epoch bumped as Pacemaker does for a configuration change, and the file replaced
// atomically with its mode kept; views print and leave the file alone.
//
// Invariant: on any error the exit code is 1, "Error: ..." goes to stderr and the file is
// byte-identical (nothing is written before the whole edit succeeded).
//
// Without -f they work on the cluster's live CIB: read from the DC, edited here, written back
// through the DC on the stamp that was read (live_cib.h); when another write got there first,
// the command reads again and redoes its edit (up to 3 times). The DC bumps the epoch.
// `resource agents` and `resource describe` need no CIB.
#pragma once

#include <string>
#include <vector>

namespace pulse::pcs {

struct CibCommandOptions {
  std::string file;                // -f FILE; "" for the live CIB
  std::string state_dir;           // the live CIB: whose node's known hosts and crmd to use
  bool json = false;               // --output-format=json
  bool cmd = false;                // --output-format=cmd (resource config, stonith config)
  bool full = false;               // --full (constraint list: with ids)
  std::string ocf_root;            // $OCF_ROOT or /usr/lib/ocf
  std::vector<std::string> words;  // the command and its arguments, pcs flags included
};

// True for the commands cibCommand() runs: resource, constraint, property, node, and status
// other than `status corosync`.
bool isCibCommand(const std::vector<std::string>& positional);

// Runs one command; 0 on success, 1 on error (message already printed).
int cibCommand(const CibCommandOptions& options);

}  // namespace pulse::pcs
