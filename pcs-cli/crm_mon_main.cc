// crm_mon: the cluster's status as Pacemaker 2.1.5's crm_mon shows it (crm_mon_args.h for the
// options, crm_mon_output.h for the text, XML and JSON), from this node's crmd as pcs status
// reads it, or from a CIB file (CIB_file=FILE or -x FILE), as Pacemaker's does without a
// cluster. Without -1 (text only) it watches: status_watch.h.
//
// Errors go to stderr as "crm_mon: MESSAGE". Exit codes: 0 success (Ctrl-C included), 64 usage,
// 3 an option Pulse does not have, 102 the CIB could not be read (crmd down, no such file),
// 1 a CIB the policy engine cannot read.
#include <cstdlib>
#include <iostream>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "pcs-cli/crm_mon_args.h"
#include "pcs-cli/crm_mon_output.h"
#include "pcs-cli/node_attribute_client.h"
#include "pcs-cli/status_source.h"
#include "pcs-cli/status_watch.h"

using namespace pulse;
using namespace pulse::pcs;

namespace {

// Each request to crmd (the status socket answers at once; the admin API may wait on the DC).
constexpr std::chrono::seconds kTimeout{5};

int fail(int code, const std::string& message) {
  std::cerr << "crm_mon: " << message << "\n";
  return code;
}

Result<std::string> render(const StatusInput& input, const CrmMonOptions& options) {
  pugi::xml_document doc;
  doc.load_buffer(input.cib_xml.data(), input.cib_xml.size());
  auto built = buildStatus(doc, input);
  if (!built.ok()) return built.error();
  ClusterStatus& s = *built;
  const pugi::xml_node cib = doc.child("cib");
  addCibSummary(cib, s);
  useCrmMonFailures(cib, s);
  const CrmMonFacts facts = crmMonFacts(cib, s);
  switch (options.format) {
    case CrmMonFormat::kXml:
      return crmMonXml(cib, s, facts, options);
    case CrmMonFormat::kJson:
      return crmMonJson(s, facts);
    case CrmMonFormat::kText:
      break;
  }
  return crmMonText(s, facts, options);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  auto parsed = parseCrmMon(words);
  if (const auto* error = std::get_if<ToolError>(&parsed)) {
    return fail(error->exit_code, error->message);
  }
  const CrmMonArgs& args = std::get<CrmMonArgs>(parsed);
  if (args.help) {
    std::cout << crmMonUsage();
    return kExitOk;
  }
  if (args.version) {
    std::cout << "Pacemaker 2.1.5 (Pulse crm_mon)\n";
    return kExitOk;
  }
  std::string file = args.xml_file.value_or("");
  if (const char* env = std::getenv("CIB_file"); file.empty() && env != nullptr && *env != '\0') {
    file = env;
  }
  const std::string state_dir = toolStateDir();
  const ReadStatus read = [&]() -> Result<StatusInput> {
    if (!file.empty()) return readFileInput(file);
    return readLiveInput(state_dir, kTimeout);
  };
  const RenderStatus draw = [&](const StatusInput& input) { return render(input, args.show); };
  if (args.one_shot || args.show.format != CrmMonFormat::kText) {
    auto input = read();
    if (!input.ok()) {
      return fail(kExitDisconnect, "Could not connect to the CIB: " + input.error().message);
    }
    auto text = draw(*input);
    if (!text.ok()) return fail(kExitError, text.error().message);
    std::cout << *text;
    return kExitOk;
  }
  const auto poll = args.interval.count() > 0 ? args.interval
                    : file.empty()            ? kLivePoll
                                              : kFilePoll;
  return watchStatus(read, draw, poll);
}
