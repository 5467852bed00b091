// pe-simulate: crm_simulate's command line over Pulse's policy engine.
// Exit codes: 0 success, 1 bad input (CIB or date), 2 bad usage, 3 I/O error.
#include <zlib.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "file_source.h"
#include "policy-engine/policy_engine.h"
#include "policy-engine/simulate_output.h"
#include "policy-engine/xml_dates.h"

namespace po = boost::program_options;

namespace {

void readStandardInput(std::string& out) {
  std::ostringstream ss;
  ss << std::cin.rdbuf();
  out = ss.str();
}

// A gzip file (magic 1f 8b, as the DC saves pe-input-N.xml.gz) is inflated in place; any
// other content is left as it is. False, with `why`, when gzip data is damaged.
bool gunzipIfCompressed(std::string& data, std::string& why) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    return true;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) {
    why = "cannot start gzip decompression";
    return false;
  }
  std::string out;
  char buffer[1 << 16];
  zs.next_in = reinterpret_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended before the stream did
  }
  std::string msg = zs.msg != nullptr ? zs.msg : "";
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    why = "damaged gzip data" + (msg.empty() ? std::string(" (truncated)") : ": " + msg);
    return false;
  }
  data = std::move(out);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc(
      "Usage: pe-simulate -x FILE (-S | -R) [options]\n"
      "Runs Pulse's policy engine on a CIB and prints what it would do, like crm_simulate");
  desc.add_options()("help,h", "show this help")("xml-file,x", po::value<std::string>(),
                                                 "CIB file to read ('-' for standard input)")(
      "simulate,S", "print the transition, simulate it and print the revised status")(
      "run,R", "print the current status and the Transition Summary")(
      "set-datetime,t", po::value<std::string>(), "use DATE (ISO 8601) as 'now'")(
      "show-scores,s", "print allocation scores")("save-graph,G", po::value<std::string>(),
                                                  "write the transition graph (XML) to FILE")(
      "save-dotfile,D", po::value<std::string>(), "accepted for compatibility; not written")(
      "quiet,Q", "do not print the cluster status")(
      "pacemaker-defects",
      "reproduce the Pacemaker 2.1.5 defects README lists under Known differences (for the "
      "differential test)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pe-simulate: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (!vm.count("xml-file")) {
    std::cerr << "pe-simulate: no CIB given; use -x FILE (the live cluster is not read)\n";
    return 2;
  }
  std::string path = vm["xml-file"].as<std::string>();
  // Standard input is read whole; a file a piece at a time, so that a large CIB's text is
  // never held whole (FileCibSource).
  std::string xml;
  pulse::pe::FileCibSource file;
  if (path == "-") {
    readStandardInput(xml);
    if (std::string why; !gunzipIfCompressed(xml, why)) {
      std::cerr << "pe-simulate: cannot read '" << path << "': " << why << "\n";
      return 1;
    }
  } else if (!file.open(path)) {
    std::cerr << "pe-simulate: cannot read '" << path << "'\n";
    return 3;
  }
  pulse::pe::ScheduleOptions options;
  options.fallback_now = static_cast<std::int64_t>(std::time(nullptr));
  options.with_scores = vm.count("show-scores") > 0;
  options.sanitized = true;  // crm_simulate's default: inputs may have masked passwords
  options.pacemaker_defects = vm.count("pacemaker-defects") > 0;
  if (vm.count("set-datetime")) {
    std::string text = vm["set-datetime"].as<std::string>();
    auto when = pulse::pe::parseIsoDateTime(text);
    if (!when) {
      std::cerr << "pe-simulate: -t '" << text << "' is not an ISO 8601 date and time\n";
      return 1;
    }
    options.now = *when;
  }
  auto transition =
      path == "-" ? pulse::pe::schedule(xml, options) : pulse::pe::schedule(file, options);
  if (!transition && file.ioFailed()) {
    std::cerr << "pe-simulate: cannot read '" << path << "'\n";
    return 3;
  }
  if (!transition && !file.gzipError().empty()) {
    std::cerr << "pe-simulate: cannot read '" << path << "': " << file.gzipError() << "\n";
    return 1;
  }
  if (!transition) {
    std::cerr << "pe-simulate: " << path << ": " << transition.error().message << "\n";
    return 1;
  }
  const pulse::pe::Transition& t = *transition;
  for (const auto& w : t.warnings) std::cerr << "warning: " << w << "\n";
  bool quiet = vm.count("quiet") > 0;
  bool simulate = vm.count("simulate") > 0;
  bool run = vm.count("run") > 0 || simulate;
  std::ostream& out = std::cout;
  if (t.used_execution_date) {
    out << "Using the original execution date of: " << pulse::pe::formatIsoDateTime(t.now) << "\n";
  }
  if (!quiet) {
    out << "Current cluster status:\n" << pulse::pe::formatClusterView(t.current) << "\n";
  }
  if (vm.count("show-scores")) out << pulse::pe::formatScores(t);
  if (run) out << "Transition Summary:\n" << pulse::pe::formatSummary(t);
  if (simulate) {
    out << "\nExecuting Cluster Transition:\n" << pulse::pe::formatExecutedActions(t);
    out << "\nRevised Cluster Status:\n" << pulse::pe::formatClusterView(t.revised);
  }
  if (vm.count("save-graph")) {
    std::ofstream g(vm["save-graph"].as<std::string>());
    g << pulse::pe::formatGraphXml(t);
    if (!g) {
      std::cerr << "pe-simulate: cannot write the graph\n";
      return 3;
    }
  }
  return 0;
}
