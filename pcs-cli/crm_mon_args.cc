#include "pcs-cli/crm_mon_args.h"

#include <charconv>

#include "pcs-cli/glib_options.h"

namespace pulse::pcs {
namespace {

enum MonOption {
  kOneShot,
  kInactive,
  kFailcounts,
  kAttributes,
  kOperations,
  kTiming,
  kDetail,
  kOutputAs,
  kAsXml,
  kInterval,
  kXmlFile,
  kVerbose,
  kHelp,
  kVersion,
  kUnsupported
};

const std::vector<OptionSpec> kMonOptions = {
    {'1', "one-shot", Arg::kNone, kOneShot},
    {'r', "inactive", Arg::kNone, kInactive},
    {'f', "failcounts", Arg::kNone, kFailcounts},
    {'A', "show-node-attributes", Arg::kNone, kAttributes},
    {'o', "operations", Arg::kNone, kOperations},
    {'t', "timing-details", Arg::kNone, kTiming},
    {'R', "show-detail", Arg::kNone, kDetail},
    {'\0', "output-as", Arg::kRequired, kOutputAs},
    {'X', "as-xml", Arg::kNone, kAsXml},
    {'i', "interval", Arg::kRequired, kInterval},
    {'x', "xml-file", Arg::kRequired, kXmlFile},
    {'V', "verbose", Arg::kNone, kVerbose},
    {'?', "help", Arg::kNone, kHelp},
    {'\0', "help-all", Arg::kNone, kHelp},
    {'$', "version", Arg::kNone, kVersion},
    // crm_mon's, which Pulse does not have: refused by name rather than as unknown.
    {'n', "group-by-node", Arg::kNone, kUnsupported},
    {'c', "tickets", Arg::kNone, kUnsupported},
    {'L', "neg-locations", Arg::kOptional, kUnsupported},
    {'m', "fence-history", Arg::kOptional, kUnsupported},
    {'s', "simple-status", Arg::kNone, kUnsupported},
    {'b', "brief", Arg::kNone, kUnsupported},
    {'d', "daemonize", Arg::kNone, kUnsupported},
    {'p', "pid-file", Arg::kRequired, kUnsupported},
    {'E', "external-agent", Arg::kRequired, kUnsupported},
    {'e', "external-recipient", Arg::kRequired, kUnsupported},
    {'I', "include", Arg::kRequired, kUnsupported},
    {'\0', "exclude", Arg::kRequired, kUnsupported},
    {'\0', "node", Arg::kRequired, kUnsupported},
    {'\0', "resource", Arg::kRequired, kUnsupported},
    {'\0', "output-to", Arg::kRequired, kUnsupported},
    {'h', "as-html", Arg::kRequired, kUnsupported},
    {'w', "web-cgi", Arg::kNone, kUnsupported},
    {'W', "watch-fencing", Arg::kNone, kUnsupported},
    {'j', "pending", Arg::kNone, kUnsupported},
    {'Q', "quiet", Arg::kNone, kUnsupported},
};

// -i: crm_mon's TIMESPEC in its common spellings: "5", "5s", "500ms", "2m".
std::optional<std::chrono::milliseconds> timespec(const std::string& text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value <= 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  if (unit.empty() || unit == "s" || unit == "sec") return std::chrono::seconds(value);
  if (unit == "ms" || unit == "msec") return std::chrono::milliseconds(value);
  if (unit == "m" || unit == "min") return std::chrono::minutes(value);
  return std::nullopt;
}

}  // namespace

std::variant<CrmMonArgs, ToolError> parseCrmMon(const std::vector<std::string>& args) {
  CrmMonArgs out;
  std::string request = "crm_mon";
  for (const std::string& a : args) request += " " + a;
  out.show.request = request;
  auto error = scan(
      args, kMonOptions, [&](int id, std::optional<std::string> value) -> std::optional<ToolError> {
        switch (static_cast<MonOption>(id)) {
          case kOneShot:
            out.one_shot = true;
            break;
          case kInactive:
            out.show.inactive = true;
            break;
          case kFailcounts:
            out.show.failcounts = true;
            break;
          case kAttributes:
            out.show.attributes = true;
            break;
          case kOperations:
            out.show.operations = true;
            break;
          case kTiming:
            out.show.timing = true;
            break;
          case kDetail:
            out.show.show_detail = true;
            break;
          case kOutputAs:
            if (*value == "text" || *value == "console" || *value == "none") {
              out.show.format = CrmMonFormat::kText;
            } else if (*value == "xml") {
              out.show.format = CrmMonFormat::kXml;
            } else if (*value == "json") {
              out.show.format = CrmMonFormat::kJson;
            } else {
              return ToolError{kExitUsage, "Unknown output format '" + *value +
                                               "' (Pulse's crm_mon: text, xml, json)"};
            }
            break;
          case kAsXml:
            out.show.format = CrmMonFormat::kXml;
            break;
          case kInterval:
            if (auto ms = timespec(*value)) {
              out.interval = *ms;
            } else {
              return ToolError{kExitUsage, "Invalid interval '" + *value +
                                               "' (a positive number of seconds, or 500ms, 2m)"};
            }
            break;
          case kXmlFile:
            out.xml_file = *value;
            break;
          case kVerbose:
            break;
          case kHelp:
            out.help = true;
            break;
          case kVersion:
            out.version = true;
            break;
          case kUnsupported:
            return ToolError{kExitUnimplemented, "option not supported by Pulse's crm_mon"};
        }
        return std::nullopt;
      });
  if (error) {
    if (error->exit_code == kExitUnimplemented) {
      // Name the option as typed: the first word that is one of the unsupported spellings.
      for (const std::string& a : args) {
        for (const OptionSpec& s : kMonOptions) {
          if (s.id != kUnsupported) continue;
          const std::string name = a.substr(2, a.find('=') - 2);
          if ((a.starts_with("--") && name == s.long_name) ||
              (!a.starts_with("--") && a.starts_with("-") && s.short_name != '\0' &&
               a.find(s.short_name) != std::string::npos)) {
            error->message = (a.starts_with("--") ? "--" + name : std::string("-") + s.short_name) +
                             ": " + error->message;
            return *error;
          }
        }
      }
    }
    return *error;
  }
  return out;
}

std::string crmMonUsage() {
  return "Usage:\n"
         "  crm_mon [OPTION?]\n\n"
         "crm_mon - the cluster's status as Pacemaker's crm_mon shows it (Pulse: read from this\n"
         "node's crmd, or from the CIB file named by $CIB_file or -x)\n\n"
         "Without -1, the status is redrawn whenever the cluster changes (the CIB, the DC,\n"
         "quorum, the membership), until Ctrl-C. When standard output is not a terminal, each\n"
         "new status is printed after a blank line.\n\n"
         "Options:\n"
         "  -1, --one-shot                Display the cluster status once and exit\n"
         "  -r, --inactive                Display inactive resources\n"
         "  -f, --failcounts              Display resource fail counts (Migration Summary)\n"
         "  -A, --show-node-attributes    Display node attributes\n"
         "  -o, --operations              Display resource operation history\n"
         "  -t, --timing-details          Display resource operation history with timing "
         "details\n"
         "  -R, --show-detail             Display node ids and failures in full\n"
         "  --output-as=FORMAT            text (default), xml (crm_mon's XML) or json (Pulse's\n"
         "                                document: pcs status's with node_attributes and\n"
         "                                node_history); xml and json imply --one-shot\n"
         "  -X, --as-xml                  The same as --output-as=xml\n"
         "  -i, --interval=TIMESPEC       How often to look for changes without -1 (default 1s;\n"
         "                                0.5s for a CIB file): 5, 5s, 500ms, 2m\n"
         "  -x, --xml-file=FILE           Show the CIB in FILE (as CIB_file=FILE)\n"
         "  -V, --verbose                 Accepted (no effect)\n"
         "  -?, --help                    Show this help\n"
         "  -$, --version                 Display the version and exit\n\n"
         "Not available in Pulse (refused, exit 3): --group-by-node, --tickets,\n"
         "--neg-locations, --fence-history, --simple-status, --brief, --daemonize, --include,\n"
         "--exclude, --node, --resource, --output-to, html output, --external-agent.\n\n"
         "Exit status: 0 success (also after Ctrl-C), 64 usage, 3 option not available,\n"
         "102 the cluster (crmd) or the CIB file could not be read, 1 other errors.\n";
}

}  // namespace pulse::pcs
