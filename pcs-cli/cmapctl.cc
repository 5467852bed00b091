#include "pcs-cli/cmapctl.h"

#include "pcs-cli/cluster_output.h"

namespace pulse::pcs {
namespace {

bool inMap(const CmapEntry& entry, const std::string& map) {
  return entry.key.starts_with("stats.") == (map == "stats");
}

std::string line(const CmapEntry& e, bool quiet) {
  return quiet ? e.value + "\n" : e.key + " (" + e.type + ") = " + e.value + "\n";
}

}  // namespace

std::variant<CmapctlArgs, ToolError> parseCmapctl(const std::vector<std::string>& args) {
  CmapctlArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.size() < 2 || word[0] != '-') {
      out.params.push_back(word);
      continue;
    }
    // getopt's bundling: -bqg is -b -q -g; -m takes the rest of the word or the next one.
    for (std::size_t k = 1; k < word.size(); ++k) {
      const char flag = word[k];
      switch (flag) {
        case 'b':  // no key of Pulse's holds binary data: every value prints as text already
          break;
        case 'q':
          out.quiet = true;
          break;
        case 'g':
          out.get = true;
          break;
        case 'h':
          out.help = true;
          break;
        case 'm': {
          std::string map = word.substr(k + 1);
          if (map.empty()) {
            if (i + 1 >= args.size()) return ToolError{1, "option requires an argument -- 'm'"};
            map = args[++i];
          }
          if (map != "icmap" && map != "stats") {
            return ToolError{1, "Invalid map '" + map + "': use icmap or stats"};
          }
          out.map = map;
          k = word.size();
          break;
        }
        case 's':
        case 'd':
        case 'D':
        case 'p':
        case 't':
        case 'T':
        case 'C':
          return ToolError{1, std::string("-") + flag +
                                  " is not supported: Pulse's keys are read-only here; change "
                                  "the cluster with pcs (pcs cluster setup, pcs quorum update)"};
        default:
          return ToolError{1, std::string("invalid option -- '") + flag + "'"};
      }
    }
  }
  if (out.quiet && !out.get) return ToolError{1, "-q goes with -g"};
  if (out.get && out.params.empty()) return ToolError{1, "-g needs at least one key name"};
  return out;
}

ToolOutput runCmapctl(const CmapctlArgs& args, const admin::ClusterStatusReply& status) {
  ToolOutput result;
  if (!status.running()) {
    // What corosync-cmapctl prints when corosync is down; the second line says why.
    result.exit_code = 1;
    result.err =
        "Failed to initialize the cmap API. Error CS_ERR_LIBRARY\n"
        "(the cluster is not running on this node: pcs cluster start)\n";
    return result;
  }
  const std::vector<CmapEntry> entries = cmapEntries(status);
  if (args.get) {
    for (const std::string& key : args.params) {
      bool found = false;
      for (const CmapEntry& e : entries) {
        if (e.key == key && inMap(e, args.map)) {
          result.out += line(e, args.quiet);
          found = true;
        }
      }
      if (!found) {
        result.err += "Can't get key " + key + ". Error CS_ERR_NOT_EXIST\n";
        result.exit_code = 1;
      }
    }
    return result;
  }
  for (const CmapEntry& e : entries) {
    if (!inMap(e, args.map)) continue;
    bool wanted = args.params.empty();
    for (const std::string& prefix : args.params) wanted = wanted || e.key.starts_with(prefix);
    if (wanted) result.out += line(e, false);
  }
  return result;
}

std::string cmapctlUsage() {
  return "\nusage:  corosync-cmapctl [-b] [-gqh] [-m map] [params...]\n\n"
         "    -b show binary values (accepted; Pulse has none)\n"
         "    -m select map to use: icmap (default: configuration and runtime) or stats\n\n"
         "Get key:\n    corosync-cmapctl [-b] -g key_name...\n\n"
         "Quiet mode:\n    corosync-cmapctl [-b] -q -g key_name...\n\n"
         "Display all keys:\n    corosync-cmapctl [-b]\n\n"
         "Display keys with prefix key_name:\n    corosync-cmapctl [-b] key_name...\n\n"
         "Keys are read from this node's crmd; they cannot be set here (-s, -d, -D, -p, -t, -T,\n"
         "-C): change the cluster with pcs.\n";
}

}  // namespace pulse::pcs
