// pulse_run_agent: runs one OCF agent action through runAgent() and reports the result, for
// tests that must run an agent somewhere the test binary is not (inside a network namespace).
//
//   pulse_run_agent [--ocf-root=DIR] [--timeout=MS] [--resource=NAME] AGENT ACTION [name=value]...
//
// Prints the result line, then the agent's stdout and stderr. Exit status: the agent's exit
// status when it exited, 124 for a timeout, 125 for anything else (not installed, bad usage).
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "crmd/executor/agent_process.h"

using namespace pulse::crmd;

int main(int argc, char** argv) {
  AgentCall call;
  call.resource = "test";
  int i = 1;
  for (; i < argc && std::string_view(argv[i]).starts_with("--"); ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--ocf-root="))
      call.ocf_root = arg.substr(11);
    else if (arg.starts_with("--timeout="))
      call.timeout = std::chrono::milliseconds(std::stoll(std::string(arg.substr(10))));
    else if (arg.starts_with("--resource="))
      call.resource = arg.substr(11);
    else {
      std::cerr << "unknown option " << arg << "\n";
      return 125;
    }
  }
  if (argc - i < 2) {
    std::cerr << "usage: pulse_run_agent [--ocf-root=DIR] [--timeout=MS] [--resource=NAME] "
                 "AGENT ACTION [name=value]...\n";
    return 125;
  }
  auto agent = parseAgentName(argv[i]);
  if (!agent) {
    std::cerr << agent.error().message << "\n";
    return 125;
  }
  call.agent = *agent;
  call.action = argv[i + 1];
  for (i += 2; i < argc; ++i) {
    const std::string_view kv = argv[i];
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) {
      std::cerr << "expected name=value, got " << kv << "\n";
      return 125;
    }
    call.params[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  const AgentResult r = runAgent(call);
  std::cout << call.agent.spec() << " " << call.action << ": " << execStatusName(r.status) << ", "
            << r.message << "\n"
            << r.out.text;
  std::cerr << r.err.text;
  if (r.status == ExecStatus::kDone) return r.exit_status;
  return r.status == ExecStatus::kTimedOut ? 124 : 125;
}
