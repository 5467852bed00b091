#include "pcs-cli/status_watch.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

namespace pulse::pcs {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

void requestStop(int) { stop_requested = 1; }

// SIGINT and SIGTERM end the watch between two reads (no SA_RESTART: a sleep ends early).
void catchStopSignals() {
  struct sigaction action {};
  action.sa_handler = requestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Sleeps `total`, in steps short enough that Ctrl-C is answered within a tenth of a second.
void pause(std::chrono::milliseconds total) {
  constexpr std::chrono::milliseconds kStep{100};
  for (auto left = total; left.count() > 0 && stop_requested == 0; left -= kStep) {
    std::this_thread::sleep_for(std::min(left, kStep));
  }
}

}  // namespace

int watchStatus(const ReadStatus& read, const RenderStatus& render,
                std::chrono::milliseconds poll) {
  catchStopSignals();
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  std::string shown;       // the fingerprint of the status on screen
  std::string last_error;  // reported once until it changes
  bool first = true;
  while (stop_requested == 0) {
    auto input = read();
    Result<std::string> text = input.ok() ? render(*input) : Result<std::string>(input.error());
    if (!text.ok()) {
      if (text.error().message != last_error) {
        last_error = text.error().message;
        std::cerr << "Error: " << last_error << "\n";
      }
    } else if (const std::string key = input->fingerprint(); key != shown) {
      shown = key;
      last_error.clear();
      if (terminal) {
        std::cout << "\033[H\033[2J";  // home, clear: the new status replaces the old
      } else if (!first) {
        std::cout << "\n";
      }
      first = false;
      std::cout << *text << std::flush;
      if (!std::cout) return 1;  // the reader went away (pcs ignores SIGPIPE)
    }
    pause(poll);
  }
  return 0;
}

}  // namespace pulse::pcs
