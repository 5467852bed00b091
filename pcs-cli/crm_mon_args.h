// crm_mon's command line (Pacemaker 2.1.5's tools/crm_mon.c spelling, GLib syntax:
// glib_options.h). Pure; crm_mon_main.cc does the I/O.
//
// Taken: -1/--one-shot, -r/--inactive, -f/--failcounts, -A/--show-node-attributes,
// -o/--operations, -t/--timing-details, -R/--show-detail, --output-as=text|xml|json (-X/--as-xml:
// xml), -i/--interval=SECONDS (the watch's poll), -x/--xml-file=FILE (as CIB_file=FILE),
// -V/--verbose (no effect: crm_mon's is for its logs), -?/--help, -$/--version.
// crm_mon options Pulse does not have (--group-by-node, --tickets, --neg-locations,
// --fence-history, --simple-status, --brief, --daemonize, --include, --exclude, html output...)
// are refused with exit 3 naming the option; any other word is a usage error (exit 64).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pcs-cli/crm_mon_output.h"
#include "pcs-cli/crm_tool_args.h"

namespace pulse::pcs {

struct CrmMonArgs {
  CrmMonOptions show;
  bool one_shot = false;  // -1; xml and json are one-shot as well (as crm_mon's xml)
  std::chrono::milliseconds interval{0};  // -i; 0: the watch's default
  std::optional<std::string> xml_file;    // -x FILE
  bool help = false;
  bool version = false;
};

// `args` without the program name.
std::variant<CrmMonArgs, ToolError> parseCrmMon(const std::vector<std::string>& args);

std::string crmMonUsage();

}  // namespace pulse::pcs
