// pulse-cibgen: writes a random Pacemaker CIB (see cib_generator.h).
//
//   pulse-cibgen --seed 7 --nodes 2-6 --resources 3-25 -o cib.xml
//   pulse-cibgen --seed 1 --nodes 100 --resources 10000 --profile bench -o big.xml
//
// A range "A-B" for --nodes/--resources is resolved from the seed, so a seed alone names a CIB.
// Exit codes: 0 written, 1 write error, 2 bad usage.
#include <boost/program_options.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "cib_generator.h"
#include "random.h"

namespace po = boost::program_options;
using pulse::cibgen::GeneratorOptions;

namespace {

struct Range {
  int lo = 0, hi = 0;
};

std::optional<int> parseInt(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "N" or "A-B" with 1 <= A <= B.
std::optional<Range> parseRange(const std::string& text) {
  const size_t dash = text.find('-');
  const auto lo = parseInt(std::string_view(text).substr(0, dash));
  const auto hi =
      dash == std::string::npos ? lo : parseInt(std::string_view(text).substr(dash + 1));
  if (!lo || !hi || *lo < 1 || *hi < *lo) return std::nullopt;
  return Range{*lo, *hi};
}

int usageError(const std::string& message) {
  std::cerr << "pulse-cibgen: " << message << "\nTry 'pulse-cibgen --help'.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc(
      "Usage: pulse-cibgen --seed N --nodes N|A-B --resources N|A-B [options]\n"
      "Writes a random Pacemaker 2.1.5 CIB (configuration and status)");
  std::string nodes_text = "3", resources_text = "10", profile_text = "differential", output;
  std::string feature_set = GeneratorOptions().feature_set;
  uint64_t seed = 1;
  std::string without_text;
  desc.add_options()("help,h", "show this help")(
      "seed,s", po::value<uint64_t>(&seed)->default_value(1), "random seed")(
      "nodes,n", po::value<std::string>(&nodes_text)->default_value("3"),
      "node count, or a range A-B drawn from the seed")(
      "resources,r", po::value<std::string>(&resources_text)->default_value("10"),
      "primitive count, or a range A-B drawn from the seed")(
      "profile,p", po::value<std::string>(&profile_text)->default_value("differential"),
      "differential (small, varied knobs) or bench (big, probes on every node)")(
      "output,o", po::value<std::string>(&output)->default_value("-"), "output file, - = stdout")(
      "feature-set", po::value<std::string>(&feature_set)->default_value(feature_set),
      "crm_feature_set to write (Pacemaker 2.1.5 writes 3.16.1)")(
      "without", po::value<std::string>(&without_text),
      "comma-separated features to leave out of the seed's CIB, to find which one a "
      "disagreement needs: clones, promotable, fencing, rules, sets, tickets")(
      "verbose,v", "print the chosen sizes to stderr");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usageError(e.what());
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  const auto profile = pulse::cibgen::parseProfile(profile_text);
  if (!profile) return usageError("unknown profile '" + profile_text + "'");
  const auto nodes = parseRange(nodes_text);
  if (!nodes) return usageError("bad --nodes '" + nodes_text + "' (want N or A-B, N >= 1)");
  const auto resources = parseRange(resources_text);
  if (!resources) {
    return usageError("bad --resources '" + resources_text + "' (want N or A-B, N >= 1)");
  }

  GeneratorOptions options;
  options.seed = seed;
  options.profile = *profile;
  options.feature_set = feature_set;
  pulse::cibgen::Rng size_rng(seed ^ 0x73697a65ULL);
  options.nodes = size_rng.range(nodes->lo, nodes->hi);
  options.resources = size_rng.range(resources->lo, resources->hi);
  if (!without_text.empty()) {
    pulse::cibgen::Knobs knobs = pulse::cibgen::effectiveKnobs(options);
    std::istringstream list(without_text);
    for (std::string feature; std::getline(list, feature, ',');) {
      if (feature == "clones") {
        knobs.cloned = 0;
      } else if (feature == "promotable") {
        knobs.promotable = 0;
      } else if (feature == "fencing") {
        knobs.fencing = false;
        knobs.unclean_node = 0;
      } else if (feature == "rules") {
        knobs.attribute_rules = 0;
        knobs.date_rules = 0;
      } else if (feature == "sets") {
        knobs.set_constraints = 0;
      } else if (feature == "tickets") {
        knobs.tickets = 0;
      } else {
        return usageError("unknown feature '" + feature + "' for --without");
      }
    }
    options.knobs = knobs;
  }
  if (vm.count("verbose")) {
    std::cerr << "seed=" << seed << " nodes=" << options.nodes << " resources=" << options.resources
              << " profile=" << profile_text << "\n";
  }
  if (output == "-") {
    const bool ok = pulse::cibgen::writeCib(options, std::cout) && std::cout.flush();
    if (!ok) std::cerr << "pulse-cibgen: cannot write to stdout\n";
    return ok ? 0 : 1;
  }
  std::string error;
  if (!pulse::cibgen::writeCibFile(options, output, &error)) {
    std::cerr << "pulse-cibgen: " << error << "\n";
    return 1;
  }
  return 0;
}
