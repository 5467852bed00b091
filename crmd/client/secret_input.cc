#include "crmd/client/secret_input.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace pulse::crmd {
namespace {

Result<std::string> readLine(bool terminal, const std::string& prompt) {
  termios saved{};
  if (terminal) {
    // Echo off first, prompt after (as getpass): what is typed once the prompt shows is
    // neither echoed nor discarded by the flush.
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::cerr << prompt << std::flush;
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!got) return Error{"no password given (end of input)"};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return Error{"the password must not be empty"};
  return line;
}

}  // namespace

Result<std::string> readSecret(const std::string& prompt, bool confirm) {
  const bool terminal = isatty(STDIN_FILENO) == 1;
  auto first = readLine(terminal, prompt);
  if (!first || !terminal || !confirm) return first;
  auto second = readLine(terminal, "Retype " + prompt);
  if (!second) return second;
  if (*first != *second) return Error{"the passwords do not match"};
  return first;
}

}  // namespace pulse::crmd
