// crmd's event log: one line per event on stderr, "YYYY-mm-ddTHH:MM:SS.mmmZ crmd: <text>" (UTC).
// Thread-safe (lines from different threads never interleave). Never pass secrets here.
#pragma once

#include <string>

namespace pulse::crmd {

void logEvent(const std::string& text);

}  // namespace pulse::crmd
